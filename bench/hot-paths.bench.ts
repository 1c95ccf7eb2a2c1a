// The per-request hot paths, measured (never asserted in tests): payload encryption, which every workflow task and
// client call runs through, and webhook verification + reduction, which every Vobiz delivery runs through.
// Run: npm run bench. Reference figures on the project's 2-core machine are in docs/testing.md.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { bench, describe } from 'vitest';
import { classifyKycWebhook } from '../src/bridge/kyc-webhook.js';
import { signVobizBody, verifyVobizSignature } from '../src/bridge/signature.js';
import { EncryptionCodec } from '../src/codec/encryption-codec.js';

const codec = new EncryptionCodec([{ id: 'bench', keyMaterial: randomBytes(32) }]);
const input = defaultPayloadConverter.toPayload({
  customerRef: 'acme-0001',
  customer: { name: 'Asha Example', email: 'asha@example.com', phone: '+919800000001', password: 'Example-Passw0rd!', country: 'IN' },
  funding: { amount: '500.00000', currency: 'INR' },
});
let encrypted = input;

describe('payload codec (one ~250-byte workflow input)', () => {
  bench('encode', async () => {
    [encrypted] = (await codec.encode([input])) as [typeof input];
  });
  bench('decode', async () => {
    await codec.decode([encrypted]);
  });
});

const secret = 'partner-token';
const body = Buffer.from(
  JSON.stringify({
    event: 'kyc.completed',
    session_id: '9e20e583-618d-4619-94aa-aaa60b86e60d',
    account_auth_id: 'MA_ZOBDP2NM',
    status: 'kyc_completed',
    timestamp: '2026-11-30T09:35:16Z',
    metadata: { workflowId: 'customer-acme-0001', attempt: 1 },
    verified_data: { pan_type: 'individual', completed_steps: ['pan', 'aadhaar'] },
  }),
);
const header = signVobizBody(body, secret);

describe('KYC webhook (signature with two rotated secrets, then parse and reduce)', () => {
  bench('verify + classify', () => {
    if (!verifyVobizSignature(body, header, ['old-token', secret])) throw new Error('signature rejected');
    classifyKycWebhook(JSON.parse(body.toString('utf8')));
  });
});

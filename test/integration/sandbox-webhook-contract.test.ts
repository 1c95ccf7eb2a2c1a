// KYC webhook deliveries against the documented payload union (docs/vobiz-api.md §5.11: the partner flow page's
// shape plus the sub-account pages' shape, strict: no other keys), for every event the sandbox fires, and the
// signature checked the way Vobiz's own n8n node checks it: HMAC-SHA256 of the raw body under the partner token,
// hex after an optional "sha256=", compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createCustomer, startTestSandbox, TEST_PARTNER, type TestSandbox } from '../../sandbox/testing.js';
import { KycWebhookPayload } from '../contract/doc-shapes.js';
import { issuesOf } from '../contract/conform.js';

interface Delivery { raw: Buffer; headers: Record<string, string | string[] | undefined>; body: z.output<typeof KycWebhookPayload> }

/** The partner flow page's example keys and the sub-account pages' keys: a receiver written for either finds its fields. */
const PARTNER_FLOW_KEYS = ['event', 'session_id', 'account_auth_id', 'kyc_type', 'status', 'metadata', 'verified_data'];
const SUB_ACCOUNT_KEYS = ['event', 'timestamp', 'session_id', 'account_auth_id', 'customer_email', 'kyc_type', 'session_status', 'metadata', 'created_at', 'updated_at'];

/** As Vobiz's n8n node verifies: hex (optionally after "sha256=") or base64 of HMAC-SHA256(raw body), constant time. */
function n8nStyleVerify(rawBody: Buffer, secret: string, header: string): boolean {
  const digest = createHmac('sha256', secret).update(rawBody).digest();
  const given = header.trim().replace(/^sha256=/i, '');
  const received = Buffer.from(/^[0-9a-f]+$/i.test(given) ? given.toLowerCase() : given, 'utf8');
  return [digest.toString('hex'), digest.toString('base64')].some((candidate) => {
    const wanted = Buffer.from(candidate, 'utf8');
    return wanted.length === received.length && timingSafeEqual(wanted, received);
  });
}

let t: TestSandbox;
let receiver: Server;
let hookUrl: string;
const deliveries: Delivery[] = [];

beforeAll(async () => {
  t = await startTestSandbox();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      deliveries.push({ raw, headers: req.headers, body: JSON.parse(raw.toString('utf8')) as Delivery['body'] });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kyc`;
});
afterAll(async () => {
  await t.close();
  await new Promise((r) => receiver.close(r));
});

/** Polls the receiver until the delivery arrives (the sandbox sends after its transaction commits). */
async function delivery(sessionId: string, event: string): Promise<Delivery> {
  const until = Date.now() + 10_000;
  for (;;) {
    const found = deliveries.find((d) => d.body.session_id === sessionId && d.body.event === event);
    if (found) return found;
    if (Date.now() > until) throw new Error(`no ${event} delivery for ${sessionId}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function session(): Promise<{ id: string; authId: string }> {
  const c = await createCustomer(t);
  const res = await t.api<{ session_id: string }>('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: c.authId, webhook_url: hookUrl, metadata: { workflowId: 'customer-c1', attempt: 1 } });
  expect(res.status).toBe(201);
  return { id: res.body.session_id, authId: c.authId };
}

function expectDocumented(d: Delivery, event: string, status: string): void {
  expect(issuesOf(KycWebhookPayload, d.body)).toEqual([]);
  for (const key of [...PARTNER_FLOW_KEYS, ...SUB_ACCOUNT_KEYS]) expect(d.body).toHaveProperty(key);
  expect(d.body).toMatchObject({ event, status, session_status: status });
  expect(d.headers['content-type']).toMatch(/^application\/json/);
  expect(d.headers['x-vobiz-event']).toBe(event);
  const signature = String(d.headers['x-vobiz-signature']);
  expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
  expect(n8nStyleVerify(d.raw, TEST_PARTNER.authToken, signature)).toBe(true);
  expect(n8nStyleVerify(d.raw, TEST_PARTNER.authToken, signature.slice('sha256='.length))).toBe(true); // bare hex too
}

describe('KYC webhook deliveries', () => {
  it('kyc.completed: the union payload with verified_data, signed', async () => {
    const s = await session();
    await t.admin.completeKyc(s.id, { pan: 'ABCPE1234K' });
    const d = await delivery(s.id, 'kyc.completed');
    expectDocumented(d, 'kyc.completed', 'kyc_completed');
    expect(d.body).toMatchObject({ account_auth_id: s.authId, kyc_type: 'individual', metadata: { workflowId: 'customer-c1', attempt: 1 } });
    expect(d.body.verified_data).toMatchObject({ pan_type: 'individual', completed_steps: ['pan', 'aadhaar'] });
  });

  it('kyc.failed carries the reason; kyc.session_revoked (explicit and superseded) carries it too', async () => {
    const failed = await session();
    await t.admin.failKyc(failed.id, 'Name mismatch');
    const f = await delivery(failed.id, 'kyc.failed');
    expectDocumented(f, 'kyc.failed', 'failed');
    expect(f.body.reason).toBe('Name mismatch');

    const revoked = await session();
    expect((await t.api('DELETE', `/api/v1/partner/kyc-sessions/${revoked.id}`, { reason: 'customer left' })).status).toBe(200);
    const r = await delivery(revoked.id, 'kyc.session_revoked');
    expectDocumented(r, 'kyc.session_revoked', 'revoked');
    expect(r.body.reason).toBe('customer left');

    const first = await session();
    await t.api('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: first.authId, webhook_url: hookUrl });
    const superseded = await delivery(first.id, 'kyc.session_revoked');
    expectDocumented(superseded, 'kyc.session_revoked', 'revoked');
    expect(superseded.body.reason).toBe('Superseded by a new KYC session');
  });

  it('kyc.session_expired at expires_at on the sandbox clock', async () => {
    const s = await session();
    await t.admin.advanceClock(8 * 86_400);
    expectDocumented(await delivery(s.id, 'kyc.session_expired'), 'kyc.session_expired', 'expired');
  });

  it('the verification rejects a changed body or another key', async () => {
    const s = await session();
    await t.admin.completeKyc(s.id);
    const d = await delivery(s.id, 'kyc.completed');
    const signature = String(d.headers['x-vobiz-signature']);
    const tampered = Buffer.from(d.raw.toString('utf8').replace('"kyc_completed"', '"revoked"'));
    expect(n8nStyleVerify(tampered, TEST_PARTNER.authToken, signature)).toBe(false);
    expect(n8nStyleVerify(d.raw, 'another-token', signature)).toBe(false);
  });
});

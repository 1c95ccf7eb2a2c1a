// Signature verification and webhook classification, without a server: the rules the bridge applies before
// anything reaches Temporal.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classifyKycWebhook, isCustomerWorkflowId, kycEventKey, toKycEventSignal } from '../../src/bridge/kyc-webhook.js';
import { decodeSignatureHeader, signVobizBody, verifyVobizSignature } from '../../src/bridge/signature.js';

const body = Buffer.from('{"event":"kyc.completed"}');
const hmac = (key: string) => createHmac('sha256', key).update(body).digest();

describe('X-Vobiz-Signature', () => {
  it.each([
    ['sha256=<hex>', `sha256=${hmac('k1').toString('hex')}`],
    ['bare hex', hmac('k1').toString('hex')],
    ['upper-case hex', hmac('k1').toString('hex').toUpperCase()],
    ['sha256=<base64>', `sha256=${hmac('k1').toString('base64')}`],
    ['bare base64', hmac('k1').toString('base64')],
    ['unpadded base64', hmac('k1').toString('base64').replace(/=+$/, '')],
  ])('accepts %s', (_name, header) => {
    expect(verifyVobizSignature(body, header, ['k1'])).toBe(true);
  });

  it('accepts any configured secret (rotation) and only those', () => {
    const header = signVobizBody(body, 'old');
    expect(verifyVobizSignature(body, header, ['new', 'old'])).toBe(true);
    expect(verifyVobizSignature(body, header, ['new'])).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['repeated header', [signVobizBody(body, 'k1'), signVobizBody(body, 'k1')]],
    ['truncated hex', `sha256=${hmac('k1').toString('hex').slice(0, 63)}`],
    ['sha1-length digest', `sha256=${'a'.repeat(40)}`],
    ['not a digest', 'sha256=hello'],
    ['other body', signVobizBody('{}', 'k1')],
  ])('rejects %s', (_name, header) => {
    expect(verifyVobizSignature(body, header, ['k1'])).toBe(false);
  });

  it('decodes only 32-byte digests', () => {
    expect(decodeSignatureHeader(`sha256=${'0'.repeat(64)}`)?.length).toBe(32);
    expect(decodeSignatureHeader('c2hvcnQ=')).toBeUndefined();
  });
});

const completed = {
  event: 'kyc.completed',
  session_id: 'sess-1',
  account_auth_id: 'MA_ABCDEFGH',
  session_status: 'kyc_completed',
  timestamp: '2025-06-01T10:00:00Z',
  metadata: { workflowId: 'customer-acme-0001', attempt: 1 },
  verified_data: { pan_number: 'ABCPD1234F' },
  customer_email: 'someone@example.com',
};

describe('classifyKycWebhook', () => {
  it('reads the sub-account shape (session_status) and keeps no personal data', () => {
    const result = classifyKycWebhook(completed);
    expect(result).toEqual({
      kind: 'relevant',
      webhook: {
        event: 'kyc.completed',
        sessionId: 'sess-1',
        accountAuthId: 'MA_ABCDEFGH',
        workflowId: 'customer-acme-0001',
        status: 'kyc_completed',
        occurredAt: '2025-06-01T10:00:00Z',
        occurredAtField: 'timestamp',
      },
    });
    if (result.kind !== 'relevant') throw new Error('unreachable');
    const signal = toKycEventSignal(result.webhook, new Date('2025-06-01T10:00:01Z'));
    expect(Object.keys(signal).sort()).toEqual(['accountAuthId', 'event', 'eventKey', 'receivedAt', 'sessionId', 'status']);
    expect(signal.accountAuthId).toBe('MA_ABCDEFGH'); // the workflow compares it with its own account
  });

  it('prefers status over session_status and updated_at when there is no timestamp', () => {
    const result = classifyKycWebhook({ ...completed, status: 'kyc_completed', session_status: 'other', timestamp: undefined, updated_at: '2025-06-01T11:00:00Z' });
    expect(result).toMatchObject({ kind: 'relevant', webhook: { status: 'kyc_completed', occurredAt: '2025-06-01T11:00:00Z', occurredAtField: 'updated_at' } });
  });

  it('ignores kyc.initiated / kyc.submitted, rejects unknown events, names missing fields', () => {
    expect(classifyKycWebhook({ event: 'kyc.initiated' })).toEqual({ kind: 'ignored', event: 'kyc.initiated' });
    expect(classifyKycWebhook({ event: 'kyc.submitted' })).toEqual({ kind: 'ignored', event: 'kyc.submitted' });
    expect(classifyKycWebhook({ event: 'kyc.unheard_of' })).toEqual({ kind: 'unknown_event', event: 'kyc.unheard_of' });
    const invalid = classifyKycWebhook({ event: 'kyc.failed', metadata: {} });
    expect(invalid.kind).toBe('invalid');
    if (invalid.kind !== 'invalid') throw new Error('unreachable');
    expect(invalid.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['session_id', 'account_auth_id', 'metadata.workflowId']));
    expect(classifyKycWebhook('kyc.completed')).toMatchObject({ kind: 'invalid', problems: [{ field: '(input)' }] });
  });

  it('event keys: equal for a redelivery, different when any fact differs', () => {
    const base = { event: 'kyc.completed' as const, sessionId: 's', status: 'kyc_completed', occurredAt: 't1' };
    expect(kycEventKey(base)).toBe(kycEventKey({ ...base }));
    for (const change of [{ event: 'kyc.failed' as const }, { sessionId: 's2' }, { status: 'revoked' }, { occurredAt: 't2' }]) {
      expect(kycEventKey({ ...base, ...change })).not.toBe(kycEventKey(base));
    }
  });

  it('accepts only customer-<customerRef> workflow IDs', () => {
    expect(isCustomerWorkflowId('customer-acme-0001')).toBe(true);
    for (const id of ['acme-0001', 'customer-', 'customer-../x', 'customer-9198765432100', 'billing-customer-acme']) {
      expect(isCustomerWorkflowId(id)).toBe(false);
    }
  });
});

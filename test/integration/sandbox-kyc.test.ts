/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- raw JSON responses are inspected field by field */
// KYC sessions and their webhooks: lifecycle, one active session per account, resend cooldown, expiry and reminders
// on the sandbox clock, and the X-Vobiz-Signature checked by an independent HMAC on a real HTTP receiver.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, startTestSandbox, TEST_PARTNER, type TestSandbox } from '../../sandbox/testing.js';

interface Received { raw: string; signature: string | undefined; body: any }

let t: TestSandbox;
let receiver: Server;
let hookUrl: string;
const received: Received[] = [];
let failNext = 0;

beforeAll(async () => {
  t = await startTestSandbox();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ raw, signature: req.headers['x-vobiz-signature'] as string | undefined, body: JSON.parse(raw) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kyc-webhook`;
});
afterAll(async () => {
  await t.close();
  await new Promise((r) => receiver.close(r));
});

async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
const eventFor = (sessionId: string, event: string) => waitFor(() => received.find((r) => r.body.session_id === sessionId && r.body.event === event));

async function newSession(extra: Record<string, unknown> = {}) {
  const c = await createCustomer(t);
  const res = await t.api('POST', '/api/v1/partner/kyc-sessions', {
    account_auth_id: c.authId, webhook_url: hookUrl, expires_in_days: 14,
    reminder_schedule: [{ trigger: 'days_before_expiry', value: 3 }, { trigger: 'days_before_expiry', value: 1 }], ...extra,
  });
  return { c, res, id: res.body.session_id as string };
}

describe('KYC sessions', () => {
  it('creates an email-flow session like the seed (Step 3) and writes the email to the outbox', async () => {
    const { c, res, id } = await newSession({ metadata: { crm_id: 'crm-42' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'email_sent', kyc_type: null, email_dispatched_to: `c***@example.com`, customer_email: c.email, widget_url: null, kyc_link: null, message: 'KYC email dispatched successfully', account_auth_id: c.authId });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const emails = await t.admin.outbox({ sessionId: id });
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ kind: 'kyc_link', to: c.email });
    expect(emails[0]?.link).toMatch(/\/kyc\/verify\?token=kst_[0-9a-f]{64}$/);
    const got = await t.api('GET', `/api/v1/partner/kyc-sessions/${id}`);
    expect(got.body).toMatchObject({ id, status: 'email_sent', metadata: { crm_id: 'crm-42' }, verified_data: null, first_opened_at: null, completed_at: null, webhook_url: hookUrl, redirect_url: null });
    expect(got.body.reminder_schedule).toHaveLength(2);
  });

  it('redirect flow returns link_ready with a widget_url and cannot be resent', async () => {
    const c = await createCustomer(t);
    const res = await t.api('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: c.authId, flow_type: 'redirect', redirect_url: 'https://partner.example/done' });
    expect(res.body).toMatchObject({ status: 'link_ready', email_dispatched_to: null, customer_email: null });
    expect(res.body.widget_url).toMatch(/\/kyc\/verify\?token=kst_[0-9a-f]{64}$/);
    const resend = await t.api('POST', `/api/v1/partner/kyc-sessions/${res.body.session_id}/resend`);
    expect(resend.status).toBe(400);
    expect(resend.body).toEqual({ error: 'HTTPError', message: 'Resend is not available for redirect-flow sessions - no email is associated with this session.', status_code: 400 });
  });

  it('validates the body: 404 foreign account, 422 expiry bounds, reminder shape, missing redirect_url', async () => {
    const c = await createCustomer(t);
    expect((await t.api('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: 'MA_NOTMINE1' })).status).toBe(404);
    for (const bad of [{ expires_in_days: 0 }, { expires_in_days: 366 }, { reminder_schedule: [{ trigger: 'hours', value: 1 }] }, { reminder_schedule: [{ trigger: 'days_before_expiry', value: 0 }] }, { flow_type: 'redirect' }]) {
      const res = await t.api('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: c.authId, ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(res.body.error).toBe('ValidationError');
    }
  });

  it('resend: 429 with Retry-After inside 30 min, 200 after, 409 once terminal', async () => {
    const { id } = await newSession();
    const early = await t.api('POST', `/api/v1/partner/kyc-sessions/${id}/resend`);
    expect(early.status).toBe(429);
    expect(early.body.message).toMatch(/^Email was sent recently\. Please wait \d+ seconds before resending\.$/);
    expect(early.body.retry_after_seconds).toBeGreaterThan(1790);
    expect(early.headers['retry-after']).toBe(String(early.body.retry_after_seconds));
    await t.admin.advanceClock(31 * 60);
    const ok = await t.api('POST', `/api/v1/partner/kyc-sessions/${id}/resend`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ message: 'KYC email re-sent', session_id: id });
    expect((await t.admin.outbox({ sessionId: id })).map((e) => e.kind)).toEqual(['kyc_link', 'kyc_resend']);
    await t.api('DELETE', `/api/v1/partner/kyc-sessions/${id}`);
    const term = await t.api('POST', `/api/v1/partner/kyc-sessions/${id}/resend`);
    expect(term.status).toBe(409);
    expect(term.body).toEqual({ error: 'HTTPError', message: "Cannot resend: session is 'revoked'", status_code: 409 });
  });

  it('lists with {sessions,total,page,size} and filters by status and account', async () => {
    const { c, id } = await newSession();
    const res = await t.api('GET', `/api/v1/partner/kyc-sessions?page=1&size=20&account_auth_id=${c.authId}`);
    expect(res.body).toMatchObject({ total: 1, page: 1, size: 20 });
    expect(res.body.sessions[0].id).toBe(id);
    const byStatus = await t.api('GET', '/api/v1/partner/kyc-sessions?status=email_sent&size=1');
    expect(byStatus.body.size).toBe(1);
    expect(byStatus.body.sessions.every((s: any) => s.status === 'email_sent')).toBe(true);
    expect((await t.api('GET', '/api/v1/partner/kyc-sessions?status=nonsense')).status).toBe(422);
  });
});

describe('KYC webhooks', () => {
  const verify = (r: Received) => {
    const expected = createHmac('sha256', TEST_PARTNER.authToken).update(r.raw).digest('hex');
    expect(r.signature).toBe(`sha256=${expected}`);
  };

  it('kyc.completed carries the union payload, a valid signature, and GET confirms it', async () => {
    const { c, id } = await newSession({ metadata: { ref: 'r1' } });
    await t.admin.openKyc(id);
    expect((await t.api('GET', `/api/v1/partner/kyc-sessions/${id}`)).body.status).toBe('opened');
    await t.admin.completeKyc(id, { pan: 'ABCPE1234K' });
    const hook = await eventFor(id, 'kyc.completed');
    verify(hook);
    expect(hook.body).toMatchObject({ event: 'kyc.completed', session_id: id, account_auth_id: c.authId, customer_email: c.email, kyc_type: 'individual', status: 'kyc_completed', session_status: 'kyc_completed', metadata: { ref: 'r1' } });
    expect(hook.body.verified_data).toMatchObject({ pan_type: 'individual', pan_name_match: true, completed_steps: ['pan', 'aadhaar'], pan_number: 'ABCPEXXXXX' });
    for (const key of ['timestamp', 'created_at', 'updated_at']) expect(hook.body).toHaveProperty(key);
    const session = await t.api('GET', `/api/v1/partner/kyc-sessions/${id}`);
    expect(session.body).toMatchObject({ status: 'kyc_completed', kyc_type: 'individual' });
    expect(session.body.completed_at).not.toBeNull();
    expect((await t.api('GET', `/api/v1/partner/accounts/${c.authId}`)).body.kyc_status).toBe('completed');
  });

  it('kyc.failed carries the reason; the session shows status failed', async () => {
    const { id } = await newSession();
    await t.admin.failKyc(id, 'Name mismatch');
    const hook = await eventFor(id, 'kyc.failed');
    verify(hook);
    expect(hook.body).toMatchObject({ status: 'failed', session_status: 'failed', reason: 'Name mismatch' });
    const publicView = (await t.api('GET', `/api/v1/partner/kyc-sessions/${id}`)).body;
    expect(publicView.status).toBe('failed');
    expect(publicView).not.toHaveProperty('failure_reason'); // sandbox bookkeeping stays on the admin view
    expect(await t.admin.kycSession(id)).toMatchObject({ status: 'failed', failure_reason: 'Name mismatch', flow_type: 'email' });
  });

  it('revoke with a reason fires kyc.session_revoked; a second revoke is 409; a new session auto-revokes the old one', async () => {
    const { c, id } = await newSession();
    const del = await t.api('DELETE', `/api/v1/partner/kyc-sessions/${id}`, { reason: 'Wrong email' });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: 'Session revoked', session_id: id });
    expect((await eventFor(id, 'kyc.session_revoked')).body.reason).toBe('Wrong email');
    const again = await t.api('DELETE', `/api/v1/partner/kyc-sessions/${id}`);
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'HTTPError', message: "Session is already in terminal status: 'revoked'", status_code: 409 });

    const first = await t.api('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: c.authId, webhook_url: hookUrl });
    const second = await t.api('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: c.authId, webhook_url: hookUrl });
    expect(second.status).toBe(201);
    const auto = await eventFor(first.body.session_id, 'kyc.session_revoked');
    expect(auto.body.status).toBe('revoked');
    expect((await t.api('GET', `/api/v1/partner/kyc-sessions/${second.body.session_id}`)).body.status).toBe('email_sent');
  });

  it('reminders go to the outbox before expiry and expiry fires kyc.session_expired (sandbox clock)', async () => {
    const { id } = await newSession({ expires_in_days: 5 });
    await t.admin.advanceClock(2.5 * 86_400); // 2.5 days before expiry: the 3-day reminder is due
    expect((await t.admin.outbox({ sessionId: id })).map((e) => e.kind)).toEqual(['kyc_link', 'kyc_reminder']);
    await t.admin.advanceClock(2 * 86_400); // 0.5 day left: the 1-day reminder
    expect((await t.admin.outbox({ sessionId: id })).filter((e) => e.kind === 'kyc_reminder')).toHaveLength(2);
    await t.admin.advanceClock(86_400);
    const hook = await eventFor(id, 'kyc.session_expired');
    verify(hook);
    expect(hook.body.status).toBe('expired');
    expect((await t.api('GET', `/api/v1/partner/kyc-sessions/${id}`)).body.status).toBe('expired');
  });

  it('retries non-2xx deliveries with backoff and records the attempts', async () => {
    failNext = 2;
    const { id } = await newSession();
    await t.admin.completeKyc(id);
    await eventFor(id, 'kyc.completed');
    const delivery = (await t.admin.webhookDeliveries()).find((d) => d.session_id === id && d.event === 'kyc.completed');
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 204 });
    expect(delivery?.attempt_log.map((a) => a.status_code)).toEqual([503, 503, 204]);
  });

  it('duplicate and reorder switches reach the receiver', async () => {
    await t.admin.setWebhookConfig({ duplicate: true, delayMs: 300, reorder: true });
    try {
      const { c } = await newSession();
      const s1 = (await t.api('GET', `/api/v1/partner/kyc-sessions?account_auth_id=${c.authId}`)).body.sessions[0].id as string;
      const s2 = (await t.api('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: c.authId, webhook_url: hookUrl })).body.session_id as string;
      await t.admin.completeKyc(s2);
      await waitFor(() => (received.filter((r) => r.body.session_id === s2 && r.body.event === 'kyc.completed').length === 2 ? true : undefined));
      await waitFor(() => (received.filter((r) => r.body.session_id === s1).length === 2 ? true : undefined));
      const order = received.filter((r) => r.body.session_id === s1 || r.body.session_id === s2).map((r) => r.body.event);
      expect(order[0]).toBe('kyc.completed'); // the later event arrives first
    } finally {
      await t.admin.setWebhookConfig({ duplicate: false, delayMs: 0, reorder: false });
    }
  });
});

// KYC webhooks through the real bridge into a real Temporal server: every bad delivery gets its status and delivers
// nothing; good ones reach the workflow (the kycEvent Update) once Temporal has them, stripped of personal data;
// duplicates, other accounts' events and events the workflow is not waiting on are acknowledged without reaching
// its history; stale event times are refused; each customer's deliveries are rate-limited.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge } from '../../src/bridge/server.js';
import { loadBridgeConfig } from '../../src/config/bridge.js';
import { kycEventKey } from '../../src/bridge/kyc-webhook.js';
import { kycEventSignal, statusQuery, type KycEventSignal } from '../../src/workflows/messages.js';
import { ACTIVE_PREFIX, LEGACY_PREFIX, fixtureAuthId, receivedSignalsQuery } from '../fixtures/bridge-workflows.js';
import { OLD_WEBHOOK_SECRET, WEBHOOK_SECRET, captureLogger, startBridgeHarness, type BridgeHarness } from '../fixtures/bridge-harness.js';

const PATH = '/webhooks/vobiz/kyc';
const EMAIL = 'asha.tester@example.com';
const PAN = 'ABCPT1234Z';
const sign = (body: string, secret = WEBHOOK_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

let h: BridgeHarness;
let ref: string;

/** An event time `minutesAgo` before now (deliveries older than BRIDGE_WEBHOOK_MAX_AGE are refused). */
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

function payload(customerRef: string, overrides: Record<string, unknown> = {}) {
  return {
    event: 'kyc.completed',
    timestamp: ago(1),
    session_id: '5b0e7c55-0000-4000-8000-000000000001',
    account_auth_id: fixtureAuthId(customerRef),
    customer_email: EMAIL,
    kyc_type: 'individual',
    status: 'kyc_completed',
    session_status: 'kyc_completed',
    metadata: { workflowId: `customer-${customerRef}`, attempt: 1 },
    verified_data: { pan_type: 'individual', pan_number: PAN, aadhaar_name: 'Asha Tester', masked_aadhaar: '9942' },
    created_at: ago(60),
    updated_at: ago(1),
    ...overrides,
  };
}

async function post(body: string, headers: Record<string, string>, url = h.bridge.url) {
  const res = await request(`${url}${PATH}`, { method: 'POST', body, headers });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown>, retryAfter: res.headers['retry-after'] };
}

const signedJson = (value: unknown) => {
  const body = JSON.stringify(value);
  return { body, headers: { 'content-type': 'application/json', 'x-vobiz-signature': sign(body) } };
};

async function startFixture(customerRef: string) {
  await h.client.workflow.start('customerLifecycle', {
    workflowId: `customer-${customerRef}`,
    taskQueue: h.taskQueue,
    args: [{ customerRef }],
  });
  // The first query waits for the first workflow task: the search attribute is set by then.
  await h.client.workflow.getHandle(`customer-${customerRef}`).query(statusQuery);
}

async function observed(customerRef: string): Promise<{ received: KycEventSignal[]; eventsSeen: number }> {
  const handle = h.client.workflow.getHandle(`customer-${customerRef}`);
  const [received, state] = await Promise.all([handle.query(receivedSignalsQuery), handle.query(statusQuery)]);
  return { received, eventsSeen: state.kyc.eventsSeen };
}

beforeAll(async () => {
  h = await startBridgeHarness();
  ref = `it-${randomBytes(4).toString('hex')}`;
  await startFixture(ref);
});

afterAll(async () => {
  await h?.close();
});

describe('bad deliveries: the status says why, and nothing is signalled', () => {
  const oversized = () => JSON.stringify(payload(ref, { padding: 'x'.repeat(10 * 1024) }));
  const rows: { name: string; make: () => { body: string; headers: Record<string, string> }; status: number; error?: string; ignored?: string }[] = [
    { name: 'missing signature', make: () => ({ body: JSON.stringify(payload(ref)), headers: { 'content-type': 'application/json' } }), status: 401, error: 'invalid_signature' },
    {
      name: 'forged signature (wrong key)',
      make: () => {
        const body = JSON.stringify(payload(ref));
        return { body, headers: { 'content-type': 'application/json', 'x-vobiz-signature': sign(body, 'attacker-guess') } };
      },
      status: 401,
      error: 'invalid_signature',
    },
    {
      name: 'signature of another body (tampered)',
      make: () => {
        const body = JSON.stringify(payload(ref));
        return { body: body.replace('kyc.completed', 'kyc.failed'), headers: { 'content-type': 'application/json', 'x-vobiz-signature': sign(body) } };
      },
      status: 401,
      error: 'invalid_signature',
    },
    { name: 'garbage signature header', make: () => ({ body: '{}', headers: { 'content-type': 'application/json', 'x-vobiz-signature': 'sha256=nothex' } }), status: 401, error: 'invalid_signature' },
    { name: 'body over the limit (even if signed)', make: () => ({ body: oversized(), headers: { 'content-type': 'application/json', 'x-vobiz-signature': sign(oversized()) } }), status: 413, error: 'payload_too_large' },
    { name: 'invalid JSON (signed)', make: () => ({ body: '{"event":', headers: { 'content-type': 'application/json', 'x-vobiz-signature': sign('{"event":') } }), status: 400, error: 'invalid_json' },
    {
      name: 'wrong content type (signed)',
      make: () => {
        const body = JSON.stringify(payload(ref));
        return { body, headers: { 'content-type': 'text/plain', 'x-vobiz-signature': sign(body) } };
      },
      status: 415,
      error: 'unsupported_media_type',
    },
    {
      name: 'form-encoded content type (signed)',
      make: () => ({ body: 'event=kyc.completed', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-vobiz-signature': sign('event=kyc.completed') } }),
      status: 415,
      error: 'unsupported_media_type',
    },
    {
      name: 'no content type (signed)',
      make: () => {
        const body = JSON.stringify(payload(ref));
        return { body, headers: { 'x-vobiz-signature': sign(body) } };
      },
      status: 415,
      error: 'unsupported_media_type',
    },
    { name: 'unknown event type', make: () => signedJson(payload(ref, { event: 'kyc.exploded' })), status: 400, error: 'unknown_event' },
    { name: 'garbage event type', make: () => signedJson(payload(ref, { event: 42 })), status: 400, error: 'invalid_payload' },
    { name: 'JSON that is not an object', make: () => signedJson(['kyc.completed']), status: 400, error: 'invalid_payload' },
    { name: 'known but irrelevant event (kyc.initiated)', make: () => signedJson(payload(ref, { event: 'kyc.initiated', status: 'email_sent' })), status: 200, ignored: 'irrelevant_event' },
    { name: 'known but irrelevant event (kyc.submitted)', make: () => signedJson(payload(ref, { event: 'kyc.submitted' })), status: 200, ignored: 'irrelevant_event' },
    { name: 'missing session_id', make: () => signedJson(payload(ref, { session_id: undefined })), status: 400, error: 'invalid_payload' },
    { name: 'missing metadata.workflowId', make: () => signedJson(payload(ref, { metadata: { attempt: 1 } })), status: 400, error: 'invalid_payload' },
    { name: 'metadata.workflowId not a customer workflow', make: () => signedJson(payload(ref, { metadata: { workflowId: 'billing-run-7' } })), status: 422, error: 'workflow_mismatch' },
    { name: 'unknown workflow', make: () => signedJson(payload('nobody-here', { account_auth_id: fixtureAuthId('nobody-here') })), status: 200, ignored: 'workflow_not_found' },
  ];

  it.each(rows)('$name → $status', async (row) => {
    const before = await observed(ref);
    const { body, headers } = row.make();
    const res = await post(body, headers);
    expect(res.status).toBe(row.status);
    delete res.retryAfter;
    if (row.error) {
      expect(res.body).toMatchObject({ error: row.error });
      expect(res.body.field).toEqual(expect.any(String));
      expect(res.body.rule).toEqual(expect.any(String));
    }
    if (row.ignored) expect(res.body).toEqual({ ok: true, ignored: row.ignored });
    expect(await observed(ref)).toEqual(before);
  });
});

describe('good deliveries', () => {
  it('delivers the event (the kycEvent Update) once Temporal accepts it, with no personal data', async () => {
    const before = await observed(ref);
    const { body, headers } = signedJson(payload(ref, { session_id: 'sess-good' }));
    const res = await post(body, headers);
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    const after = await observed(ref);
    expect(after.eventsSeen).toBe(before.eventsSeen + 1);
    const signal = after.received.at(-1)!;
    expect(Object.keys(signal).sort()).toEqual(['accountAuthId', 'event', 'eventKey', 'receivedAt', 'sessionId', 'status']);
    expect(signal).toMatchObject({ event: 'kyc.completed', sessionId: 'sess-good', status: 'kyc_completed', accountAuthId: fixtureAuthId(ref) });
    expect(signal.eventKey).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(signal)).not.toMatch(new RegExp(`${EMAIL}|${PAN}|Asha|verified`));
  });

  it('accepts base64 digests, a bare hex digest, charset parameters and the previous (rotated) secret', async () => {
    const variants = [
      (body: string) => createHmac('sha256', WEBHOOK_SECRET).update(body).digest('base64'),
      (body: string) => `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('base64')}`,
      (body: string) => createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex'),
      (body: string) => sign(body, OLD_WEBHOOK_SECRET),
    ];
    for (const [i, signature] of variants.entries()) {
      const body = JSON.stringify(payload(ref, { session_id: `sess-variant-${i}` }));
      const res = await post(body, { 'content-type': 'application/json; charset=utf-8', 'x-vobiz-signature': signature(body) });
      expect(res.status).toBe(200);
    }
  });

  it('duplicate delivery: delivered once, the repeat acknowledged as a duplicate (this bridge remembers the key)', async () => {
    const before = await observed(ref);
    const { body, headers } = signedJson(payload(ref, { session_id: 'sess-dup' }));
    expect((await post(body, headers)).body).toEqual({ ok: true });
    expect((await post(body, headers)).body).toEqual({ ok: true, ignored: 'duplicate' });
    const after = await observed(ref);
    expect(after.received.length).toBe(before.received.length + 1);
    expect(after.eventsSeen).toBe(before.eventsSeen + 1);
  });

  it('a copy at another bridge (which never saw it) attaches to the first Update (its ID is the event key): no history event', async () => {
    const other = await startBridge({
      config: { bridge: { ...h.bridgeConfig, webhookGuards: { ...h.bridgeConfig.webhookGuards, recentKeys: 0 } }, onboarding: h.onboarding, temporal: { taskQueue: h.taskQueue } },
      client: h.client,
      logger: captureLogger([]),
    });
    try {
      const handle = h.client.workflow.getHandle(`customer-${ref}`);
      const { body, headers } = signedJson(payload(ref, { session_id: 'sess-two-bridges' }));
      expect((await post(body, headers)).body).toEqual({ ok: true });
      const before = { ...(await observed(ref)), events: (await handle.fetchHistory()).events!.length };
      for (let i = 0; i < 3; i++) expect((await post(body, headers, other.url)).body).toEqual({ ok: true });
      expect({ ...(await observed(ref)), events: (await handle.fetchHistory()).events!.length }).toEqual(before);
    } finally {
      await other.close();
    }
  });

  it('an event the workflow already took in another way (an older bridge\'s signal, an earlier run): its validator refuses it, no history event', async () => {
    const handle = h.client.workflow.getHandle(`customer-${ref}`);
    const p = payload(ref, { session_id: 'sess-taken-by-signal' });
    const { body, headers } = signedJson(p);
    const eventKey = kycEventKey({ event: 'kyc.completed', sessionId: 'sess-taken-by-signal', status: p.status, occurredAt: p.timestamp });
    await handle.signal(kycEventSignal, { eventKey, event: 'kyc.completed', sessionId: 'sess-taken-by-signal', accountAuthId: fixtureAuthId(ref), receivedAt: new Date().toISOString() });
    const before = { ...(await observed(ref)), events: (await handle.fetchHistory()).events!.length };
    expect((await post(body, headers)).body).toEqual({ ok: true, ignored: 'duplicate' });
    expect({ ...(await observed(ref)), events: (await handle.fetchHistory()).events!.length }).toEqual(before);
  });

  it('a redelivery with the same facts but re-serialised keys still dedupes', async () => {
    const before = await observed(ref);
    const first = payload(ref, { session_id: 'sess-reserialised' });
    const reordered = Object.fromEntries(Object.entries(first).reverse());
    const answers = [];
    for (const p of [first, reordered]) {
      const { body, headers } = signedJson(p);
      answers.push((await post(body, headers)).body);
    }
    expect(answers).toEqual([{ ok: true }, { ok: true, ignored: 'duplicate' }]);
    expect((await observed(ref)).eventsSeen).toBe(before.eventsSeen + 1);
  });

  it('out-of-order: a later event first, then an earlier one; both are passed on as distinct events', async () => {
    const before = await observed(ref);
    const later = signedJson(payload(ref, { session_id: 'sess-order', event: 'kyc.session_revoked', status: 'revoked', timestamp: ago(1) }));
    const earlier = signedJson(payload(ref, { session_id: 'sess-order', event: 'kyc.completed', status: 'kyc_completed', timestamp: ago(2) }));
    expect((await post(later.body, later.headers)).status).toBe(200);
    expect((await post(earlier.body, earlier.headers)).status).toBe(200);
    const after = await observed(ref);
    expect(after.eventsSeen).toBe(before.eventsSeen + 2);
    expect(after.received.slice(-2).map((s) => s.event)).toEqual(['kyc.session_revoked', 'kyc.completed']);
  });

  it('another account: refused by the workflow (the bridge does not look it up), acknowledged, nothing taken in', async () => {
    const before = await observed(ref);
    const { body, headers } = signedJson(payload(ref, { session_id: 'sess-foreign', account_auth_id: 'MA_SOMEONE1' }));
    expect(await post(body, headers)).toMatchObject({ status: 200, body: { ok: true, ignored: 'other_account' } });
    expect(await observed(ref)).toEqual(before);
  });

  it('a customer not waiting in KYC: refused by the workflow, acknowledged, nothing taken in', async () => {
    const active = `${ACTIVE_PREFIX}it-${randomBytes(3).toString('hex')}`;
    await startFixture(active);
    const { body, headers } = signedJson(payload(active));
    expect(await post(body, headers)).toMatchObject({ status: 200, body: { ok: true, ignored: 'not_waiting' } });
    expect((await observed(active)).received).toEqual([]);
  });

  it('a worker from before the kycEvent Update (rolling deploy): the bridge falls back to the signal', async () => {
    const legacy = `${LEGACY_PREFIX}it-${randomBytes(3).toString('hex')}`;
    await startFixture(legacy);
    const { body, headers } = signedJson(payload(legacy, { session_id: 'sess-legacy' }));
    expect(await post(body, headers)).toMatchObject({ status: 200, body: { ok: true } });
    const after = await observed(legacy);
    expect(after.received).toEqual([expect.objectContaining({ sessionId: 'sess-legacy', accountAuthId: fixtureAuthId(legacy) })]);
    expect(after.eventsSeen).toBe(1);
  });

  it('a closed workflow: 200 ignored (so Vobiz stops retrying), logged at warn', async () => {
    const closed = `it-closed-${randomBytes(3).toString('hex')}`;
    await startFixture(closed);
    const handle = h.client.workflow.getHandle(`customer-${closed}`);
    await handle.executeUpdate('offboard', { args: [{ reason: 'test' }] });
    await handle.result();
    const { body, headers } = signedJson(payload(closed));
    expect(await post(body, headers)).toEqual({ status: 200, body: { ok: true, ignored: 'workflow_not_found' } });
    expect(h.logLines.some((l) => l.includes('"level":"warn"') && l.includes(`customer-${closed}`) && l.includes('closed or unknown'))).toBe(true);
  });

  it('never logs bodies: no e-mail, PAN or name in any log line', () => {
    expect(h.logLines.length).toBeGreaterThan(0);
    for (const line of h.logLines) expect(line).not.toMatch(new RegExp(`${EMAIL}|${PAN}|Asha Tester|${WEBHOOK_SECRET}`));
  });
});

describe('stale deliveries: refused before any Temporal call, naming the field and the rule', () => {
  const stale: { name: string; overrides: Record<string, unknown>; status: number; error: string; field: string }[] = [
    { name: 'timestamp two days old', overrides: { timestamp: ago(2 * 24 * 60) }, status: 422, error: 'stale_event', field: 'timestamp' },
    { name: 'only updated_at, two days old', overrides: { timestamp: undefined, updated_at: ago(2 * 24 * 60) }, status: 422, error: 'stale_event', field: 'updated_at' },
    { name: 'timestamp an hour ahead', overrides: { timestamp: new Date(Date.now() + 3_600_000).toISOString() }, status: 422, error: 'stale_event', field: 'timestamp' },
    { name: 'timestamp not a date-time', overrides: { timestamp: 'yesterday' }, status: 400, error: 'invalid_payload', field: 'timestamp' },
  ];
  it.each(stale)('$name → $status $error', async (row) => {
    const before = await observed(ref);
    const { body, headers } = signedJson(payload(ref, { session_id: `sess-stale-${row.field}`, ...row.overrides }));
    const res = await post(body, headers);
    expect(res).toMatchObject({ status: row.status, body: { error: row.error, field: row.field } });
    expect(res.body.rule).toEqual(expect.any(String));
    if (row.error === 'stale_event') expect(res.body.rule).toMatch(/BRIDGE_WEBHOOK_MAX_AGE/);
    expect(await observed(ref)).toEqual(before);
  });

  it('a delivery within the window (an hour old, or a minute ahead) is delivered', async () => {
    for (const [i, timestamp] of [ago(60), new Date(Date.now() + 60_000).toISOString()].entries()) {
      const { body, headers } = signedJson(payload(ref, { session_id: `sess-fresh-${i}`, timestamp }));
      expect((await post(body, headers)).body).toEqual({ ok: true });
    }
  });
});

describe('deliveries per customer are rate-limited', () => {
  it('past the burst: 429 with Retry-After, nothing delivered; other customers and known replays are unaffected', async () => {
    const limited = await startBridge({
      config: { bridge: { ...h.bridgeConfig, webhookGuards: { ...h.bridgeConfig.webhookGuards, customerBurst: 3, customerPerMinute: 1 } }, onboarding: h.onboarding, temporal: { taskQueue: h.taskQueue } },
      client: h.client,
      logger: captureLogger([]),
    });
    try {
      const busy = `it-busy-${randomBytes(3).toString('hex')}`;
      const calm = `it-calm-${randomBytes(3).toString('hex')}`;
      await startFixture(busy);
      await startFixture(calm);
      const delivery = (customerRef: string, i: number) => signedJson(payload(customerRef, { session_id: `sess-rate-${i}` }));
      const answers = [];
      const sent = Array.from({ length: 5 }, (_, i) => delivery(busy, i));
      for (const { body, headers } of sent) answers.push(await post(body, headers, limited.url));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
      expect(answers[3]!.body).toMatchObject({ error: 'rate_limited', field: 'metadata.workflowId' });
      expect(answers[3]!.body.rule).toMatch(/BRIDGE_WEBHOOK_CUSTOMER_BURST/);
      expect(Number(answers[3]!.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(answers[3]!.retryAfter)).toBeLessThanOrEqual(60);
      expect((await observed(busy)).received.map((e) => e.sessionId)).toEqual(['sess-rate-0', 'sess-rate-1', 'sess-rate-2']);

      // A replay of a delivered event costs no token: still acknowledged as a duplicate.
      expect((await post(sent[0]!.body, sent[0]!.headers, limited.url)).body).toEqual({ ok: true, ignored: 'duplicate' });
      // Another customer has its own bucket.
      const other = delivery(calm, 0);
      expect((await post(other.body, other.headers, limited.url)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('no worker answers', () => {
  it('the Update waits for a worker: none within the deadline → 503 (Vobiz retries), nothing delivered', async () => {
    const stranded = `it-stranded-${randomBytes(3).toString('hex')}`;
    // A workflow on a task queue nobody polls: Temporal accepts the Update request but no worker can answer it.
    await h.client.workflow.start('customerLifecycle', { workflowId: `customer-${stranded}`, taskQueue: `${h.taskQueue}-nobody`, args: [{ customerRef: stranded }] });
    const bridge = await startBridge({
      config: { bridge: h.bridgeConfig, onboarding: h.onboarding, temporal: { taskQueue: h.taskQueue } },
      client: h.client,
      logger: captureLogger([]),
      temporalTimeoutMs: 1_500,
    });
    try {
      const { body, headers } = signedJson(payload(stranded));
      const res = await post(body, headers, bridge.url);
      expect(res).toMatchObject({ status: 503, body: { error: 'temporal_unavailable' } });
      const history = await h.client.workflow.getHandle(`customer-${stranded}`).fetchHistory();
      expect(history.events!.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionSignaledEventAttributes)).toBe(false);
    } finally {
      await bridge.close();
      await h.client.workflow.getHandle(`customer-${stranded}`).terminate('test over');
    }
  });
});

describe('Temporal unreachable', () => {
  it('answers 503 (so Vobiz retries), /readyz 503, /healthz 200', async () => {
    const port = await freePort();
    const connection = Connection.lazy({ address: `127.0.0.1:${port}` });
    const client = new Client({ connection, namespace: 'default' });
    const lines: string[] = [];
    const bridge = await startBridge({
      config: { bridge: { ...loadBridgeConfig({ BRIDGE_METRICS: 'false' }).bridge, port: 0, webhookSecrets: [WEBHOOK_SECRET] }, onboarding: loadBridgeConfig({}).onboarding, temporal: { taskQueue: 'unused' } },
      client,
      logger: captureLogger(lines),
      temporalTimeoutMs: 1_500,
    });
    try {
      const { body, headers } = signedJson(payload(ref));
      const res = await post(body, headers, bridge.url);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'temporal_unavailable' });
      expect((await request(`${bridge.url}/readyz`)).statusCode).toBe(503);
      expect((await request(`${bridge.url}/healthz`)).statusCode).toBe(200);

      // Graceful shutdown: a request in flight when close() is called still gets its answer.
      const inFlight = post(body, headers, bridge.url);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const closing = bridge.close();
      expect((await inFlight).status).toBe(503);
      await closing;
    } finally {
      await bridge.close();
      await connection.close().catch(() => undefined);
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// BRIDGE_WEBHOOK_SIGNATURE: a KYC webhook without a signature is refused by default and taken as a hint with
// `optional` (delivered to the workflow, counted `unsigned`, under every flood limit); a signature that is present
// and wrong is refused either way; refusals for the signature are counted and logged at error once per burst. The
// sandbox's unsigned mode sends real deliveries without the header, to both kinds of bridge.
import { createHmac, randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RunningBridge } from '../../src/bridge/server.js';
import { statusQuery, type KycEventSignal } from '../../src/workflows/messages.js';
import { createCustomer, startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';
import { fixtureAuthId, receivedSignalsQuery } from '../fixtures/bridge-workflows.js';
import { WEBHOOK_SECRET, captureLogger, startBridgeHarness, type BridgeHarness } from '../fixtures/bridge-harness.js';
import { scrape, total } from '../support/prometheus.js';

const PATH = '/webhooks/vobiz/kyc';
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const sign = (body: string, secret = WEBHOOK_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

let h: BridgeHarness;
/** A second bridge on the same Temporal and task queue, with BRIDGE_WEBHOOK_SIGNATURE=optional. */
let optional: RunningBridge;
const optionalLog: string[] = [];

function payload(customerRef: string, overrides: Record<string, unknown> = {}) {
  return {
    event: 'kyc.completed',
    timestamp: ago(1),
    session_id: `5b0e7c55-0000-4000-8000-${randomBytes(6).toString('hex')}`,
    account_auth_id: fixtureAuthId(customerRef),
    status: 'kyc_completed',
    metadata: { workflowId: `customer-${customerRef}`, attempt: 1 },
    ...overrides,
  };
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await request(`${url}${PATH}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

async function startFixture(fixture?: { authId: string }): Promise<string> {
  const ref = `sig-${randomBytes(4).toString('hex')}`;
  await h.client.workflow.start('customerLifecycle', { workflowId: `customer-${ref}`, taskQueue: h.taskQueue, args: [{ customerRef: ref, ...(fixture ? { fixture } : {}) }] });
  await h.client.workflow.getHandle(`customer-${ref}`).query(statusQuery);
  return ref;
}

const received = (ref: string): Promise<KycEventSignal[]> => h.client.workflow.getHandle(`customer-${ref}`).query(receivedSignalsQuery);
const webhookCount = async (metricsUrl: string | undefined, outcome: string) => total((await scrape(`${metricsUrl}/metrics`)).samples, 'vobiz_bridge_kyc_webhooks_total', { outcome });

beforeAll(async () => {
  h = await startBridgeHarness();
  optional = await startBridge({
    config: { bridge: { ...h.bridgeConfig, port: 0, webhookSignature: 'optional' }, onboarding: h.onboarding, temporal: { taskQueue: h.taskQueue } },
    client: h.client,
    logger: captureLogger(optionalLog),
  });
});

afterAll(async () => {
  await optional?.close();
  await h?.close();
});

describe('BRIDGE_WEBHOOK_SIGNATURE', () => {
  it('refuses an unsigned delivery by default, takes it as a hint with `optional` (counted unsigned), and refuses a wrong signature in both', async () => {
    const ref = await startFixture();
    const event = payload(ref);
    const body = JSON.stringify(event);

    // required (the default): 401, nothing delivered, counted bad_signature.
    const refusedBefore = await webhookCount(h.bridge.metricsUrl, 'bad_signature');
    expect(await post(h.bridge.url, body)).toMatchObject({ status: 401, body: { error: 'invalid_signature', field: 'x-vobiz-signature' } });
    expect(await received(ref)).toEqual([]);
    expect(await webhookCount(h.bridge.metricsUrl, 'bad_signature')).toBe(refusedBefore + 1);

    // optional: a signature that is present and wrong (another key, empty, not a digest, given twice) is refused …
    for (const headers of [{ 'x-vobiz-signature': sign(body, 'not-the-partner-token') }, { 'x-vobiz-signature': '' }, { 'x-vobiz-signature': 'sha256=00' }]) {
      expect((await post(optional.url, body, headers)).status).toBe(401);
    }
    const twice = await request(`${optional.url}${PATH}`, { method: 'POST', body, headers: ['content-type', 'application/json', 'x-vobiz-signature', sign(body), 'x-vobiz-signature', sign(body)] });
    expect(twice.statusCode).toBe(401);
    await twice.body.dump();
    expect(await received(ref)).toEqual([]);

    // … and none at all is a hint: delivered to the workflow, counted `unsigned` besides `delivered`.
    const [unsignedBefore, deliveredBefore] = [await webhookCount(optional.metricsUrl, 'unsigned'), await webhookCount(optional.metricsUrl, 'delivered')];
    expect(await post(optional.url, body)).toEqual({ status: 200, body: { ok: true } });
    expect((await received(ref)).map((e) => e.sessionId)).toEqual([event.session_id]);
    expect(await webhookCount(optional.metricsUrl, 'unsigned')).toBe(unsignedBefore + 1);
    expect(await webhookCount(optional.metricsUrl, 'delivered')).toBe(deliveredBefore + 1);
  });

  it('keeps every flood limit on unsigned deliveries: replay memory, stale time, the workflow\'s validator', async () => {
    const ref = await startFixture();
    const event = JSON.stringify(payload(ref));
    expect((await post(optional.url, event)).body).toEqual({ ok: true });
    expect((await post(optional.url, event)).body).toEqual({ ok: true, ignored: 'duplicate' });
    const stale = await post(optional.url, JSON.stringify(payload(ref, { timestamp: ago(25 * 60) })));
    expect(stale).toMatchObject({ status: 422, body: { error: 'stale_event' } });
    const otherAccount = await post(optional.url, JSON.stringify(payload(ref, { account_auth_id: 'MA_SOMEONEX' })));
    expect(otherAccount).toEqual({ status: 200, body: { ok: true, ignored: 'other_account' } });
    expect(await received(ref)).toHaveLength(1);
  });

  it('logs refusals for the signature at error once per burst, and counts each', async () => {
    const ref = await startFixture();
    const refusalErrors = () =>
      h.logLines.map((l) => JSON.parse(l) as { level: string; msg: string; refused?: Record<string, number> }).filter((l) => l.level === 'error' && l.msg.includes('refused for their signature'));
    const before = await webhookCount(h.bridge.metricsUrl, 'bad_signature');
    const body = JSON.stringify(payload(ref));
    for (let i = 0; i < 5; i++) {
      const res = await post(h.bridge.url, body, { 'x-vobiz-signature': sign(body, `forged-${i}`) });
      expect(res.status).toBe(401);
    }
    expect(await webhookCount(h.bridge.metricsUrl, 'bad_signature')).toBe(before + 5);
    // The first test's refusal started this burst (seconds ago): one error line for all six, the rest at debug.
    const errors = refusalErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ refused: { missing: 1, mismatch: 0 } });
    expect(h.logLines.filter((l) => l.includes('"problem":"mismatch"') && l.includes('"level":"debug"'))).toHaveLength(5);
  });
});

describe("the sandbox's unsigned mode", () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A sandbox KYC session for a fixture customer on that sandbox account, completed; its webhook goes to `bridgeUrl`. */
  async function completedSession(bridgeUrl: string): Promise<{ ref: string; sessionId: string }> {
    const customer = await createCustomer(t);
    const ref = await startFixture({ authId: customer.authId });
    const res = await t.api('POST', '/api/v1/partner/kyc-sessions', {
      account_auth_id: customer.authId,
      webhook_url: `${bridgeUrl}${PATH}`,
      expires_in_days: 14,
      metadata: { workflowId: `customer-${ref}`, attempt: 1 },
    });
    const sessionId = (res.body as { session_id: string }).session_id;
    await t.admin.openKyc(sessionId);
    await t.admin.completeKyc(sessionId);
    return { ref, sessionId };
  }

  const delivery = async (sessionId: string) => {
    for (let i = 0; i < 200; i++) {
      const found = (await t.admin.webhookDeliveries()).find((d) => d.session_id === sessionId && d.event === 'kyc.completed' && d.attempts > 0);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no delivery attempt for ${sessionId}`);
  };

  it('sends deliveries without X-Vobiz-Signature: refused by a default bridge, taken by an optional one', async () => {
    expect(await t.admin.setWebhookConfig({ unsigned: true })).toMatchObject({ unsigned: true });

    const refused = await completedSession(h.bridge.url);
    const first = await delivery(refused.sessionId);
    expect(first).toMatchObject({ signature: '', last_status_code: 401 });
    expect(await received(refused.ref)).toEqual([]);

    const taken = await completedSession(optional.url);
    expect(await delivery(taken.sessionId)).toMatchObject({ signature: '', status: 'delivered', last_status_code: 200 });
    expect((await received(taken.ref)).map((e) => [e.event, e.sessionId])).toEqual([['kyc.completed', taken.sessionId]]);

    // Back to signed: the sandbox signs new events again.
    expect(await t.admin.setWebhookConfig({ unsigned: false })).toMatchObject({ unsigned: false });
  });
});

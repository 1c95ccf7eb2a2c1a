// The start API through the typed client, against a real bridge and Temporal server (fixture workflow): auth,
// validation, idempotent start, conflicts, stage-gated updates, and no personal data in Temporal's metadata; the
// limits at the edge (opening balance cap, alert webhook targets, free text, production floors) and idempotency
// keys scoped by action.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidRequestError,
  NotAllowedError,
  NotFoundError,
  OnboardingClient,
  UnauthorizedError,
  type OnboardingRequest,
} from '../../src/client/index.js';
import { MEMO_FINGERPRINT, MEMO_START_REQUEST } from '../../src/onboarding/start.js';
import { STAGE } from '../../src/workflows/search-attributes.js';
import { API_TOKEN, startBridgeHarness, type BridgeHarness } from '../fixtures/bridge-harness.js';

const example = JSON.parse(readFileSync(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as OnboardingRequest;
const fresh = (overrides: Partial<OnboardingRequest> = {}): OnboardingRequest => ({
  ...example,
  customerRef: `api-${randomBytes(4).toString('hex')}`,
  ...overrides,
});

let h: BridgeHarness;
let api: OnboardingClient;
/** A bridge with production's rules, whose DNS resolves every alert host name to loopback (a hostile record). */
let prod: BridgeHarness;
let prodApi: OnboardingClient;

beforeAll(async () => {
  [h, prod] = await Promise.all([
    startBridgeHarness(),
    startBridgeHarness({}, { production: true, resolveHost: async () => [{ address: '127.0.0.1', family: 4 }] }),
  ]);
  api = new OnboardingClient({ baseUrl: h.bridge.url, token: API_TOKEN });
  prodApi = new OnboardingClient({ baseUrl: prod.bridge.url, token: API_TOKEN });
});
afterAll(async () => {
  await Promise.all([h?.close(), prod?.close()]);
});

/** The 400 a start gets, having started nothing. */
async function refusedStart(client: OnboardingClient, input: OnboardingRequest): Promise<InvalidRequestError> {
  const err = (await client.start(input).catch((e: unknown) => e)) as InvalidRequestError;
  expect(err).toBeInstanceOf(InvalidRequestError);
  expect(err).toMatchObject({ status: 400, code: 'invalid_input' });
  await expect(client.getStatus(input.customerRef)).rejects.toBeInstanceOf(NotFoundError);
  return err;
}

describe('a customer whose worker is stopped', () => {
  it('GET /onboardings/{ref} names the missing worker (503 worker_unavailable), not Temporal', async () => {
    const customerRef = `noworker-${randomBytes(4).toString('hex')}`;
    // Started on a task queue nobody polls: Temporal has the workflow; no worker can answer its query.
    const handle = await h.client.workflow.start('customerLifecycle', { taskQueue: `${h.taskQueue}-stopped`, workflowId: `customer-${customerRef}`, args: [fresh({ customerRef })] });
    try {
      const res = await request(`${h.bridge.url}/onboardings/${customerRef}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      expect(res.statusCode).toBe(503);
      expect(await res.body.json()).toMatchObject({
        error: 'worker_unavailable',
        field: 'worker',
        message: `no worker polls task queue ${h.taskQueue}-stopped (Temporal answered): start the worker (npm run worker; npm start runs one)`,
      });
    } finally {
      await handle.terminate('test over');
    }
  });
});

describe('auth', () => {
  it.each([
    ['no token', undefined],
    ['wrong token', 'Bearer not-the-token'],
    ['right token, wrong scheme', `Basic ${API_TOKEN}`],
  ])('%s → 401 on every API route', async (_name, authorization) => {
    const headers = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
    for (const [method, path] of [['POST', '/onboardings'], ['GET', '/onboardings/acme-0001'], ['POST', '/onboardings/acme-0001/offboard']] as const) {
      const res = await request(`${h.bridge.url}${path}`, { method, headers, ...(method === 'POST' ? { body: JSON.stringify(fresh()) } : {}) });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(await res.body.json()).toMatchObject({ error: 'unauthorized', field: 'authorization' });
    }
    const wrongClient = new OnboardingClient({ baseUrl: h.bridge.url, token: 'nope' });
    await expect(wrongClient.getStatus('acme-0001')).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('health checks need no token', async () => {
    expect((await request(`${h.bridge.url}/healthz`)).statusCode).toBe(200);
    expect((await request(`${h.bridge.url}/readyz`)).statusCode).toBe(200);
  });
});

describe('POST /onboardings', () => {
  it('400 names every bad field with its rule, and starts nothing', async () => {
    const bad = fresh({
      customer: { ...example.customer, phone: '98000 00001', email: 'not-an-email', password: 'short' },
      funding: { ...example.funding, amount: -5 },
    });
    const err = (await api.start(bad).catch((e: unknown) => e)) as InvalidRequestError;
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_input');
    expect(err.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['customer.phone', 'customer.email', 'customer.password', 'funding.amount']));
    for (const p of err.problems) expect(p.rule).toEqual(expect.any(String));
    await expect(api.getStatus(bad.customerRef)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rejects a non-JSON body with 415', async () => {
    const res = await request(`${h.bridge.url}/onboardings`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.statusCode).toBe(415);
  });

  it('201 started, then 200 existing for the same input (any spelling); metadata holds no personal data', async () => {
    const input = fresh();
    const first = await api.start(input);
    expect(first).toMatchObject({ status: 'started', customerRef: input.customerRef, workflowId: `customer-${input.customerRef}` });
    expect(first.webUiUrl).toBe(`http://localhost:8233/namespaces/${h.server.namespace}/workflows/customer-${input.customerRef}/${first.runId}/history`);

    const again = await api.start({ ...input, funding: { ...input.funding, amount: '500.00' } });
    expect(again).toEqual({ ...first, status: 'existing' });

    const description = await h.client.workflow.getHandle(first.workflowId).describe();
    expect(Object.keys(description.memo ?? {}).sort()).toEqual([MEMO_FINGERPRINT, MEMO_START_REQUEST].sort());
    expect(description.memo?.[MEMO_FINGERPRINT]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await description.staticSummary()).toBe(`Vobiz onboarding ${input.customerRef}`);
    expect(description.typedSearchAttributes.get(STAGE)).toBeDefined();
    const visible = JSON.stringify({ memo: description.memo, sa: description.searchAttributes, summary: await description.staticSummary() });
    for (const secret of [input.customer.email, input.customer.phone, input.customer.password, input.customer.name]) expect(visible).not.toContain(secret);
  });

  it('two concurrent identical starts make one workflow: one 201, one 200', async () => {
    const input = fresh();
    const outcomes = await Promise.all([api.start(input), api.start(input)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['existing', 'started']);
    expect(outcomes[0].runId).toBe(outcomes[1].runId);
  });

  it('409 for a different input under a running customerRef', async () => {
    const input = fresh();
    await api.start(input);
    const err = (await api.start({ ...input, funding: { ...input.funding, amount: 900 } }).catch((e: unknown) => e)) as ConflictError;
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, code: 'conflict', field: 'customerRef' });
  });
});

describe('limits at the start API', () => {
  it('an opening balance over the cap is a 400 naming funding.amount and the cap', async () => {
    const err = await refusedStart(api, fresh({ funding: { ...example.funding, amount: 999_999_999_999 } }));
    expect(err.problems).toEqual([{ field: 'funding.amount', rule: "must be at most 50000 (the cap on one customer's opening balance, ONBOARDING_MAX_OPENING_BALANCE)" }]);
  });

  it.each([
    ['loopback', 'http://127.0.0.1:8787/internal-admin/reset', 'must not point to a loopback address 127.0.0.1'],
    ['loopback, decimal', 'http://2130706433/', 'must not point to a loopback address 127.0.0.1'],
    ['loopback, octal', 'http://0177.0.0.1/', 'must not point to a loopback address 127.0.0.1'],
    ['loopback, hex', 'http://0x7f.0.0.1/', 'must not point to a loopback address 127.0.0.1'],
    ['loopback, IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]/', 'must not point to a loopback address 127.0.0.1'],
    ['metadata', 'http://169.254.169.254/latest/meta-data/', 'must not point to a link-local address (where cloud metadata services live) 169.254.169.254'],
    ['AWS metadata over IPv6', 'http://[fd00:ec2::254]/latest/meta-data/', 'must not point to a unique-local (private IPv6) address fd00:ec2::254'],
    ['metadata by name', 'http://metadata.google.internal/computeMetadata/v1/', 'must not name a cloud metadata service (metadata.google.internal)'],
    ['RFC 1918', 'http://192.168.1.1/', 'must not point to a private (RFC 1918) address 192.168.1.1'],
    ['CGNAT', 'http://100.64.0.1/', 'must not point to a carrier-grade NAT (RFC 6598) address 100.64.0.1'],
    ['localhost', 'http://localhost:8787/', 'must not name localhost (localhost)'],
  ])('an alert webhook to %s is a 400 naming monitoring.alertWebhookUrl and the rule', async (_name, alertWebhookUrl, rule) => {
    const err = await refusedStart(api, fresh({ monitoring: { ...example.monitoring, alertWebhookUrl } }));
    expect(err.problems).toEqual([{ field: 'monitoring.alertWebhookUrl', rule: expect.stringContaining(rule) as string }]);
  });

  it('an alert webhook host name that resolves to loopback is a 400; production takes https only', async () => {
    const resolving = await refusedStart(prodApi, fresh({ monitoring: { ...example.monitoring, alertWebhookUrl: 'https://alerts.partner.example/hook' } }));
    expect(resolving.problems).toEqual([
      {
        field: 'monitoring.alertWebhookUrl',
        rule: 'must not name a host that resolves to a refused address: alerts.partner.example resolves to a loopback address 127.0.0.1; only public addresses are allowed',
      },
    ]);
    const plain = await refusedStart(prodApi, fresh({ monitoring: { ...example.monitoring, alertWebhookUrl: 'http://93.184.216.34/hook' } }));
    expect(plain.problems).toEqual([{ field: 'monitoring.alertWebhookUrl', rule: 'must be an https URL in production' }]);
    expect(await prodApi.start(fresh({ monitoring: { ...example.monitoring, alertWebhookUrl: 'https://93.184.216.34/hook' } }))).toMatchObject({ status: 'started' });
  });

  it('names and free text with control or bidi characters are a 400 naming each field', async () => {
    const err = await refusedStart(
      api,
      fresh({
        customer: { ...example.customer, name: 'Asha\u001b]0;pwned\u0007', company: 'Acme \u202eLtd' },
        funding: { ...example.funding, description: 'Opening\u0085balance' },
        telephony: { trunk: { ...example.telephony.trunk, name: 'Trunk\u2066' } },
      }),
    );
    expect(err.problems.map((p) => p.field)).toEqual(['customer.name', 'customer.company', 'funding.description', 'telephony.trunk.name']);
    for (const p of err.problems) expect(p.rule).toMatch(/^must not contain control characters .* or Unicode bidirectional controls/);
  });

  it('production refuses advanced settings below their one-minute floor; development takes them (the crash tests lower them)', async () => {
    const lowered = { effectSettleDelay: '1 second', effectStartToCloseTimeout: '5 seconds' };
    const err = await refusedStart(prodApi, fresh({ advanced: lowered }));
    expect(err.problems.map((p) => p.field)).toEqual(['advanced.effectSettleDelay', 'advanced.effectStartToCloseTimeout']);
    for (const p of err.problems) expect(p.rule).toMatch(/^must be at least 1 minute in production \(docs\/design\.md §2/);
    expect(await api.start(fresh({ advanced: lowered }))).toMatchObject({ status: 'started' });
  });
});

describe('status and operator actions', () => {
  let ref: string;
  beforeAll(async () => {
    ref = fresh().customerRef;
    await api.start({ ...example, customerRef: ref });
  });

  it('GET returns the workflow state; unknown ref 404; malformed ref 400', async () => {
    const state = await api.getStatus(ref);
    expect(state).toMatchObject({ customerRef: ref, stage: 'kyc', workflowId: `customer-${ref}` });
    await expect(api.getStatus('nobody-0000')).rejects.toMatchObject({ name: 'NotFoundError', status: 404, field: 'customerRef' });
    await expect(api.getStatus('bad ref!')).rejects.toMatchObject({ name: 'InvalidRequestError', status: 400, field: 'customerRef' });
  });

  it('409 not_allowed when the workflow refuses the action in its stage', async () => {
    for (const call of [() => api.restartKyc(ref), () => api.purchaseNumber(ref, { country: 'IN' })]) {
      const err = (await call().catch((e: unknown) => e)) as NotAllowedError;
      expect(err).toBeInstanceOf(NotAllowedError);
      expect(err).toMatchObject({ status: 409, code: 'not_allowed', field: 'stage' });
      expect(err.message).toMatch(/not allowed: the stage is kyc/);
    }
  });

  it('400 with field and rule for a bad action body', async () => {
    await expect(api.revokeKyc(ref, '')).rejects.toMatchObject({ name: 'InvalidRequestError', status: 400, field: 'reason' });
    await expect(api.purchaseNumber(ref, { country: 'India' })).rejects.toMatchObject({ status: 400, field: 'country' });
  });

  it('an Idempotency-Key reused for another action is a 422 naming it, and the other action does not run', async () => {
    const other = fresh().customerRef;
    await api.start({ ...example, customerRef: other });
    const key = `ticket-${other}`;
    expect((await api.revokeKyc(other, 'customer asked', { idempotencyKey: key })).result).toEqual({ stage: 'kyc_revoked' });
    const err = (await api.restartKyc(other, { idempotencyKey: key }).catch((e: unknown) => e)) as InvalidRequestError;
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).toMatchObject({ status: 422, code: 'idempotency_key_reused', field: 'Idempotency-Key' });
    expect(err.rule).toBe('must not be reused for another action (it was used for revoke-kyc on this customer): send a new key for each action');
    expect(await api.getStatus(other)).toMatchObject({ stage: 'kyc_revoked' });
    // The key's own action still attaches to its first run, and a new key runs the other action.
    expect((await api.revokeKyc(other, 'customer asked', { idempotencyKey: key })).result).toEqual({ stage: 'kyc_revoked' });
    expect((await api.restartKyc(other, { idempotencyKey: `${key}-restart` })).result).toEqual({ stage: 'kyc' });
    await api.offboard(other, 'test over');
  });

  it('a malformed Idempotency-Key is a 400 naming it, not silently ignored', async () => {
    for (const key of ['x'.repeat(201), 'clé-1']) {
      const res = await request(`${h.bridge.url}/onboardings/${ref}/resend-kyc`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: '{}',
      });
      expect(res.statusCode).toBe(400);
      expect(await res.body.json()).toMatchObject({ error: 'invalid_input', field: 'Idempotency-Key', rule: 'must be 1-200 printable ASCII characters' });
    }
  });

  it('404 for actions on an unknown customerRef', async () => {
    await expect(api.resendKyc('nobody-0000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('runs allowed actions: resend, revoke, restart, offboard', async () => {
    expect((await api.resendKyc(ref)).result).toEqual({ result: 'sent' });
    expect((await api.revokeKyc(ref, 'customer asked', { idempotencyKey: `revoke-${ref}` })).result).toEqual({ stage: 'kyc_revoked' });
    // The same idempotency key attaches to the first update instead of running it again (it would now be refused).
    expect((await api.revokeKyc(ref, 'customer asked', { idempotencyKey: `revoke-${ref}` })).result).toEqual({ stage: 'kyc_revoked' });
    expect((await api.restartKyc(ref)).result).toEqual({ stage: 'kyc' });
    expect((await api.offboard(ref, 'contract ended')).result).toEqual({ stage: 'offboarding' });
  });

  it('a completed customer is not onboarded again under the same customerRef (409 already_closed)', async () => {
    await h.client.workflow.getHandle(`customer-${ref}`).result();
    await expect(api.start({ ...example, customerRef: ref })).rejects.toMatchObject({ name: 'ConflictError', status: 409, code: 'already_closed' });
  });

  it('an action on a finished customer says it is finished, and since when (409 finished, not "not found")', async () => {
    const res = await request(`${h.bridge.url}/onboardings/${ref}/offboard`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'again' }),
    });
    expect(res.statusCode).toBe(409);
    const body = (await res.body.json()) as { error: string; message: string; field: string };
    expect(body).toMatchObject({ error: 'finished', field: 'customerRef' });
    expect(body.message).toMatch(new RegExp(`^${ref} is finished: .* since \\d{4}-\\d\\d-\\d\\dT`));
  });

  it('never logs request bodies', () => {
    for (const line of h.logLines) {
      expect(line).not.toContain(example.customer.email);
      expect(line).not.toContain(example.customer.password);
      expect(line).not.toContain(API_TOKEN);
    }
  });
});

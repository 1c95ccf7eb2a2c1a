// The start API through the typed client, against a real bridge and Temporal server (fixture workflow): auth,
// validation, idempotent start, conflicts, stage-gated updates, and no personal data in Temporal's metadata.
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

beforeAll(async () => {
  h = await startBridgeHarness();
  api = new OnboardingClient({ baseUrl: h.bridge.url, token: API_TOKEN });
});
afterAll(async () => {
  await h?.close();
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

  it('never logs request bodies', () => {
    for (const line of h.logLines) {
      expect(line).not.toContain(example.customer.email);
      expect(line).not.toContain(example.customer.password);
      expect(line).not.toContain(API_TOKEN);
    }
  });
});

// The start API as an integrator meets it, against a real bridge and Temporal (fixture workflow): the list by stage
// from visibility with paging, refusals that say why (type, message, status; the seconds to wait), input problems
// as "field rule", and answers that match the OpenAPI document served at /openapi.json (behind the API's token).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionFailedError,
  ActionRefusedError,
  InvalidRequestError,
  NotAllowedError,
  OnboardingClient,
  TryLaterError,
  type OnboardingPage,
  type OnboardingRequest,
} from '../../src/client/index.js';
import { ACTIVE_PREFIX, BLOCKED_PREFIX, COOLDOWN_PREFIX, lastRetryQuery, NO_INVENTORY_COUNTRY, SHORT_WALLET_COUNTRY, VOBIZ_DOWN_COUNTRY } from '../fixtures/bridge-workflows.js';
import { API_TOKEN, startBridgeHarness, type BridgeHarness } from '../fixtures/bridge-harness.js';
import { committedOpenApi, componentValidator, operationFor } from '../support/openapi.js';

const example = JSON.parse(readFileSync(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as OnboardingRequest;
const run = randomBytes(3).toString('hex');
const ref = (prefix: string) => `${prefix}${run}-${randomBytes(3).toString('hex')}`;

let h: BridgeHarness;
let api: OnboardingClient;
const doc = committedOpenApi();

/** GET through the raw API, checking the answer against the document's schema for that status. */
async function getChecked(path: string): Promise<{ status: number; body: unknown }> {
  const res = await request(`${h.bridge.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  const body = (await res.body.json());
  const schema = operationFor(doc, 'GET', path)?.operation.responses[String(res.statusCode)]?.content?.['application/json']?.schema.$ref;
  expect(schema, `documented answer for GET ${path} ${res.statusCode}`).toBeDefined();
  const checked = componentValidator(doc, schema!).safeParse(body);
  expect(checked.success, JSON.stringify(checked.error?.issues)).toBe(true);
  return { status: res.statusCode, body };
}

async function until<T>(fn: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
}

beforeAll(async () => {
  h = await startBridgeHarness();
  api = new OnboardingClient({ baseUrl: h.bridge.url, token: API_TOKEN });
});
afterAll(async () => {
  await h?.close();
});

describe('GET /openapi.json', () => {
  it('serves the committed document to a start-API caller, and nothing without its token', async () => {
    const res = await request(`${h.bridge.url}/openapi.json`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual(doc);
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }]) {
      const refused = await request(`${h.bridge.url}/openapi.json`, { headers });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.stringify(await refused.body.json())).not.toContain('"paths"');
    }
  });
});

describe('GET /onboardings', () => {
  const refs = { kyc: ref('list-'), kyc2: ref('list-'), active: ref(ACTIVE_PREFIX) };
  beforeAll(async () => {
    for (const customerRef of Object.values(refs)) await api.start({ ...example, customerRef });
  });

  it('lists customers by stage from visibility, in the documented shape', async () => {
    const page = await until(
      async () => (await getChecked('/onboardings?stage=active&pageSize=1000')).body as OnboardingPage,
      (p) => p.onboardings.some((o) => o.customerRef === refs.active),
      'the active customer in the list',
    );
    const mine = page.onboardings.find((o) => o.customerRef === refs.active);
    expect(mine).toMatchObject({ workflowId: `customer-${refs.active}`, stage: 'active', status: 'running', authId: expect.stringMatching(/^MA_/) as string });
    expect(page.onboardings.every((o) => o.stage === 'active')).toBe(true);
    expect(page.onboardings.some((o) => o.customerRef === refs.kyc)).toBe(false);
  });

  it('pages with pageSize and nextPageToken (typed client)', async () => {
    await until(
      () => api.list({ stage: 'kyc', pageSize: 1000 }),
      (p) => [refs.kyc, refs.kyc2].every((r) => p.onboardings.some((o) => o.customerRef === r)),
      'both kyc customers',
    );
    const first = await api.list({ stage: 'kyc', pageSize: 1 });
    expect(first.onboardings).toHaveLength(1);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = await api.list({ stage: 'kyc', pageSize: 1, pageToken: first.nextPageToken! });
    expect(second.onboardings).toHaveLength(1);
    expect(second.onboardings[0]!.workflowId).not.toBe(first.onboardings[0]!.workflowId);
    const all = [];
    for await (const o of api.listAll({ stage: 'active', pageSize: 1 })) all.push(o.customerRef);
    expect(all).toContain(refs.active);
  });

  it('400 naming the filter and its rule; nothing else is queried', async () => {
    const bad = await getChecked('/onboardings?stage=sleeping&pageSize=0');
    expect(bad.status).toBe(400);
    expect((bad.body as { problems: unknown }).problems).toEqual([
      { field: 'stage', rule: expect.stringMatching(/^must be one of account, funding, kyc/) as string },
      { field: 'pageSize', rule: 'must be a whole number 1-1000' },
    ]);
    await expect(api.list({ kycStatus: "x' OR 1=1" })).rejects.toMatchObject({ status: 400, field: 'kycStatus' });
    await expect(api.list({ stalled: 'tired' as never })).rejects.toMatchObject({ status: 400, field: 'stalled' });
    // A real kind is a valid query for Temporal (VobizStalled is registered): nothing of ours is stalled.
    const stalled = await api.list({ stalled: 'credentials', pageSize: 1000 });
    expect(stalled.onboardings.filter((o) => o.customerRef.includes(run))).toEqual([]);
    await expect(api.list({ pageToken: 'bm90LWEtdG9rZW4.0123456789abcdefghijkl' })).rejects.toMatchObject({ status: 400, field: 'pageToken' });
  });
});

describe('input problems read "field rule"', () => {
  it('a start without telephony says "telephony is required"', async () => {
    const { telephony: _t, ...rest } = { ...example, customerRef: ref('bad-') };
    const err = (await api.start(rest as OnboardingRequest).catch((e: unknown) => e)) as InvalidRequestError;
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err.problems).toEqual([{ field: 'telephony', rule: 'is required' }]);
    expect(err.message).toBe('telephony is required');
  });

  it('buy-number with a code that names no country is 400 on country, before the workflow is asked', async () => {
    const customerRef = ref(ACTIVE_PREFIX);
    await api.start({ ...example, customerRef });
    const err = (await api.purchaseNumber(customerRef, { country: 'XX' }).catch((e: unknown) => e)) as InvalidRequestError;
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err.problems).toEqual([{ field: 'country', rule: 'must be an ISO 3166-1 alpha-2 country code (upper case), e.g. IN' }]);
  });
});

describe('refusals say why', () => {
  it('KycResendCooldown (inside "Activity task failed") → 429 try_later with the seconds to wait', async () => {
    const customerRef = ref(COOLDOWN_PREFIX);
    await api.start({ ...example, customerRef });
    const res = await request(`${h.bridge.url}/onboardings/${customerRef}/resend-kyc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('1791');
    const body = await res.body.json();
    expect(componentValidator(doc, '#/components/schemas/Error').safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      error: 'try_later',
      type: 'KycResendCooldown',
      message: 'Vobiz sends at most one KYC e-mail per 30 minutes; try again in 1791 seconds',
      retryAfterSeconds: 1791,
    });
    const err = (await api.resendKyc(customerRef).catch((e: unknown) => e)) as TryLaterError;
    expect(err).toBeInstanceOf(TryLaterError);
    expect(err).toMatchObject({ status: 429, type: 'KycResendCooldown', retryAfterSeconds: 1791, retryable: true });
  });

  it('refused by the handler or by Vobiz → 409 action_refused with the type; Vobiz down → 502 action_failed', async () => {
    const customerRef = ref(ACTIVE_PREFIX);
    await api.start({ ...example, customerRef });
    await expect(api.purchaseNumber(customerRef, { country: NO_INVENTORY_COUNTRY })).rejects.toSatisfy(
      (e) => e instanceof ActionRefusedError && e.status === 409 && e.type === 'NoNumberAvailable' && /No number available .* NP/.test(e.message),
    );
    await expect(api.purchaseNumber(customerRef, { country: SHORT_WALLET_COUNTRY })).rejects.toSatisfy(
      (e) => e instanceof ActionRefusedError && e.type === 'VobizInsufficientBalance' && /insufficient wallet balance/.test(e.message),
    );
    await expect(api.purchaseNumber(customerRef, { country: VOBIZ_DOWN_COUNTRY })).rejects.toSatisfy(
      (e) => e instanceof ActionFailedError && e.status === 502 && e.type === 'VobizUnreachable',
    );
    expect(await api.purchaseNumber(customerRef, { country: 'IN' })).toMatchObject({ result: { e164: '+918000000001' } });
  });

  it('retry of a blocked step passes the corrections on; bad corrections are 400 on each field', async () => {
    const customerRef = ref(BLOCKED_PREFIX);
    await api.start({ ...example, customerRef });
    const bad = (await api.retry(customerRef, { customer: { email: 'nope' }, trunk: { transport: 'ftp' } }).catch((e: unknown) => e)) as InvalidRequestError;
    expect(bad).toBeInstanceOf(InvalidRequestError);
    expect(bad.problems).toEqual([
      { field: 'customer.email', rule: 'must be an e-mail address' },
      { field: 'trunk.transport', rule: 'must be udp, tcp or tls' },
    ]);
    const done = await api.retry(customerRef, { trunk: { transport: 'tcp' } }, { idempotencyKey: `retry-${customerRef}` });
    expect(done).toMatchObject({ action: 'retry', result: { stage: 'telephony' } });
    expect(await h.client.workflow.getHandle(`customer-${customerRef}`).query(lastRetryQuery)).toEqual({ trunk: { transport: 'tcp' } });
    await expect(api.retry(ref('nobody-'), {})).rejects.toMatchObject({ status: 404 });
  });

  it('not allowed in the stage stays 409 not_allowed, with the validator\'s words', async () => {
    const customerRef = ref('stage-');
    await api.start({ ...example, customerRef });
    const err = (await api.restartKyc(customerRef).catch((e: unknown) => e)) as NotAllowedError;
    expect(err).toBeInstanceOf(NotAllowedError);
    expect(err).toMatchObject({ status: 409, code: 'not_allowed', type: 'NotAllowed', message: 'restartKyc is not allowed: the stage is kyc' });
  });
});

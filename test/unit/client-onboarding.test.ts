// The typed client against a mocked bridge (undici MockAgent): request shape, and every error status mapped to its
// class with status, code, field and rule.
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ActionFailedError,
  ConflictError,
  InvalidRequestError,
  NotAllowedError,
  NotFoundError,
  OnboardingClient,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../../src/client/index.js';

const BASE = 'http://bridge.test:8787';
let agent: MockAgent;
let client: OnboardingClient;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  client = new OnboardingClient({ baseUrl: `${BASE}/`, token: 't0k', dispatcher: agent });
});
afterEach(async () => {
  await agent.close();
});

describe('OnboardingClient', () => {
  it('sends the bearer token and JSON, and returns the parsed outcome', async () => {
    let seen: { headers?: unknown; body?: unknown } = {};
    agent
      .get(BASE)
      .intercept({ path: '/onboardings', method: 'POST' })
      .reply(201, (opts) => {
        seen = { headers: opts.headers, body: JSON.parse(opts.body as string) as unknown };
        return { workflowId: 'customer-acme-0001', runId: 'r', customerRef: 'acme-0001', status: 'started', webUiUrl: 'u' };
      });
    const outcome = await client.start({ customerRef: 'acme-0001' } as never);
    expect(outcome.status).toBe('started');
    expect(seen.headers).toMatchObject({ authorization: 'Bearer t0k', 'content-type': 'application/json' });
    expect(seen.body).toEqual({ customerRef: 'acme-0001' });
  });

  it('encodes the customerRef in paths and passes the idempotency key', async () => {
    let headers: unknown;
    agent
      .get(BASE)
      .intercept({ path: '/onboardings/acme.0001/offboard', method: 'POST', body: JSON.stringify({ reason: 'closed account' }) })
      .reply(200, (opts) => {
        headers = opts.headers;
        return { workflowId: 'customer-acme.0001', customerRef: 'acme.0001', action: 'offboard', result: { stage: 'offboarding' } };
      });
    const res = await client.offboard('acme.0001', 'closed account', { idempotencyKey: 'op-42' });
    expect(res.result.stage).toBe('offboarding');
    expect(headers).toMatchObject({ 'idempotency-key': 'op-42' });
  });

  it.each([
    [400, { error: 'invalid_input', message: 'customer.phone must be E.164', field: 'customer.phone', rule: 'must be E.164', problems: [{ field: 'customer.phone', rule: 'must be E.164' }] }, InvalidRequestError, false],
    [401, { error: 'unauthorized', message: 'no', field: 'authorization', rule: 'must be "Bearer <token>"' }, UnauthorizedError, false],
    [404, { error: 'not_found', message: 'none', field: 'customerRef', rule: 'must name an onboarding that exists' }, NotFoundError, false],
    [409, { error: 'conflict', message: 'different input', field: 'customerRef', rule: 'must not be reused' }, ConflictError, false],
    [409, { error: 'not_allowed', message: 'restartKyc is not allowed', field: 'stage', rule: 'restartKyc is not allowed' }, NotAllowedError, false],
    [502, { error: 'action_failed', message: 'Vobiz said no', field: 'action', rule: 'the workflow could not complete it' }, ActionFailedError, false],
    [503, { error: 'temporal_unavailable', message: 'later', field: 'temporal', rule: 'must be reachable' }, ServiceUnavailableError, true],
  ] as const)('%i %o → typed error', async (status, body, ErrorClass, retryable) => {
    agent.get(BASE).intercept({ path: '/onboardings/acme-0001', method: 'GET' }).reply(status, body);
    const err = await client.getStatus('acme-0001').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrorClass);
    expect(err).toMatchObject({ status, code: body.error, field: body.field, rule: body.rule, retryable });
    expect((err as InvalidRequestError).problems.length).toBeGreaterThan(0);
  });

  it('a non-JSON error body and a network failure still give typed errors', async () => {
    agent.get(BASE).intercept({ path: '/onboardings/x', method: 'GET' }).reply(500, 'oops');
    await expect(client.getStatus('x')).rejects.toMatchObject({ name: 'ServiceUnavailableError', status: 500, code: 'unknown' });
    agent.get(BASE).intercept({ path: '/onboardings/y', method: 'GET' }).replyWithError(new Error('ECONNREFUSED'));
    await expect(client.getStatus('y')).rejects.toMatchObject({ name: 'ServiceUnavailableError', status: 0, code: 'unreachable', retryable: true });
  });
});

/**
 * What the Vobiz transport tells its observer (the worker's metrics): route templates that never hold an id, the
 * status or the reason there was none, latency, a 429's Retry-After, rate-budget waits; and an observer's fault
 * never reaches the caller.
 */
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { routeTemplate, Transport, VobizApiError, type VobizCallObservation, type VobizObserver } from '../../src/vobiz/index.js';

const ORIGIN = 'http://vobiz.test';
const credentials = { authId: 'PA_TEST0001', authToken: 'partner-token-xyz' };

describe('routeTemplate', () => {
  it.each([
    ['/api/v1/partner/accounts', '/api/v1/partner/accounts'],
    ['/api/v1/partner/accounts/MA_ABC123/transfer-balance', '/api/v1/partner/accounts/{id}/transfer-balance'],
    ['/api/v1/partner/kyc-sessions/kyc_9f8e/resend', '/api/v1/partner/kyc-sessions/{id}/resend'],
    ['/api/v1/Account/MA_ABC123/numbers/%2B919876543210', '/api/v1/Account/{id}/numbers/{id}'],
    ['/api/v1/account/MA_ABC123/numbers/purchase-from-inventory', '/api/v1/account/{id}/numbers/purchase-from-inventory'],
    ['/api/v1/partner/accounts/MA_ABC123/cdrs/0b6c-uuid?page=2', '/api/v1/partner/accounts/{id}/cdrs/{id}'],
    // A segment nobody listed is treated as a value: a less precise route, never a leak.
    ['/api/v1/partner/something-new/secret-ish', '/api/v1/partner/{id}/{id}'],
  ])('%s → %s', (path, template) => {
    expect(routeTemplate(path)).toBe(template);
  });
});

describe('transport observer', () => {
  let agent: MockAgent;
  let calls: VobizCallObservation[];
  let waits: number[];
  const observer: VobizObserver = { call: (o) => calls.push(o), rateBudgetWait: (ms) => waits.push(ms) };

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    calls = [];
    waits = [];
  });
  afterEach(async () => {
    await agent.close();
  });

  const get = (transport: Transport, path: string) => transport.request({ method: 'GET', path, schema: z.unknown(), credentials });

  it('reports each call with its route template, status and latency, and a 429\'s Retry-After', async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: '/api/v1/partner/accounts/MA_ABC123', method: 'GET' }).reply(200, { auth_id: 'MA_ABC123' });
    pool.intercept({ path: '/api/v1/partner/accounts/MA_ABC123', method: 'GET' }).reply(429, { message: 'slow down' }, { headers: { 'retry-after': '2' } });
    pool.intercept({ path: '/api/v1/partner/accounts/MA_ABC123', method: 'GET' }).replyWithError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    const transport = new Transport({ baseUrl: ORIGIN, dispatcher: agent, observer });

    await get(transport, '/api/v1/partner/accounts/MA_ABC123');
    await expect(get(transport, '/api/v1/partner/accounts/MA_ABC123')).rejects.toBeInstanceOf(VobizApiError);
    await expect(get(transport, '/api/v1/partner/accounts/MA_ABC123')).rejects.toThrow();

    const route = '/api/v1/partner/accounts/{id}';
    expect(calls.map(({ method, route, status, retryAfterMs }) => ({ method, route, status, retryAfterMs }))).toEqual([
      { method: 'GET', route, status: 200, retryAfterMs: undefined },
      { method: 'GET', route, status: 429, retryAfterMs: 2_000 },
      { method: 'GET', route, status: 'network_error', retryAfterMs: undefined },
    ]);
    for (const c of calls) expect(c.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(calls)).not.toContain('MA_ABC123');
  });

  it('reports a cancelled call as cancelled, not as a Vobiz failure', async () => {
    agent.get(ORIGIN).intercept({ path: '/api/v1/partner/me', method: 'GET' }).reply(200, {}).delay(5_000);
    const transport = new Transport({ baseUrl: ORIGIN, dispatcher: agent, observer });
    const controller = new AbortController();
    const call = transport.request({ method: 'GET', path: '/api/v1/partner/me', schema: z.unknown(), credentials, signal: controller.signal });
    controller.abort(new Error('activity cancelled'));
    await expect(call).rejects.toThrow('activity cancelled');
    expect(calls.map((c) => c.status)).toEqual(['cancelled']);
  });

  it('reports the wait of a request that queued for the rate budget', async () => {
    agent.get(ORIGIN).intercept({ path: '/api/v1/partner/me', method: 'GET' }).reply(200, {}).times(2);
    const transport = new Transport({ baseUrl: ORIGIN, dispatcher: agent, observer, maxRequestsPerSecond: 1 });
    await Promise.all([get(transport, '/api/v1/partner/me'), get(transport, '/api/v1/partner/me')]);
    // The first went at once (no wait reported); the second waited for the next one-second slot.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(500);
  });

  it('a throwing observer never fails the call', async () => {
    agent.get(ORIGIN).intercept({ path: '/api/v1/partner/me', method: 'GET' }).reply(200, { ok: true });
    const broken: VobizObserver = {
      call: () => {
        throw new Error('metrics bug');
      },
    };
    const transport = new Transport({ baseUrl: ORIGIN, dispatcher: agent, observer: broken });
    await expect(get(transport, '/api/v1/partner/me')).resolves.toEqual({ ok: true });
  });
});

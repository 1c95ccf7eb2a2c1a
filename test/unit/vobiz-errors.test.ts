import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockAgent } from 'undici';
import {
  VobizApiError,
  VobizClient,
  VobizError,
  VobizNetworkError,
  VobizRequestError,
  VobizResponseError,
  VobizTimeoutError,
  parseRetryAfterMs,
} from '../../src/vobiz/index.js';

const ORIGIN = 'http://vobiz.test';
const PARTNER_TOKEN = 'partner-secret-token-123456';
const CUSTOMER_TOKEN = 'sk_live_customer_secret_abcdef';

let agent: MockAgent;
let client: VobizClient;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  client = new VobizClient({ baseUrl: ORIGIN, partnerAuthId: 'PA_TEST0001', partnerAuthToken: PARTNER_TOKEN, dispatcher: agent });
});
afterEach(async () => {
  await client.close();
  await agent.close();
});

function reply(path: string, method: string, status: number, body: unknown, headers: Record<string, string> = {}) {
  agent
    .get(ORIGIN)
    .intercept({ path: (p) => p.split('?')[0] === path, method })
    .reply(status, typeof body === 'string' ? body : JSON.stringify(body), { headers: { 'content-type': 'application/json', ...headers } });
}

async function caught(p: Promise<unknown>): Promise<VobizError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(VobizError);
    return err as VobizError;
  }
  throw new Error('expected a rejection');
}

function assertNoSecrets(err: VobizError, ...secrets: string[]) {
  const texts = [err.message, JSON.stringify(err), JSON.stringify(err.toJSON()), String(err.stack)];
  for (const t of texts) for (const s of secrets) expect(t).not.toContain(s);
}

describe('error bodies (docs §2) → VobizApiError', () => {
  it('generic envelope {status:"error", error:{code,message,details}, requestId}', async () => {
    reply('/api/v1/partner/me', 'GET', 402, {
      status: 'error',
      error: { code: 'INSUFFICIENT_BALANCE', message: 'Not enough money', details: { required: 10, available: 5, currency: 'INR' } },
      timestamp: '2026-01-01T00:00:00Z',
      requestId: 'req_abc',
    });
    const err = (await caught(client.me())) as VobizApiError;
    expect(err).toBeInstanceOf(VobizApiError);
    expect(err).toMatchObject({ status: 402, code: 'insufficient_balance', apiCode: 'INSUFFICIENT_BALANCE', requestId: 'req_abc', retryable: false });
    expect(err.message).toContain('Not enough money');
    expect(err.details).toMatchObject({ required: 10, available: 5, currency: 'INR' });
    expect(err.method).toBe('GET');
    expect(err.path).toBe('/api/v1/partner/me');
  });

  it('FastAPI {error:"HTTPError", message, status_code} (KYC 409)', async () => {
    reply('/api/v1/partner/kyc-sessions/s1/resend', 'POST', 409, {
      error: 'HTTPError',
      message: "Cannot resend: session is 'revoked'",
      status_code: 409,
    });
    const err = (await caught(client.resendKycSession('s1'))) as VobizApiError;
    expect(err).toMatchObject({ status: 409, code: 'conflict', apiCode: 'HTTPError', retryable: false });
    expect(err.message).toContain("Cannot resend: session is 'revoked'");
  });

  it('422 ValidationError with details → fieldErrors, and never the input (a password)', async () => {
    reply('/api/v1/partner/accounts', 'POST', 422, {
      error: 'ValidationError',
      message: 'Request validation failed',
      details: [
        { type: 'value_error', loc: ['body', 'password'], msg: 'Password must contain a special character', input: 'Secret123abc', ctx: {} },
        { type: 'missing', loc: ['body', 'reminder_schedule', 0, 'value'], msg: 'Field required', input: null },
      ],
      status_code: 422,
    });
    const err = (await caught(
      client.createAccount({ name: 'A', email: 'a@example.com', phone: '+919876543210', password: 'Secret123abc', country: 'IN' }),
    )) as VobizApiError;
    expect(err).toMatchObject({ status: 422, code: 'validation_error', retryable: false });
    expect(err.fieldErrors).toEqual([
      { field: 'password', rule: 'Password must contain a special character' },
      { field: 'reminder_schedule.0.value', rule: 'Field required' },
    ]);
    // The message names each field and Vobiz's rule, so a block reason or a refused action says what to correct.
    expect(err.message).toBe(
      'Vobiz POST /api/v1/partner/accounts → 422 validation_error: Request validation failed ' +
        '(password: Password must contain a special character; reminder_schedule.0.value: Field required)',
    );
    assertNoSecrets(err, 'Secret123abc', PARTNER_TOKEN);
  });

  it('transfer 400 insufficient_balance keeps the amounts as details', async () => {
    reply('/api/v1/partner/accounts/MA_ABCDEFGH/transfer-balance', 'POST', 400, {
      error: 'insufficient_balance',
      message: 'Your partner balance (₹200.00) is insufficient for this transfer (₹500.00).',
      current_balance: 200.0,
      requested_amount: 500.0,
      currency: 'INR',
    });
    const err = (await caught(client.transferBalance('MA_ABCDEFGH', { amount: 500, currency: 'INR' }))) as VobizApiError;
    expect(err).toMatchObject({ status: 400, code: 'insufficient_balance', retryable: false });
    expect(err.details).toEqual({ current_balance: 200, requested_amount: 500, currency: 'INR' });
  });

  it('partner login 401 invalid_credentials → unauthorized', async () => {
    reply('/api/v1/partner/me', 'GET', 401, { error: 'invalid_credentials', message: 'The email or password you provided is incorrect.' });
    const err = (await caught(client.me())) as VobizApiError;
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', apiCode: 'invalid_credentials', retryable: false });
  });

  it('customer {api_id, error:"not_found", message}', async () => {
    reply('/api/v1/Account/MA_ABCDEFGH/numbers/purchase-from-inventory', 'POST', 404, {
      api_id: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      error: 'not_found',
      message: 'number not found in inventory',
    });
    const c = client.customer({ authId: 'MA_ABCDEFGH', authToken: CUSTOMER_TOKEN });
    const err = (await caught(c.purchaseNumber({ e164: '+918071387149' }))) as VobizApiError;
    expect(err).toMatchObject({ status: 404, code: 'not_found', retryable: false });
    expect(err.message).toContain('number not found in inventory');
    assertNoSecrets(err, CUSTOMER_TOKEN, PARTNER_TOKEN);
  });

  it('{error:"Username already exists", code:409} → conflict with the sentence as message', async () => {
    reply('/api/v1/Account/MA_ABCDEFGH/trunks', 'POST', 409, { error: 'Username already exists', code: 409 });
    const c = client.customer({ authId: 'MA_ABCDEFGH', authToken: CUSTOMER_TOKEN });
    const err = (await caught(c.createTrunk({ name: 't' }))) as VobizApiError;
    expect(err).toMatchObject({ status: 409, code: 'conflict', apiCode: 409 });
    expect(err.message).toContain('Username already exists');
  });

  it('nested {error:{code:401, message:"Invalid token"}} and 403 mismatch', async () => {
    reply('/api/v1/partner/me', 'GET', 401, { error: { code: 401, message: 'Invalid token' } });
    const e1 = (await caught(client.me())) as VobizApiError;
    expect(e1).toMatchObject({ status: 401, code: 'unauthorized', apiCode: 401 });
    expect(e1.message).toContain('Invalid token');
    reply('/api/v1/partner/me', 'GET', 403, { error: { code: 403, message: 'Access denied: account ID mismatch' } });
    const e2 = (await caught(client.me())) as VobizApiError;
    expect(e2).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('plain {error:"accountID is required"} and 500 {error:"Failed to retrieve transactions"}', async () => {
    reply('/api/v1/partner/me', 'GET', 400, { error: 'accountID is required' });
    const e1 = (await caught(client.me())) as VobizApiError;
    expect(e1).toMatchObject({ status: 400, code: 'bad_request', retryable: false });
    expect(e1.message).toContain('accountID is required');
    reply('/api/v1/partner/me', 'GET', 500, { error: 'Failed to retrieve transactions' });
    const e2 = (await caught(client.me())) as VobizApiError;
    expect(e2).toMatchObject({ status: 500, code: 'server_error', retryable: true });
  });

  it('purchase 500 {error:"internal_server_error"} → server_error, retryable', async () => {
    reply('/api/v1/partner/me', 'GET', 500, { error: 'internal_server_error', message: 'failed to purchase number' });
    const err = (await caught(client.me())) as VobizApiError;
    expect(err).toMatchObject({ code: 'server_error', retryable: true });
  });

  it('non-JSON bodies (HTML from a proxy, plain text, empty)', async () => {
    reply('/api/v1/partner/me', 'GET', 502, '<html><body>Bad Gateway</body></html>', { 'content-type': 'text/html' });
    const e1 = (await caught(client.me())) as VobizApiError;
    expect(e1).toMatchObject({ status: 502, code: 'server_error', retryable: true });
    expect(e1.message).not.toContain('<html>');
    reply('/api/v1/partner/me', 'GET', 503, 'upstream unavailable', { 'content-type': 'text/plain' });
    const e2 = (await caught(client.me())) as VobizApiError;
    expect(e2.message).toContain('upstream unavailable');
    reply('/api/v1/partner/me', 'GET', 404, '');
    const e3 = (await caught(client.me())) as VobizApiError;
    expect(e3).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('429: retryAfterMs from Retry-After header, or from "wait N seconds"', async () => {
    reply('/api/v1/partner/kyc-sessions/s1/resend', 'POST', 429, {
      error: 'HTTPError',
      message: 'Email was sent recently. Please wait 1799 seconds before resending.',
      status_code: 429,
    });
    const e1 = (await caught(client.resendKycSession('s1'))) as VobizApiError;
    expect(e1).toMatchObject({ status: 429, code: 'rate_limited', retryable: true, retryAfterMs: 1_799_000 });
    reply('/api/v1/partner/kyc-sessions/s1/resend', 'POST', 429, { error: 'too_many_requests' }, { 'retry-after': '7' });
    const e2 = (await caught(client.resendKycSession('s1'))) as VobizApiError;
    expect(e2.retryAfterMs).toBe(7000);
    expect(parseRetryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), undefined, Date.UTC(2030, 0, 1))).toBe(30_000);
    expect(parseRetryAfterMs(undefined, 'please wait 2 minutes')).toBe(120_000);
  });

  it('retryable by status: 400/401/403/404/409/422 no; 429 and 5xx yes', async () => {
    for (const [status, retryable] of [
      [400, false], [401, false], [403, false], [404, false], [409, false], [422, false], [429, true], [500, true], [503, true],
    ] as const) {
      reply('/api/v1/partner/me', 'GET', status, { error: 'x y', message: 'm' });
      const err = (await caught(client.me())) as VobizApiError;
      expect([status, err.retryable]).toEqual([status, retryable]);
    }
  });
});

describe('credentials never reach messages or toJSON', () => {
  it('scrubs echoed tokens and secret-shaped pairs from API messages and details', async () => {
    reply('/api/v1/partner/me', 'GET', 401, {
      error: 'invalid_credentials',
      message: `bad token ${PARTNER_TOKEN} for header X-Auth-Token: ${PARTNER_TOKEN} auth_token="other-token-zzz" password=hunter2hunter`,
      auth_token: 'body-level-token-should-vanish',
      echoed: `token was ${PARTNER_TOKEN}`,
    });
    const err = (await caught(client.me())) as VobizApiError;
    assertNoSecrets(err, PARTNER_TOKEN, 'other-token-zzz', 'hunter2hunter', 'body-level-token-should-vanish');
    expect(err.message).toContain('[REDACTED]');
  });

  it('customer token is scrubbed from customer-call errors', async () => {
    reply('/api/v1/Account/MA_ABCDEFGH/trunks', 'GET', 500, { error: 'boom', message: `db said ${CUSTOMER_TOKEN}` });
    const c = client.customer({ authId: 'MA_ABCDEFGH', authToken: CUSTOMER_TOKEN });
    const err = await caught(c.listTrunks());
    assertNoSecrets(err, CUSTOMER_TOKEN);
    expect(JSON.stringify(c)).not.toContain(CUSTOMER_TOKEN);
    expect(JSON.stringify(client)).not.toContain(PARTNER_TOKEN);
    const { inspect } = await import('node:util');
    expect(inspect(c, { depth: 5 })).not.toContain(CUSTOMER_TOKEN);
    expect(inspect(client, { depth: 5 })).not.toContain(PARTNER_TOKEN);
  });

  it('request validation errors name the field and rule but not the value', async () => {
    const err = await caught(
      client.createAccount({ name: 'A', email: 'not-an-email', phone: '12345', password: 'short', country: 'India' }),
    );
    expect(err).toBeInstanceOf(VobizRequestError);
    const fields = (err as VobizRequestError).fieldErrors.map((f) => f.field).sort();
    expect(fields).toEqual(['country', 'email', 'password', 'phone']);
    expect(err.retryable).toBe(false);
    assertNoSecrets(err, 'short', 'not-an-email');
  });
});

describe('transport failures', () => {
  it('connection reset on a POST → VobizNetworkError with mayHaveCommitted; on a GET without it', async () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    agent.get(ORIGIN).intercept({ path: '/api/v1/partner/accounts/MA_ABCDEFGH/transfer-balance', method: 'POST' }).replyWithError(reset);
    const e1 = await caught(client.transferBalance('MA_ABCDEFGH', { amount: '10.5', currency: 'INR' }));
    expect(e1).toBeInstanceOf(VobizNetworkError);
    expect(e1).toMatchObject({ retryable: true, mayHaveCommitted: true, errorCode: 'UND_ERR_SOCKET' });
    expect(e1.message).toContain('reconcile');

    agent.get(ORIGIN).intercept({ path: '/api/v1/partner/me', method: 'GET' }).replyWithError(reset);
    const e2 = await caught(client.me());
    expect(e2).toMatchObject({ retryable: true, mayHaveCommitted: false });
  });

  it('connection refused → not committed even for a POST', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    agent.get(ORIGIN).intercept({ path: '/api/v1/partner/accounts/MA_ABCDEFGH/transfer-balance', method: 'POST' }).replyWithError(refused);
    const err = await caught(client.transferBalance('MA_ABCDEFGH', { amount: 1, currency: 'INR' }));
    expect(err).toMatchObject({ name: 'VobizNetworkError', mayHaveCommitted: false, retryable: true });
  });

  it('headers timeout → VobizTimeoutError (real socket, tiny timeout)', async () => {
    const http = await import('node:http');
    const server = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const real = new VobizClient({ baseUrl: `http://127.0.0.1:${port}`, partnerAuthId: 'PA_X', partnerAuthToken: PARTNER_TOKEN, headersTimeoutMs: 100 });
    try {
      const err = await caught(real.createKycSession({ accountAuthId: 'MA_ABCDEFGH' }));
      expect(err).toBeInstanceOf(VobizTimeoutError);
      expect(err).toMatchObject({ phase: 'headers', retryable: true, mayHaveCommitted: true });
    } finally {
      await real.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('a 2xx body that breaks the schema → VobizResponseError with paths, not values', async () => {
    reply('/api/v1/partner/accounts/MA_ABCDEFGH/balance', 'GET', 200, { auth_id: 'MA_ABCDEFGH', cash_credits: '12.1234567' });
    const err = await caught(client.getAccountBalance('MA_ABCDEFGH'));
    expect(err).toBeInstanceOf(VobizResponseError);
    expect(err.retryable).toBe(false);
    expect((err as VobizResponseError).issues).toEqual([{ path: 'cash_credits', code: 'custom' }]);
    expect(err.message).not.toContain('12.1234567');

    reply('/api/v1/partner/me', 'GET', 200, 'not json{', { 'content-type': 'text/plain' });
    const e2 = await caught(client.me());
    expect(e2).toBeInstanceOf(VobizResponseError);
    expect(e2.message).toContain('not JSON');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { MockAgent } from 'undici';
import { Money, VobizClient, VobizRequestError } from '../../src/vobiz/index.js';
import type { VobizConfig } from '../../src/config/vobiz.js';

const ORIGIN = 'http://vobiz.test';
const PARTNER = { partnerAuthId: 'PA_TEST0001', partnerAuthToken: 'partner-token-xyz' };
const CUSTOMER = { authId: 'MA_ABCDEFGH', authToken: 'customer-token-xyz' };

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

let agent: MockAgent;
let client: VobizClient;
let seen: Seen[];

function headersOf(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (h instanceof Headers) h.forEach((v, k) => (out[k.toLowerCase()] = v));
  else if (Array.isArray(h)) for (let i = 0; i < h.length; i += 2) out[String(h[i]).toLowerCase()] = String(h[i + 1]);
  else if (h && typeof h === 'object') for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  return out;
}

/** Answers every request on `path` (query ignored) and records it. */
function route(method: string, path: string, status: number, body: unknown) {
  agent
    .get(ORIGIN)
    .intercept({ path: (p) => p.split('?')[0] === path, method })
    .reply((opts) => {
      seen.push({
        method: opts.method,
        path: opts.path,
        headers: headersOf(opts.headers),
        body: typeof opts.body === 'string' && opts.body ? JSON.parse(opts.body) : undefined,
      });
      return { statusCode: status, data: body === undefined ? '' : JSON.stringify(body), responseOptions: { headers: { 'content-type': 'application/json' } } };
    });
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  seen = [];
  client = new VobizClient({ baseUrl: ORIGIN, ...PARTNER, dispatcher: agent });
});
afterEach(async () => {
  await client.close();
  await agent.close();
});

describe('wire format', () => {
  it('sends Accept, Content-Type on bodies, partner creds, snake_case bodies', async () => {
    route('POST', '/api/v1/partner/accounts', 201, {
      auth_id: 'MA_ABCDEFGH',
      auth_token: 'sk_live_x',
      name: 'John',
      status: 'active',
      balance: 0.0,
      currency: 'INR',
      unknown_future_field: { kept: true },
    });
    const acct = await client.createAccount({
      name: 'John',
      email: 'john@example.com',
      phone: '+919876543210',
      password: 'SecurePass123!',
      country: 'IN',
      zipCode: '560001',
    });
    expect(acct.auth_id).toBe('MA_ABCDEFGH');
    expect(acct.balance?.toString()).toBe('0.00000');
    expect(acct.unknown_future_field).toEqual({ kept: true });
    const req = seen[0]!;
    expect(req.headers).toMatchObject({
      accept: 'application/json',
      'content-type': 'application/json',
      'x-auth-id': 'PA_TEST0001',
      'x-auth-token': 'partner-token-xyz',
    });
    expect(req.body).toEqual({
      name: 'John',
      email: 'john@example.com',
      phone: '+919876543210',
      password: 'SecurePass123!',
      country: 'IN',
      zip_code: '560001',
    });
  });

  it('GET has no Content-Type; query params are snake_case and skip undefined', async () => {
    route('GET', '/api/v1/partner/accounts/MA_ABCDEFGH/transactions', 200, { transactions: [], total: 0, page: 1, per_page: 50, total_pages: 0 });
    await client.listTransactions('MA_ABCDEFGH', { perPage: 50, fromDate: '2026-03-01', transactionType: 'recharge' });
    expect(seen[0]!.headers['content-type']).toBeUndefined();
    expect(seen[0]!.path).toBe('/api/v1/partner/accounts/MA_ABCDEFGH/transactions?per_page=50&from_date=2026-03-01&transaction_type=recharge');
  });

  it('transferBalance sends amount as a JSON number and returns Money', async () => {
    route('POST', '/api/v1/partner/accounts/MA_ABCDEFGH/transfer-balance', 200, {
      transaction_id: 'txn_abc123def456',
      from_account: 'PA_TEST0001',
      to_account: 'MA_ABCDEFGH',
      amount: 500.0,
      currency: 'INR',
      status: 'completed',
      partner_balance_after: 47750.1,
      customer_balance_after: '2950.00000',
    });
    const t = await client.transferBalance('MA_ABCDEFGH', { amount: Money.parse('500.00000'), currency: 'INR', description: 'April' });
    expect(seen[0]!.body).toEqual({ amount: 500, currency: 'INR', description: 'April' });
    expect(t.amount.equals(500)).toBe(true);
    expect(t.partner_balance_after?.toString()).toBe('47750.10000');
    expect(t.customer_balance_after?.equals('2950')).toBe(true);
    await expect(client.transferBalance('MA_ABCDEFGH', { amount: 0, currency: 'INR' })).rejects.toBeInstanceOf(VobizRequestError);
    await expect(client.transferBalance('MA_ABCDEFGH', { amount: '1.000001', currency: 'INR' })).rejects.toThrow(/amount/);
  });

  it('customer calls use the customer creds, path style and URL-encoded E.164', async () => {
    const lower = new VobizClient({ baseUrl: ORIGIN, ...PARTNER, customerPathStyle: 'account', customerCdrPath: 'cdrs', dispatcher: agent });
    route('DELETE', '/api/v1/account/MA_ABCDEFGH/numbers/%2B918071387149', 200, {
      message: 'number release initiated',
      status: 'pending_release',
      release_fee: 700,
    });
    route('GET', '/api/v1/account/MA_ABCDEFGH/cdrs', 200, { success: true, data: [], pagination: { has_next: false } });
    const c = lower.customer(CUSTOMER);
    const released = await c.releaseNumber('+918071387149', { immediate: true });
    expect(released.release_fee?.toString()).toBe('700.00000');
    await c.listCdrs({ status: 'failed', hangupCause: 'NO_ANSWER' });
    expect(seen[0]!.path).toBe('/api/v1/account/MA_ABCDEFGH/numbers/%2B918071387149?immediate=true');
    expect(seen[0]!.headers).toMatchObject({ 'x-auth-id': 'MA_ABCDEFGH', 'x-auth-token': 'customer-token-xyz' });
    expect(seen[1]!.path).toBe('/api/v1/account/MA_ABCDEFGH/cdrs?status=failed&hangup_cause=NO_ANSWER');

    route('GET', '/api/v1/Account/MA_ABCDEFGH/cdr', 200, { success: true, data: [] });
    await client.customer(CUSTOMER).listCdrs();
    expect(seen[2]!.path).toBe('/api/v1/Account/MA_ABCDEFGH/cdr');
  });

  it('purchase keeps the literal + in the body; trunks map the seed style', async () => {
    route('POST', '/api/v1/Account/MA_ABCDEFGH/numbers/purchase-from-inventory', 200, {
      message: 'Number purchased successfully',
      number: { e164: '+918071387149', setup_fee: 100, monthly_fee: '300.00000', source: 'inventory' },
    });
    route('POST', '/api/v1/Account/MA_ABCDEFGH/trunks', 201, {
      trunk_id: 'aabbcc',
      name: 'My SIP Trunk',
      trunk_status: 'enabled',
      trunk_domain: 'aabbcc.sip.vobiz.ai',
    });
    route('DELETE', '/api/v1/Account/MA_ABCDEFGH/trunks/aabbcc', 204, undefined);
    route('PUT', '/api/v1/Account/MA_ABCDEFGH/trunks/aabbcc', 200, { id: 'aabbcc', name: 'x', trunk_status: 'active' });
    const c = client.customer(CUSTOMER);
    const bought = await c.purchaseNumber({ e164: '+918071387149' });
    expect(bought.number?.monthly_fee?.add(bought.number.setup_fee ?? 0).toString()).toBe('400.00000');
    const trunk = await c.createTrunk({
      name: 'My SIP Trunk',
      trunkStatus: 'enabled',
      secure: false,
      trunkDirection: 'outbound',
      concurrentCallsLimit: 10,
      cpsLimit: 5,
      transport: 'udp',
    });
    expect(trunk.trunk_id).toBe('aabbcc');
    const updated = await c.updateTrunk('aabbcc', { trunkStatus: 'disabled' });
    expect(updated.trunk_id).toBe('aabbcc'); // normalised from `id`
    await expect(c.deleteTrunk('aabbcc')).resolves.toBeUndefined();
    expect(seen[0]!.body).toEqual({ e164: '+918071387149' });
    expect(seen[1]!.body).toEqual({
      name: 'My SIP Trunk',
      trunk_status: 'enabled',
      secure: false,
      trunk_direction: 'outbound',
      concurrent_calls_limit: 10,
      cps_limit: 5,
      transport: 'udp',
    });
  });

  it('fromConfig reads the vobiz config section', async () => {
    const cfg: VobizConfig = {
      baseUrl: ORIGIN,
      partnerAuthId: 'PA_CFG',
      partnerAuthToken: 'cfg-token',
      customerPathStyle: 'account',
      connectTimeoutMs: 1000,
      headersTimeoutMs: 1000,
      bodyTimeoutMs: 1000,
    };
    const c = VobizClient.fromConfig(cfg, { dispatcher: agent });
    route('GET', '/api/v1/partner/me', 200, { auth_id: 'PA_CFG', balance: '23906.83000', currency: 'INR' });
    const me = await c.me();
    expect(me.balance?.toString()).toBe('23906.83000');
    expect(seen[0]!.headers['x-auth-id']).toBe('PA_CFG');
    expect(c.customer(CUSTOMER)).toBeDefined();
  });
});

describe('normalised variants', () => {
  it('KycSession has id and status whether the API said session_id/session_status or id/status', async () => {
    route('POST', '/api/v1/partner/kyc-sessions', 201, { session_id: 'kycs_1', status: 'email_sent', kyc_type: null, expires_at: 'x' });
    route('GET', '/api/v1/partner/kyc-sessions/kycs_1', 200, { id: 'kycs_1', session_status: 'opened', reminder_schedule: [] });
    const created = await client.createKycSession({
      accountAuthId: 'MA_ABCDEFGH',
      webhookUrl: 'https://app.example/kyc',
      expiresInDays: 14,
      reminderSchedule: [
        { trigger: 'days_before_expiry', value: 3 },
        { trigger: 'days_before_expiry', value: 1 },
      ],
      metadata: { customerRef: 'abc' },
    });
    expect(created).toMatchObject({ id: 'kycs_1', status: 'email_sent' });
    expect(seen[0]!.body).toEqual({
      account_auth_id: 'MA_ABCDEFGH',
      webhook_url: 'https://app.example/kyc',
      expires_in_days: 14,
      reminder_schedule: [
        { trigger: 'days_before_expiry', value: 3 },
        { trigger: 'days_before_expiry', value: 1 },
      ],
      metadata: { customerRef: 'abc' }, // nested keys are not snake_cased
    });
    const got = await client.getKycSession('kycs_1');
    expect(got).toMatchObject({ id: 'kycs_1', status: 'opened' });
  });

  it('revoke sends DELETE with a JSON {reason} body', async () => {
    route('DELETE', '/api/v1/partner/kyc-sessions/kycs_1', 200, { message: 'Session revoked', session_id: 'kycs_1' });
    const r = await client.revokeKycSession('kycs_1', 'Wrong email');
    expect(r.id).toBe('kycs_1');
    expect(seen[0]!.body).toEqual({ reason: 'Wrong email' });
    expect(seen[0]!.headers['content-type']).toBe('application/json');
  });

  it('dashboard accepts the prose, OpenAPI and older shapes', async () => {
    route('GET', '/api/v1/partner/dashboard', 200, {
      partner: { auth_id: 'PA_TEST0001', balance: null },
      accounts: { total: 2, active: 1, customers: [] },
      total_balance: '1003058.82000',
      calls: { total_calls: 3, total_cost: '108.24' },
    });
    const d1 = await client.dashboard();
    expect(d1.total_balance?.toString()).toBe('1003058.82000');
    route('GET', '/api/v1/partner/dashboard', 200, { total_customers: 4, total_balance_held: 10.5, mtd_revenue: 3 });
    expect((await client.dashboard()).total_balance_held?.toString()).toBe('10.50000');
    route('GET', '/api/v1/partner/dashboard', 200, { active_accounts: 4, total_balance: 5, accounts_suspended: 0 });
    expect((await client.dashboard()).active_accounts).toBe(4);
  });

  it('getCdr accepts a bare CDR and the {data} envelope', async () => {
    route('GET', '/api/v1/partner/accounts/MA_ABCDEFGH/cdrs/u-1', 200, { id: 1, uuid: 'u-1', total_cost: 0.08 });
    expect((await client.getCdr('MA_ABCDEFGH', 'u-1')).total_cost?.toString()).toBe('0.08000');
    route('GET', '/api/v1/partner/accounts/MA_ABCDEFGH/cdrs/u-1', 200, { success: true, data: { id: 1, uuid: 'u-1' } });
    expect((await client.getCdr('MA_ABCDEFGH', 'u-1')).uuid).toBe('u-1');
  });
});

describe('abort signal', () => {
  it('an already-aborted signal rejects before sending', async () => {
    const ac = new AbortController();
    const reason = new Error('activity cancelled');
    ac.abort(reason);
    await expect(client.me({ signal: ac.signal })).rejects.toBe(reason);
    expect(seen).toHaveLength(0);
  });

  it('cancels an in-flight request and rejects with the signal reason (real socket)', async () => {
    let arrived!: () => void;
    const gotRequest = new Promise<void>((r) => (arrived = r));
    let closed = false;
    const server = http.createServer((req) => {
      arrived();
      req.socket.on('close', () => (closed = true));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const real = new VobizClient({ baseUrl: `http://127.0.0.1:${port}`, ...PARTNER });
    try {
      const ac = new AbortController();
      const call = real.transferBalance('MA_ABCDEFGH', { amount: 1, currency: 'INR' }, { signal: ac.signal });
      await gotRequest;
      const reason = new Error('cancelled by Temporal');
      ac.abort(reason);
      await expect(call).rejects.toBe(reason);
      await new Promise((r) => setTimeout(r, 50));
      expect(closed).toBe(true);
      // Default abort (no reason) → an AbortError, not a VobizError.
      const ac2 = new AbortController();
      const call2 = real.me({ signal: ac2.signal });
      setTimeout(() => ac2.abort(), 20);
      await expect(call2).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await real.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('transport on real sockets', () => {
  it('reuses one keep-alive connection across partner and customer calls', async () => {
    let connections = 0;
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/api/v1/partner/me')) res.end(JSON.stringify({ auth_id: 'PA_TEST0001' }));
      else res.end(JSON.stringify({ meta: { total: 0 }, objects: [] }));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const real = new VobizClient({ baseUrl: `http://127.0.0.1:${port}`, ...PARTNER });
    try {
      for (let i = 0; i < 4; i++) await real.me();
      for (let i = 0; i < 4; i++) await real.customer(CUSTOMER).listTrunks();
      // undici may open a second socket while the first is being released after a response; never one per call.
      expect(connections).toBeLessThanOrEqual(2);
    } finally {
      await real.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('a stalled body → VobizTimeoutError phase body', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"auth_id":'); // and never finish
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const real = new VobizClient({ baseUrl: `http://127.0.0.1:${port}`, ...PARTNER, bodyTimeoutMs: 100 });
    try {
      await expect(real.me()).rejects.toMatchObject({ name: 'VobizTimeoutError', phase: 'body', retryable: true, mayHaveCommitted: false });
    } finally {
      await real.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

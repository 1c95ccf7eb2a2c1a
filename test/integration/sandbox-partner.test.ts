/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- raw JSON responses are inspected field by field */
// Partner API of the sandbox over real sockets: the seed's flow gets seed-shaped responses, every documented error
// gets its documented status and body, and each pagination family has its envelope.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.close();
});

const seedAccount = { name: 'John Doe', email: 'john@example.com', phone: '+919876543210', password: 'SecurePass123!', company: 'Acme Corp', country: 'IN' };

describe('partner accounts', () => {
  it('creates a customer with exactly the seed shape (Step 1)', async () => {
    const res = await t.api('POST', '/api/v1/partner/accounts', seedAccount);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['auth_id', 'auth_token', 'balance', 'country', 'created_at', 'currency', 'email', 'name', 'status'].sort());
    expect(res.body).toMatchObject({ name: 'John Doe', email: 'john@example.com', status: 'active', balance: 0, currency: 'INR', country: 'IN' });
    expect(res.body.auth_id).toMatch(/^MA_[A-Z0-9]{8}$/);
    expect(res.body.auth_token).toMatch(/^sk_live_[a-z0-9]{32}$/);
    expect(res.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('rejects a reused email platform-wide with a 422 ValidationError', async () => {
    const res = await t.api('POST', '/api/v1/partner/accounts', { ...seedAccount, email: 'JOHN@example.com' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'ValidationError', message: 'Request validation failed', status_code: 422 });
    expect(res.body.details[0]).toMatchObject({ type: 'value_error', loc: ['body', 'email'] });
  });

  it.each([
    ['missing name', { ...seedAccount, name: undefined }, 'name', 'missing'],
    ['short password', { ...seedAccount, password: 'Ab1!' }, 'password', 'string_too_short'],
    ['password without a digit', { ...seedAccount, password: 'SecurePass!!' }, 'password', 'value_error'],
    ['password without a special char', { ...seedAccount, password: 'SecurePass123' }, 'password', 'value_error'],
    ['phone not E.164', { ...seedAccount, phone: '09876543210' }, 'phone', 'value_error'],
    ['country not ISO-2', { ...seedAccount, country: 'India' }, 'country', 'value_error'],
    ['missing phone', { ...seedAccount, phone: undefined }, 'phone', 'missing'],
  ])('422 for %s', async (_name, body, field, type) => {
    const res = await t.api('POST', '/api/v1/partner/accounts', { ...body, email: `x${Math.random()}@example.com` });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('ValidationError');
    const detail = res.body.details.find((d: any) => d.loc[1] === field);
    expect(detail).toMatchObject({ type, loc: ['body', field] });
    expect(detail).toHaveProperty('msg');
    expect(detail).toHaveProperty('input');
  });

  it('lists accounts with {accounts,total,page,size}, redacted tokens, search and per_page bounds', async () => {
    for (let i = 0; i < 3; i++) await createCustomer(t, { name: `Pager ${i}`, email: `pager${i}@example.org` });
    const res = await t.api('GET', '/api/v1/partner/accounts?page=1&per_page=2&search=pager');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 3, page: 1, size: 2 });
    expect(res.body.accounts).toHaveLength(2);
    const row = res.body.accounts[0];
    expect(row.auth_token).toBe('<redacted>');
    for (const key of ['cash_credits', 'kyc_status', 'pricing_tier', 'resource_uri', 'api_id', 'cps_limit', 'is_trial_account', 'partner_id']) expect(row).toHaveProperty(key);
    expect(row.cash_credits).toBe('0.00000');
    const page2 = await t.api('GET', '/api/v1/partner/accounts?page=2&per_page=2&search=PAGER');
    expect(page2.body.accounts).toHaveLength(1);
    const over = await t.api('GET', '/api/v1/partner/accounts?per_page=101');
    expect(over.status).toBe(422);
    expect(over.body.details[0]).toMatchObject({ type: 'less_than_equal', loc: ['query', 'per_page'] });
  });

  it('GET one shows the real auth_token; unknown is 404', async () => {
    const c = await createCustomer(t);
    const res = await t.api('GET', `/api/v1/partner/accounts/${c.authId}`);
    expect(res.status).toBe(200);
    expect(res.body.auth_token).toBe(c.authToken);
    expect(res.body.resource_uri).toBe(`/v1/Account/${c.authId}/`);
    const missing = await t.api('GET', '/api/v1/partner/accounts/MA_NOPE0000');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'HTTPError', status_code: 404 });
  });
});

describe('auth', () => {
  it('401 without or with wrong creds, 403 with customer creds on the partner API', async () => {
    const none = await t.api('GET', '/api/v1/partner/me', undefined, {});
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: 'HTTPError', status_code: 401 });
    const wrong = await t.api('GET', '/api/v1/partner/me', undefined, { 'x-auth-id': 'PA_SANDBOX1', 'x-auth-token': 'nope' });
    expect(wrong.status).toBe(401);
    const c = await createCustomer(t);
    const asCustomer = await t.api('GET', '/api/v1/partner/me', undefined, c.headers);
    expect(asCustomer.status).toBe(403);
    expect(asCustomer.body).toMatchObject({ error: 'HTTPError', status_code: 403 });
  });

  it('unknown routes are 404 JSON', async () => {
    const res = await t.api('GET', '/api/v1/partner/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});

describe('transfer-balance (Step 2) and transactions', () => {
  it('transfers atomically with the seed shape and writes both ledger rows', async () => {
    const c = await createCustomer(t);
    const before = await t.api('GET', '/api/v1/partner/me');
    const res = await t.api('POST', `/api/v1/partner/accounts/${c.authId}/transfer-balance`, { amount: 500.0, currency: 'INR', description: 'April recharge — Credresolve' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['amount', 'currency', 'customer_balance_after', 'description', 'from_account', 'partner_balance_after', 'status', 'timestamp', 'to_account', 'transaction_id'].sort());
    expect(res.body).toMatchObject({ from_account: 'PA_SANDBOX1', to_account: c.authId, amount: 500, currency: 'INR', status: 'completed', customer_balance_after: 500 });
    expect(res.body.transaction_id).toMatch(/^txn_[0-9a-f]{12}$/);
    expect(res.body.partner_balance_after).toBe(Number(before.body.balance) - 500);

    const bal = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/balance`);
    expect(bal.body).toMatchObject({ auth_id: c.authId, cash_credits: '500.00000', currency: 'INR' });

    const tx = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions?page=1&per_page=20`);
    expect(tx.status).toBe(200);
    expect(tx.body).toMatchObject({ total: 1, page: 1, per_page: 20, total_pages: 1, account_auth_id: c.authId });
    const row = tx.body.transactions[0];
    expect(row).toMatchObject({ type: 'credit', amount: 500, currency: 'INR', status: 'completed', description: 'Transfer from partner Sandbox Partner: April recharge — Credresolve' });
    expect(row.reference).toMatch(new RegExp(`^ptc:[0-9a-f-]{36}:${c.authId}:\\d+$`));
    expect(tx.body.summary).toMatchObject({ total_transactions: 1, total_credit: 500, total_debit: 0, net_amount: 500 });
    expect(tx.body.summary.by_reference_type[0]).toMatchObject({ reference_type: 'unknown', count: 1 });

    const ledger = await t.admin.ledger();
    expect(ledger.partner.rows.find((r) => r.transfer_id === res.body.transaction_id)).toMatchObject({ type: 'debit', amount: 500 });
    expect(ledger.balanced).toBe(true);
  });

  it('400 insufficient balance (exact body), 400 non-positive amount, 400 currency mismatch, 404 unknown, 422 missing', async () => {
    const c = await createCustomer(t);
    const me = await t.api('GET', '/api/v1/partner/me');
    const current = Number(me.body.balance);
    const tooMuch = await t.api('POST', `/api/v1/partner/accounts/${c.authId}/transfer-balance`, { amount: current + 1, currency: 'INR' });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body).toEqual({
      error: 'insufficient_balance',
      message: `Your partner balance (₹${current.toFixed(2)}) is insufficient for this transfer (₹${(current + 1).toFixed(2)}).`,
      current_balance: current, requested_amount: current + 1, currency: 'INR',
    });
    expect((await t.api('POST', `/api/v1/partner/accounts/${c.authId}/transfer-balance`, { amount: 0, currency: 'INR' })).status).toBe(400);
    expect((await t.api('POST', `/api/v1/partner/accounts/${c.authId}/transfer-balance`, { amount: -5, currency: 'INR' })).status).toBe(400);
    const usd = await t.api('POST', `/api/v1/partner/accounts/${c.authId}/transfer-balance`, { amount: 5, currency: 'USD' });
    expect(usd.status).toBe(400);
    expect(usd.body.error).toBe('currency_mismatch');
    expect((await t.api('POST', '/api/v1/partner/accounts/MA_UNKNOWN1/transfer-balance', { amount: 5, currency: 'INR' })).status).toBe(404);
    const missing = await t.api('POST', `/api/v1/partner/accounts/${c.authId}/transfer-balance`, { currency: 'INR' });
    expect(missing.status).toBe(422);
    expect(missing.body.details[0]).toMatchObject({ type: 'missing', loc: ['body', 'amount'] });
    const after = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions`);
    expect(after.body.total).toBe(0); // no failed transfer touched the ledger
  });

  it('transactions: per_page over 200 is 422; filters by type and date; newest first', async () => {
    const c = await createCustomer(t);
    for (const amount of [10, 20, 30]) await t.api('POST', `/api/v1/partner/accounts/${c.authId}/transfer-balance`, { amount, currency: 'INR' });
    const over = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions?per_page=201`);
    expect(over.status).toBe(422);
    expect(over.body.details[0]).toMatchObject({ loc: ['query', 'per_page'], type: 'less_than_equal' });
    const list = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions?transaction_type=recharge&per_page=2`);
    expect(list.body.transactions.map((r: any) => r.amount)).toEqual([30, 20]);
    expect(list.body).toMatchObject({ total: 3, total_pages: 2 });
    expect((await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions?transaction_type=debit`)).body.total).toBe(0);
    expect((await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions?transaction_type=bogus`)).status).toBe(422);
    const today = new Date((await t.admin.clock()).now_ms).toISOString().slice(0, 10);
    expect((await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions?from_date=${today}&to_date=${today}`)).body.total).toBe(3);
    expect((await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions?from_date=2000-01-01&to_date=2000-01-31`)).body.total).toBe(0);
    expect((await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions?from_date=March`)).status).toBe(422);
  });
});

describe('profile, dashboard, numbers, cdrs envelopes', () => {
  it('/me has a 5-decimal balance, INR and the can_* flags', async () => {
    const res = await t.api('GET', '/api/v1/partner/me');
    expect(res.body.balance).toMatch(/^\d+\.\d{5}$/);
    expect(res.body).toMatchObject({ auth_id: 'PA_SANDBOX1', can_create_accounts: true, can_transfer_balance: true, can_view_cdrs: true, can_create_pricing_tiers: true, max_accounts: 1000 });
    // `currency` is prose-only (the SDK model forbids it): it appears with the prose response shape.
    expect(res.body).not.toHaveProperty('currency');
    await t.admin.setSettings({ responseShape: 'prose' });
    try {
      expect((await t.api('GET', '/api/v1/partner/me')).body).toMatchObject({ currency: 'INR', country: 'IN' });
    } finally {
      await t.admin.setSettings({ responseShape: 'sdk' });
    }
  });

  it('/dashboard follows the current prose shape', async () => {
    const res = await t.api('GET', '/api/v1/partner/dashboard');
    expect(res.status).toBe(200);
    expect(res.body.partner.balance).toBeNull();
    for (const key of ['period', 'accounts', 'total_balance', 'currency', 'calls', 'traffic', 'by_product', 'time_series']) expect(res.body).toHaveProperty(key);
    expect(res.body.total_balance).toMatch(/^\d+\.\d{5}$/);
    expect(res.body.calls.total_cost).toMatch(/^\d+\.\d{2}$/);
  });

  it('numbers {items,page,per_page,total,account_auth_id} and a zeroed CDR envelope when empty', async () => {
    const c = await createCustomer(t);
    const nums = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/numbers?page=1&per_page=20`);
    expect(nums.body).toEqual({ items: [], page: 1, per_page: 20, total: 0, account_auth_id: c.authId });
    const cdrs = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/cdrs?call_direction=inbound&status=answered&min_duration=10`);
    expect(cdrs.status).toBe(200);
    expect(cdrs.body).toEqual({
      success: true, account_id: c.authId, account_auth_id: c.authId, count: 0, data: [],
      pagination: { page: 1, per_page: 20, total: 0, pages: 0, has_next: false, has_prev: false },
      summary: { total_calls: 0, answered_calls: 0, answer_rate: 0, avg_call_duration: '0s', total_duration_seconds: 0, total_billable_seconds: 0, total_cost: 0, last_call_at: '' },
    });
    await t.admin.setSettings({ responseShape: 'prose' });
    try {
      const prose = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/cdrs`);
      expect(prose.body.summary).toEqual({ totalCalls: 0, answeredCalls: 0, answerRate: 0, avgCallDuration: '0s', total_duration_seconds: 0, total_billable_seconds: 0, total_cost: 0, last_call_at: null });
    } finally {
      await t.admin.setSettings({ responseShape: 'sdk' });
    }
    expect((await t.api('GET', `/api/v1/partner/accounts/${c.authId}/cdrs/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  });
});

describe('account cap (max_accounts)', () => {
  it('refuses the account past a configured cap with the documented 403, and /me shows the cap', async () => {
    const capped = await startTestSandbox({ maxAccounts: 3 });
    try {
      for (let i = 0; i < 3; i++) await createCustomer(capped);
      const res = await capped.api('POST', '/api/v1/partner/accounts', { ...seedAccount, email: 'one-too-many@example.com' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'HTTPError', message: 'Maximum number of accounts (3) reached', status_code: 403 });
      const me = await capped.api('GET', '/api/v1/partner/me');
      expect(me.body).toMatchObject({ max_accounts: 3, account_count: 3 });
      const list = await capped.api('GET', '/api/v1/partner/accounts');
      expect(list.body.total).toBe(3); // the refused one was not created
    } finally {
      await capped.close();
    }
  });

  it('keeps the stored accounts but takes a new cap when restarted on the same file', async () => {
    const first = await startTestSandbox({ maxAccounts: 2 });
    await createCustomer(first);
    await first.close(true);
    const again = await startTestSandbox({ dbPath: first.dbPath });
    try {
      const me = await again.api('GET', '/api/v1/partner/me');
      expect(me.body).toMatchObject({ max_accounts: 1000, account_count: 1 }); // the option's default, as Vobiz documents
    } finally {
      await again.close();
      rmSync(dirname(first.dbPath), { recursive: true, force: true });
    }
  });
});

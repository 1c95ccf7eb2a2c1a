// Contract tests: the typed Vobiz client against the running sandbox over real sockets. Every endpoint of the seed
// flow, the documented error bodies as the client surfaces them, each pagination family, and the fault modes that
// matter to callers (429 with a wait, 5xx, commit-then-drop).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PARTNER, startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';
import {
  Money,
  VobizApiError,
  VobizClient,
  VobizNetworkError,
  VobizRequestError,
  type CustomerClient,
  type VobizError,
} from '../../src/vobiz/index.js';

let t: TestSandbox;
let client: VobizClient;

beforeAll(async () => {
  t = await startTestSandbox();
  client = new VobizClient({ baseUrl: t.url, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: TEST_PARTNER.authToken });
});
afterAll(async () => {
  await client?.close();
  await t?.close();
});

async function caught(p: Promise<unknown>): Promise<VobizError> {
  try {
    await p;
  } catch (err) {
    return err as VobizError;
  }
  throw new Error('expected a rejection');
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

let seq = 0;
async function newCustomer(name = 'John Doe') {
  seq += 1;
  const email = `contract-${Date.now()}-${seq}@example.com`;
  const acct = await client.createAccount({ name, email, phone: '+919876543210', password: 'SecurePass123!', company: 'Acme Corp', country: 'IN' });
  return { ...acct, email };
}

describe('partner profile', () => {
  it('me() parses the 5-decimal balance into Money', async () => {
    const me = await client.me();
    expect(me.auth_id).toBe(TEST_PARTNER.authId);
    expect(me.balance).toBeInstanceOf(Money);
    // `currency` is in the prose docs, not in the SDK's model: the sandbox sends it only with the prose shape.
    expect(me.currency).toBeUndefined();
    await t.admin.setSettings({ responseShape: 'prose' });
    try {
      expect((await client.me()).currency).toBe('INR');
    } finally {
      await t.admin.setSettings({ responseShape: 'sdk' });
    }
  });

  it('dashboard() parses', async () => {
    const d = await client.dashboard();
    expect(d).toBeTypeOf('object');
    if (d.total_balance != null) expect(d.total_balance).toBeInstanceOf(Money);
  });

  it('wrong partner token → 401 unauthorized, token not in the error', async () => {
    const bad = new VobizClient({ baseUrl: t.url, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: 'wrong-token-abcdef' });
    try {
      const err = await caught(bad.me());
      expect(err).toBeInstanceOf(VobizApiError);
      expect(err).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
      expect(JSON.stringify(err.toJSON()) + err.message).not.toContain('wrong-token-abcdef');
    } finally {
      await bad.close();
    }
  });
});

describe('customer accounts', () => {
  it('createAccount (201) returns auth_id/auth_token; getAccount includes the real token; balance is zero', async () => {
    const acct = await newCustomer();
    expect(acct.auth_id).toMatch(/^MA_[A-Z0-9]{8}$/);
    expect(acct.auth_token).toBeTruthy();
    expect(acct.balance?.isZero()).toBe(true);
    const got = await client.getAccount(acct.auth_id);
    expect(got.auth_token).toBe(acct.auth_token);
    expect(got.kyc_status).toBe('pending');
    const bal = await client.getAccountBalance(acct.auth_id);
    expect(bal.cash_credits.isZero()).toBe(true);
  });

  it('duplicate email → 422 validation_error with fieldErrors; password never echoed', async () => {
    const acct = await newCustomer();
    const err = await caught(
      client.createAccount({ name: 'X', email: acct.email, phone: '+919876543210', password: 'OtherPass123!', country: 'IN' }),
    );
    expect(err).toMatchObject({ status: 422, code: 'validation_error', retryable: false });
    expect((err as VobizApiError).fieldErrors.map((f) => f.field)).toContain('email');
    expect(err.message + JSON.stringify(err.toJSON())).not.toContain('OtherPass123!');
  });

  it('weak password rejected by the sandbox → 422 with field password', async () => {
    const err = await caught(
      client.createAccount({ name: 'X', email: `weak-${Date.now()}@example.com`, phone: '+919876543210', password: 'SecurePass123', country: 'IN' }),
    );
    expect(err).toMatchObject({ status: 422, code: 'validation_error' });
    expect((err as VobizApiError).fieldErrors[0]?.field).toBe('password');
    expect(JSON.stringify(err.toJSON())).not.toContain('SecurePass123');
  });

  it('unknown account → 404 not_found', async () => {
    const err = await caught(client.getAccount('MA_ZZZZZZZZ'));
    expect(err).toMatchObject({ status: 404, code: 'not_found', retryable: false });
  });

  it('listAccounts / iterateAccounts ({accounts,total,page,size}) with search', async () => {
    const tag = `pagefam${Date.now()}`;
    for (let i = 0; i < 3; i++) await newCustomer(`${tag} ${i}`);
    const page1 = await client.listAccounts({ page: 1, perPage: 2, search: tag });
    expect(page1).toMatchObject({ total: 3, page: 1 });
    expect(page1.accounts).toHaveLength(2);
    const all = await collect(client.iterateAccounts({ perPage: 2, search: tag }));
    expect(all.map((a) => a.name).sort()).toEqual([0, 1, 2].map((i) => `${tag} ${i}`));
  });
});

describe('balance transfer and transactions', () => {
  it('transfers exactly, lists and iterates transactions ({transactions,…,total_pages})', async () => {
    const acct = await newCustomer();
    const before = (await client.me()).balance!;
    const t1 = await client.transferBalance(acct.auth_id, { amount: 500, currency: 'INR', description: 'April recharge' });
    expect(t1).toMatchObject({ status: 'completed', to_account: acct.auth_id });
    expect(t1.transaction_id).toMatch(/^txn_/);
    expect(t1.amount.equals('500')).toBe(true);
    expect(t1.customer_balance_after?.equals(500)).toBe(true);
    await client.transferBalance(acct.auth_id, { amount: '0.1', currency: 'INR' });
    await client.transferBalance(acct.auth_id, { amount: 0.2, currency: 'INR' });
    const bal = await client.getAccountBalance(acct.auth_id);
    expect(bal.cash_credits.toString()).toBe('500.30000');
    const after = (await client.me()).balance!;
    expect(before.subtract(after).toString()).toBe('500.30000');

    const page = await client.listTransactions(acct.auth_id, { page: 1, perPage: 2 });
    expect(page.transactions).toHaveLength(2);
    expect(page.total).toBe(3);
    const rows = await collect(client.iterateTransactions(acct.auth_id, { perPage: 2 }));
    expect(rows).toHaveLength(3);
    expect(Money.sum(rows.map((r) => r.amount)).toString()).toBe('500.30000');
    const recharge = await client.listTransactions(acct.auth_id, { transactionType: 'transfer', fromDate: '2000-01-01', toDate: '2999-12-31' });
    expect(recharge.transactions.length).toBeGreaterThan(0);
  });

  it('insufficient balance → 400 insufficient_balance with the amounts', async () => {
    const acct = await newCustomer();
    const err = await caught(client.transferBalance(acct.auth_id, { amount: 99_999_999, currency: 'INR' }));
    expect(err).toMatchObject({ status: 400, code: 'insufficient_balance', retryable: false });
    expect((err as VobizApiError).details).toMatchObject({ currency: 'INR' });
    expect((err as VobizApiError).details.requested_amount).toBe(99_999_999);
  });

  it('currency mismatch → 400, unknown customer → 404', async () => {
    const acct = await newCustomer();
    expect(await caught(client.transferBalance(acct.auth_id, { amount: 1, currency: 'USD' }))).toMatchObject({ status: 400, retryable: false });
    expect(await caught(client.transferBalance('MA_ZZZZZZZZ', { amount: 1, currency: 'INR' }))).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('KYC sessions', () => {
  it('create → get → list/iterate → resend 429 (retryAfterMs) → resend after cooldown → revoke → 409', async () => {
    const acct = await newCustomer();
    const s = await client.createKycSession({
      accountAuthId: acct.auth_id,
      webhookUrl: 'https://yourapp.example/kyc-webhook',
      expiresInDays: 14,
      reminderSchedule: [
        { trigger: 'days_before_expiry', value: 3 },
        { trigger: 'days_before_expiry', value: 1 },
      ],
      metadata: { ref: 'contract' },
    });
    expect(s.id).toBeTruthy(); // normalised from session_id
    expect(s.status).toBe('email_sent');
    const got = await client.getKycSession(s.id);
    expect(got).toMatchObject({ id: s.id, status: 'email_sent', account_auth_id: acct.auth_id });
    expect(got.metadata).toEqual({ ref: 'contract' });

    const list = await client.listKycSessions({ accountAuthId: acct.auth_id, size: 1 });
    expect(list.sessions.map((x) => x.id)).toEqual([s.id]);

    const cooldown = await caught(client.resendKycSession(s.id));
    expect(cooldown).toMatchObject({ status: 429, code: 'rate_limited', retryable: true });
    const wait = (cooldown as VobizApiError).retryAfterMs!;
    expect(wait).toBeGreaterThan(25 * 60_000);
    expect(wait).toBeLessThanOrEqual(30 * 60_000);

    await t.admin.advanceClock(31 * 60);
    const resent = await client.resendKycSession(s.id);
    expect(resent).toBeTypeOf('object');

    const revoked = await client.revokeKycSession(s.id, 'Wrong email');
    expect(revoked.id).toBe(s.id);
    expect((await client.getKycSession(s.id)).status).toBe('revoked');
    const again = await caught(client.revokeKycSession(s.id, 'again'));
    expect(again).toMatchObject({ status: 409, code: 'conflict', retryable: false });
    const resendRevoked = await caught(client.resendKycSession(s.id));
    expect(resendRevoked).toMatchObject({ status: 409, code: 'conflict' });
    expect(resendRevoked.message).toContain("Cannot resend: session is 'revoked'");
  });

  it('redirect flow: link_ready with widget_url; resend → 400', async () => {
    const acct = await newCustomer();
    const s = await client.createKycSession({ accountAuthId: acct.auth_id, flowType: 'redirect', redirectUrl: 'https://app.example/done' });
    expect(s.status).toBe('link_ready');
    expect(s.widget_url).toMatch(/^https?:\/\//);
    expect(await caught(client.resendKycSession(s.id))).toMatchObject({ status: 400, code: 'bad_request' });
  });

  it('completion shows on GET and on the account; iterate KYC sessions ({sessions,total,page,size})', async () => {
    const acct = await newCustomer();
    const s = await client.createKycSession({ accountAuthId: acct.auth_id });
    await t.admin.completeKyc(s.id);
    expect((await client.getKycSession(s.id)).status).toBe('kyc_completed');
    expect((await client.getAccount(acct.auth_id)).kyc_status).toBe('completed');
    const all = await collect(client.iterateKycSessions({ size: 2 }));
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(new Set(all.map((x) => x.id)).size).toBe(all.length);
    const completed = await collect(client.iterateKycSessions({ status: 'kyc_completed', size: 1 }));
    expect(completed.map((x) => x.id)).toContain(s.id);
  });

  it('unknown session → 404; bad input → 422 from our own validation before sending', async () => {
    expect(await caught(client.getKycSession('00000000-0000-0000-0000-000000000000'))).toMatchObject({ status: 404, code: 'not_found' });
    const err = await caught(client.createKycSession({ accountAuthId: 'MA_X', expiresInDays: 999 }));
    expect(err.name).toBe('VobizRequestError');
  });
});

describe('customer API: numbers, trunks, CDRs', () => {
  let acctId: string;
  let customer: CustomerClient;

  beforeAll(async () => {
    const acct = await newCustomer();
    acctId = acct.auth_id;
    await client.transferBalance(acct.auth_id, { amount: 5000, currency: 'INR' });
    customer = client.customer({ authId: acct.auth_id, authToken: acct.auth_token });
  });

  it('inventory ({items,page,per_page,total}) → purchase → owned list → partner list → release', async () => {
    const inv = await customer.listInventoryNumbers({ country: 'IN', perPage: 2 });
    expect(inv.items.length).toBeGreaterThan(0);
    const allInv = await collect(customer.iterateInventoryNumbers({ country: 'IN', perPage: 5 }));
    expect(allInv.length).toBe(inv.total);
    const e164 = inv.items[0]!.e164;

    const bought = await customer.purchaseNumber({ e164 });
    expect(bought.number?.e164).toBe(e164);
    const owned = await collect(customer.iterateNumbers({ perPage: 1 }));
    expect(owned.map((n) => n.e164)).toContain(e164);
    const partnerView = await client.listNumbers(acctId, { search: e164.slice(1, 6) });
    expect(partnerView.items.map((n) => n.e164)).toContain(e164);
    expect((await collect(client.iterateNumbers(acctId, { perPage: 1 }))).map((n) => n.e164)).toContain(e164);

    const released = await customer.releaseNumber(e164);
    expect(released.status).toBe('pending_release');
    if (released.release_fee != null) expect(released.release_fee).toBeInstanceOf(Money);
  });

  it('purchase of a number not in inventory → 404 not_found; release of a number not owned → 403/404', async () => {
    expect(await caught(customer.purchaseNumber({ e164: '+15550000000' }))).toMatchObject({ status: 404, code: 'not_found' });
    const err = (await caught(customer.releaseNumber('+15550000001'))) as VobizApiError;
    expect([403, 404]).toContain(err.status);
  });

  it('trunks: create (seed style) → get → list/iterate ({meta,objects}) → update → delete → 404', async () => {
    const created = await customer.createTrunk({
      name: 'My SIP Trunk',
      trunkStatus: 'enabled',
      secure: false,
      trunkDirection: 'outbound',
      concurrentCallsLimit: 10,
      cpsLimit: 5,
      transport: 'udp',
    });
    expect(created.trunk_id).toBeTruthy();
    expect(created.trunk_domain).toContain('.sip.vobiz.ai');
    expect(['active', 'enabled']).toContain(created.trunk_status);
    await customer.createTrunk({ name: 'Second' });
    await customer.createTrunk({ name: 'Third' });
    const got = await customer.getTrunk(created.trunk_id);
    expect(got.name).toBe('My SIP Trunk');
    const page = await customer.listTrunks({ limit: 2 });
    expect(page.meta?.total).toBe(3);
    expect(page.objects).toHaveLength(2);
    const all = await collect(customer.iterateTrunks({ limit: 2 }));
    expect(all).toHaveLength(3);
    const updated = await customer.updateTrunk(created.trunk_id, { name: 'Renamed', trunkStatus: 'disabled' });
    expect(updated.name).toBe('Renamed');
    await customer.deleteTrunk(created.trunk_id);
    expect(await caught(customer.getTrunk(created.trunk_id))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('CDRs: partner list/iterate ({data,pagination}), getCdr, customer /cdr and /cdrs, filters', async () => {
    await t.admin.traffic({ account_auth_id: acctId, calls: 5, mix: { answered: 3, failed: 2 } });
    const page = await client.listCdrs(acctId, { perPage: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.pagination?.has_next).toBe(true);
    const all = await collect(client.iterateCdrs(acctId, { perPage: 2 }));
    expect(all.length).toBeGreaterThanOrEqual(5);
    const one = await client.getCdr(acctId, all[0]!.uuid);
    expect(one.uuid).toBe(all[0]!.uuid);
    if (one.total_cost != null) expect(one.total_cost).toBeInstanceOf(Money);

    const viaCdr = await collect(customer.iterateCdrs({ perPage: 2 }));
    expect(viaCdr.length).toBe(all.length);
    const plural = new VobizClient({ baseUrl: t.url, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: TEST_PARTNER.authToken, customerPathStyle: 'account', customerCdrPath: 'cdrs' });
    try {
      const acct = await client.getAccount(acctId);
      const c2 = plural.customer({ authId: acctId, authToken: acct.auth_token! });
      const answered = await c2.listCdrs({ status: 'answered' });
      expect(answered.data.length).toBeGreaterThan(0);
      for (const row of answered.data) expect(row.answer_time).toBeTruthy();
    } finally {
      await plural.close();
    }
    expect(await caught(client.getCdr(acctId, '00000000-0000-0000-0000-000000000000'))).toMatchObject({ status: 404 });

    // Partner-wide: every customer's records, the same filters; the rows carry the documented `uuid`, never the
    // PyPI README's `call_id` / `status` (docs/sandbox.md, "SDK models vs prose docs").
    const partnerWide = await collect(client.iteratePartnerCdrs({ perPage: 2 }));
    expect(partnerWide.map((c) => c.uuid)).toEqual(expect.arrayContaining(all.map((c) => c.uuid)));
    const answeredOnly = await collect(client.iteratePartnerCdrs({ status: 'answered', perPage: 100 }));
    expect(answeredOnly.map((c) => c.uuid)).toEqual(partnerWide.filter((c) => c.answer_time).map((c) => c.uuid));
    for (const row of partnerWide) expect(row).not.toHaveProperty('call_id');
    for (const row of partnerWide) expect(row).not.toHaveProperty('status');
    expect(await caught(client.listPartnerCdrs({ callDirection: 'sideways' as 'inbound' }))).toBeInstanceOf(VobizRequestError);
  });

  it('wrong customer token → 401; partner creds cannot drive the customer API', async () => {
    const bad = client.customer({ authId: acctId, authToken: 'sk_live_wrongwrongwrong' });
    const err = await caught(bad.listTrunks());
    expect(err).toMatchObject({ code: 'unauthorized', retryable: false });
    expect(err.message).not.toContain('sk_live_wrongwrongwrong');
    const asPartner = client.customer({ authId: acctId, authToken: TEST_PARTNER.authToken });
    expect([401, 403]).toContain(((await caught(asPartner.listTrunks())) as VobizApiError).status);
  });
});

describe('faults', () => {
  it('429 with Retry-After surfaces retryAfterMs; 503 is retryable', async () => {
    await t.admin.addFault({ route: 'GET /api/v1/partner/me', mode: 'error', status: 429, retryAfterSeconds: 12, count: 1 });
    const e1 = await caught(client.me());
    expect(e1).toMatchObject({ status: 429, code: 'rate_limited', retryable: true, retryAfterMs: 12_000 });
    await t.admin.addFault({ route: 'GET /api/v1/partner/me', mode: 'error', status: 503, count: 1 });
    const e2 = await caught(client.me());
    expect(e2).toMatchObject({ status: 503, retryable: true });
    await expect(client.me()).resolves.toBeTruthy();
  });

  it('commit then drop: transfer surfaces VobizNetworkError with mayHaveCommitted, and the money did move', async () => {
    const acct = await newCustomer();
    await t.admin.addFault({ route: 'POST /api/v1/partner/accounts/:id/transfer-balance', mode: 'commit_then_drop', count: 1 });
    const err = await caught(client.transferBalance(acct.auth_id, { amount: 42, currency: 'INR' }));
    expect(err).toBeInstanceOf(VobizNetworkError);
    expect(err).toMatchObject({ retryable: true, mayHaveCommitted: true });
    // What a caller must do before repeating: reconcile. The transfer is there.
    const txs = await client.listTransactions(acct.auth_id);
    expect(txs.transactions.map((x) => x.amount.toString())).toContain('42.00000');
    expect((await client.getAccountBalance(acct.auth_id)).cash_credits.equals(42)).toBe(true);
  });

  it('commit then drop on a GET is not flagged as committed', async () => {
    await t.admin.addFault({ route: 'GET /api/v1/partner/me', mode: 'commit_then_drop', count: 1 });
    const err = await caught(client.me());
    expect(err).toBeInstanceOf(VobizNetworkError);
    expect(err).toMatchObject({ mayHaveCommitted: false, retryable: true });
  });

  it('abort signal cancels an in-flight call against a slow route', async () => {
    await t.admin.addFault({ route: 'GET /api/v1/partner/dashboard', mode: 'latency', latencyMs: 5_000, count: 1 });
    const ac = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => ac.abort(reason), 100);
    const started = Date.now();
    await expect(client.dashboard({ signal: ac.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2_000);
    await t.admin.clearFaults();
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockAgent } from 'undici';
import { AccountPage, CdrPage, KycSessionPage, Money, NumberPage, TransactionPage, TrunkPage, VobizClient, VobizResponseError } from '../../src/vobiz/index.js';
import { isLastPage, paginate } from '../../src/vobiz/pagination.js';

const ORIGIN = 'http://vobiz.test';
let agent: MockAgent;
let client: VobizClient;
let requests: string[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  requests = [];
  client = new VobizClient({ baseUrl: ORIGIN, partnerAuthId: 'PA_T', partnerAuthToken: 'tok-123456', dispatcher: agent });
});
afterEach(async () => {
  await client.close();
  await agent.close();
});

/** Serves `pages[i]` for the i-th request on `path`, recording each request's path+query. */
function pages(path: string, bodies: unknown[]) {
  agent
    .get(ORIGIN)
    .intercept({ path: (p) => p.split('?')[0] === path, method: 'GET' })
    .reply((opts) => {
      const body = bodies[requests.length];
      requests.push(opts.path);
      return { statusCode: 200, data: JSON.stringify(body ?? {}), responseOptions: { headers: { 'content-type': 'application/json' } } };
    })
    .persist();
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const acct = (n: number) => ({ auth_id: `MA_${String(n).padStart(8, '0')}`, cash_credits: '1.00000' });

describe('pagination families', () => {
  it('partner accounts {accounts,total,page,size}: stops when total is reached', async () => {
    pages('/api/v1/partner/accounts', [
      { accounts: [acct(1), acct(2)], total: 5, page: 1, size: 2 },
      { accounts: [acct(3), acct(4)], total: 5, page: 2, size: 2 },
      { accounts: [acct(5)], total: 5, page: 3, size: 2 },
      { accounts: [acct(99)], total: 5, page: 4, size: 2 }, // must never be fetched
    ]);
    const rows = await collect(client.iterateAccounts({ perPage: 2, search: 'acme' }));
    expect(rows.map((r) => r.auth_id)).toEqual([1, 2, 3, 4, 5].map((n) => acct(n).auth_id));
    expect(requests).toEqual([1, 2, 3].map((p) => `/api/v1/partner/accounts?page=${p}&per_page=2&search=acme`));
  });

  it('KYC sessions {sessions,total,page,size}: stops on an empty page when total lies', async () => {
    pages('/api/v1/partner/kyc-sessions', [
      { sessions: [{ id: 'a', status: 'revoked' }], total: 10, page: 1, size: 1 },
      { sessions: [{ session_id: 'b', session_status: 'email_sent' }], total: 10, page: 2, size: 1 },
      { sessions: [], total: 10, page: 3, size: 1 },
    ]);
    const rows = await collect(client.iterateKycSessions({ size: 1, status: 'revoked', accountAuthId: 'MA_X' }));
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      ['a', 'revoked'],
      ['b', 'email_sent'],
    ]);
    expect(requests[0]).toBe('/api/v1/partner/kyc-sessions?page=1&size=1&status=revoked&account_auth_id=MA_X');
    expect(requests).toHaveLength(3);
  });

  it('transactions {transactions,…,total_pages}: stops at total_pages', async () => {
    const tx = (id: string, amount: number | string) => ({ id, type: 'credit', amount, currency: 'INR' });
    pages('/api/v1/partner/accounts/MA_X/transactions', [
      { transactions: [tx('t1', 0.1), tx('t2', '0.20000')], total: 3, page: 1, per_page: 2, total_pages: 2 },
      { transactions: [tx('t3', 0.3)], total: 3, page: 2, per_page: 2, total_pages: 2 },
    ]);
    const rows = await collect(client.iterateTransactions('MA_X', { perPage: 2 }));
    expect(rows.map((r) => r.id)).toEqual(['t1', 't2', 't3']);
    // Exact sums across pages.
    expect(Money.sum(rows.map((r) => r.amount)).toString()).toBe('0.60000');
    expect(requests).toHaveLength(2);
  });

  it('partner numbers {items,page,per_page,total}', async () => {
    pages('/api/v1/partner/accounts/MA_X/numbers', [
      { items: [{ e164: '+911' }, { e164: '+912' }], page: 1, per_page: 2, total: 3 },
      { items: [{ e164: '+913' }], page: 2, per_page: 2, total: 3 },
    ]);
    const rows = await collect(client.iterateNumbers('MA_X', { perPage: 2 }));
    expect(rows.map((r) => r.e164)).toEqual(['+911', '+912', '+913']);
    expect(requests).toHaveLength(2);
  });

  it('inventory numbers (customer) {items,page,per_page,total}', async () => {
    pages('/api/v1/Account/MA_X/inventory/numbers', [
      { items: [{ e164: '+911', setup_fee: 100 }], page: 1, per_page: 1, total: 2 },
      { items: [{ e164: '+912', setup_fee: 100 }], page: 2, per_page: 1, total: 2 },
    ]);
    const c = client.customer({ authId: 'MA_X', authToken: 'ctok-123456' });
    const rows = await collect(c.iterateInventoryNumbers({ country: 'IN', perPage: 1, exclude: ['9180', '9122'] }));
    expect(rows).toHaveLength(2);
    expect(requests[0]).toBe('/api/v1/Account/MA_X/inventory/numbers?country=IN&exclude=9180&exclude=9122&page=1&per_page=1');
  });

  it('CDRs {data, pagination{has_next}}: stops when has_next is false (partner and customer)', async () => {
    const cdr = (uuid: string) => ({ id: 1, uuid, total_cost: 0.08 });
    pages('/api/v1/partner/accounts/MA_X/cdrs', [
      { success: true, data: [cdr('a'), cdr('b')], pagination: { page: 1, per_page: 2, total: 99, pages: 50, has_next: true } },
      { success: true, data: [cdr('c')], pagination: { page: 2, per_page: 2, total: 99, pages: 50, has_next: false } },
    ]);
    const rows = await collect(client.iterateCdrs('MA_X', { perPage: 2, callDirection: 'inbound', minDuration: 10 }));
    expect(rows.map((r) => r.uuid)).toEqual(['a', 'b', 'c']);
    expect(requests[0]).toBe('/api/v1/partner/accounts/MA_X/cdrs?page=1&per_page=2&call_direction=inbound&min_duration=10');
    expect(requests).toHaveLength(2);

    requests = [];
    pages('/api/v1/Account/MA_X/cdr', [{ success: true, data: [cdr('z')], pagination: { has_next: false } }]);
    const c = client.customer({ authId: 'MA_X', authToken: 'ctok-123456' });
    expect((await collect(c.iterateCdrs())).map((r) => r.uuid)).toEqual(['z']);
  });

  it('partner-wide CDRs (GET /partner/cdrs): the same family, filters included, every customer\'s rows', async () => {
    pages('/api/v1/partner/cdrs', [
      { success: true, data: [{ uuid: 'a', account_id: 'MA_1' }, { uuid: 'b', account_id: 'MA_2' }], pagination: { page: 1, per_page: 2, has_next: true } },
      { success: true, data: [{ uuid: 'c', account_id: 'MA_1' }], pagination: { page: 2, per_page: 2, has_next: false } },
    ]);
    const rows = await collect(client.iteratePartnerCdrs({ perPage: 2, status: 'answered', maxDuration: 60, search: '98' }));
    expect(rows.map((r) => [r.uuid, r.account_id])).toEqual([['a', 'MA_1'], ['b', 'MA_2'], ['c', 'MA_1']]);
    expect(requests[0]).toBe('/api/v1/partner/cdrs?page=1&per_page=2&status=answered&max_duration=60&search=98');
    expect(requests).toHaveLength(2);
  });

  it('a CDR row carrying `call_id` and `status` (the PyPI SDK README\'s keys) instead of `uuid` is read with call_id as its uuid', async () => {
    pages('/api/v1/partner/accounts/MA_X/cdrs', [
      { success: true, data: [{ call_id: 'legacy-1', status: 'answered', duration: 12 }, { uuid: 'u-2', call_id: 'other' }], pagination: { has_next: false } },
    ]);
    const rows = await collect(client.iterateCdrs('MA_X'));
    expect(rows.map((r) => r.uuid)).toEqual(['legacy-1', 'u-2']);
    expect(rows[0]).toMatchObject({ status: 'answered', duration: 12 });
    requests = [];
    pages('/api/v1/partner/accounts/MA_Y/cdrs', [{ success: true, data: [{ duration: 1 }], pagination: { has_next: false } }]);
    await expect(collect(client.iterateCdrs('MA_Y'))).rejects.toBeInstanceOf(VobizResponseError);
  });

  it('trunks {meta{limit,offset,total},objects}: offset-based', async () => {
    pages('/api/v1/Account/MA_X/trunks', [
      { meta: { limit: 2, offset: 0, total: 3 }, objects: [{ trunk_id: 't1' }, { trunk_id: 't2' }] },
      { meta: { limit: 2, offset: 2, total: 3 }, objects: [{ trunk_id: 't3' }] },
    ]);
    const c = client.customer({ authId: 'MA_X', authToken: 'ctok-123456' });
    const rows = await collect(c.iterateTrunks({ limit: 2 }));
    expect(rows.map((r) => r.trunk_id)).toEqual(['t1', 't2', 't3']);
    expect(requests).toEqual(['/api/v1/Account/MA_X/trunks?limit=2&offset=0', '/api/v1/Account/MA_X/trunks?limit=2&offset=2']);
  });

  it('customer owned numbers', async () => {
    pages('/api/v1/Account/MA_X/numbers', [{ items: [], page: 1, per_page: 25, total: 0 }]);
    const c = client.customer({ authId: 'MA_X', authToken: 'ctok-123456' });
    expect(await collect(c.iterateNumbers())).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it('honours the signal between pages', async () => {
    pages('/api/v1/partner/accounts', [
      { accounts: [acct(1)], total: 3 },
      { accounts: [acct(2)], total: 3 },
      { accounts: [acct(3)], total: 3 },
    ]);
    const ac = new AbortController();
    const reason = new Error('stop');
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const a of client.iterateAccounts({}, { signal: ac.signal })) {
          seen.push(a.auth_id);
          ac.abort(reason);
        }
      })(),
    ).rejects.toBe(reason);
    expect(seen).toHaveLength(1);
    expect(requests).toHaveLength(1);
  });

  it('guards: short page without totals ends, maxPages caps a server that ignores paging', async () => {
    const short = await collect(paginate(async () => ({ items: [1] }), { cursor: 'page', pageSize: 5 }));
    expect(short).toEqual([1]);
    let calls = 0;
    const capped = await collect(
      paginate(
        async () => {
          calls++;
          return { items: [1, 2], hasNext: true };
        },
        { cursor: 'page', maxPages: 3 },
      ),
    );
    expect(capped).toHaveLength(6);
    expect(calls).toBe(3);
  });
});

describe('each family reads its envelope as a PageInfo', () => {
  it('accounts and KYC sessions {<rows>,total,page,size}: total', () => {
    expect(AccountPage.info(AccountPage.envelope.parse({ accounts: [acct(1)], total: '7', page: 1, size: 1 }))).toEqual({
      items: [expect.objectContaining({ auth_id: acct(1).auth_id })],
      total: 7,
    });
    expect(KycSessionPage.info(KycSessionPage.envelope.parse({ sessions: [], total: 0 }))).toEqual({ items: [], total: 0 });
  });

  it('transactions: total and total_pages', () => {
    expect(TransactionPage.info(TransactionPage.envelope.parse({ transactions: [], total: 3, total_pages: 2 }))).toEqual({ items: [], total: 3, totalPages: 2 });
  });

  it('numbers and inventory {items,page,per_page,total}: total', () => {
    expect(NumberPage.info(NumberPage.envelope.parse({ items: [{ e164: '+911' }], total: 1 }))).toEqual({ items: [expect.objectContaining({ e164: '+911' })], total: 1 });
  });

  it('CDRs: has_next, pages and total from `pagination`, none of them when it is absent', () => {
    const page = CdrPage.envelope.parse({ data: [], pagination: { has_next: true, pages: 4, total: 80 } });
    expect(CdrPage.info(page)).toEqual({ items: [], hasNext: true, totalPages: 4, total: 80 });
    expect(CdrPage.info(CdrPage.envelope.parse({ data: [], pagination: null }))).toEqual({ items: [], hasNext: undefined, totalPages: undefined, total: undefined });
  });

  it('trunks {meta{limit,offset,total},objects}: total, paged by offset', () => {
    expect(TrunkPage.cursor).toBe('offset');
    expect(TrunkPage.info(TrunkPage.envelope.parse({ meta: { total: 2 }, objects: [{ id: 't1' }] }))).toEqual({ items: [expect.objectContaining({ trunk_id: 't1' })], total: 2 });
    expect([AccountPage, KycSessionPage, TransactionPage, NumberPage, CdrPage].map((p) => p.cursor)).toEqual(['page', 'page', 'page', 'page', 'page']);
  });

  it('an envelope without its rows breaks the contract: VobizResponseError naming the rows key', async () => {
    pages('/api/v1/partner/accounts/MA_X/transactions', [{ total: 3, total_pages: 2 }]);
    const err = await collect(client.iterateTransactions('MA_X')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VobizResponseError);
    expect((err as VobizResponseError).issues.map((i) => i.path)).toEqual(['transactions']);
  });
});

describe('the end rule', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('an empty page ends the listing, whatever the markers say', () => {
    expect(isLastPage({ items: [], hasNext: true, total: 100, totalPages: 10 }, { page: 1, seen: 0 })).toBe(true);
  });

  it('has_next: false ends it, true carries on even after a short page', () => {
    expect(isLastPage({ items: rows(5), hasNext: false }, { page: 1, seen: 5, pageSize: 5 })).toBe(true);
    expect(isLastPage({ items: rows(2), hasNext: true }, { page: 1, seen: 2, pageSize: 5 })).toBe(false);
  });

  it('total_pages ends it on that page', () => {
    expect(isLastPage({ items: rows(2), totalPages: 3 }, { page: 2, seen: 4 })).toBe(false);
    expect(isLastPage({ items: rows(2), totalPages: 3 }, { page: 3, seen: 6 })).toBe(true);
  });

  it('total ends it once that many rows are read, and a short page does not end it before', () => {
    expect(isLastPage({ items: rows(2), total: 5 }, { page: 2, seen: 4, pageSize: 2 })).toBe(false);
    expect(isLastPage({ items: rows(1), total: 5 }, { page: 3, seen: 5, pageSize: 2 })).toBe(true);
    expect(isLastPage({ items: rows(1), total: 5 }, { page: 1, seen: 1, pageSize: 2 })).toBe(false);
  });

  it('without any marker a short page ends it; a full page, or an unknown page size, does not', () => {
    expect(isLastPage({ items: rows(1) }, { page: 1, seen: 1, pageSize: 2 })).toBe(true);
    expect(isLastPage({ items: rows(2) }, { page: 1, seen: 2, pageSize: 2 })).toBe(false);
    expect(isLastPage({ items: rows(1) }, { page: 1, seen: 1 })).toBe(false);
  });
});

describe('the page loop', () => {
  it('asks for page numbers from 1, or for the offset of the rows already read from 0', async () => {
    const asked: number[] = [];
    const fetch = async (at: number) => {
      asked.push(at);
      return { items: [at, at], total: 6 };
    };
    expect(await collect(paginate(fetch, { cursor: 'page' }))).toHaveLength(6);
    expect(asked).toEqual([1, 2, 3]);
    asked.length = 0;
    expect(await collect(paginate(fetch, { cursor: 'offset' }))).toHaveLength(6);
    expect(asked).toEqual([0, 2, 4]);
  });

  it('stops at maxPages on either cursor when the server never says it is done', async () => {
    for (const cursor of ['page', 'offset'] as const) {
      let calls = 0;
      const rows = await collect(paginate(async () => ({ items: [calls++] }), { cursor, maxPages: 4 }));
      expect(rows).toEqual([0, 1, 2, 3]);
    }
  });

  it('an aborted signal rejects with its reason before any request, and reaches every request', async () => {
    const reason = new Error('cancelled');
    let calls = 0;
    const aborted = AbortSignal.abort(reason);
    await expect(collect(paginate(async () => ({ items: [calls++] }), { cursor: 'page', signal: aborted }))).rejects.toBe(reason);
    expect(calls).toBe(0);

    const ac = new AbortController();
    const signals: Array<AbortSignal | undefined> = [];
    const rows = paginate(
      async (_at, o) => {
        signals.push(o.signal);
        return { items: [1], hasNext: true };
      },
      { cursor: 'page', signal: ac.signal },
    );
    await rows.next();
    await rows.next();
    expect(signals).toEqual([ac.signal, ac.signal]);
    ac.abort(reason);
    await expect(rows.next()).rejects.toBe(reason);
    expect(signals).toHaveLength(2);
  });
});

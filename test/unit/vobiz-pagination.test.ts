import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockAgent } from 'undici';
import { Money, VobizClient, paginateByPage } from '../../src/vobiz/index.js';

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
    const short = await collect(paginateByPage(async () => ({ items: [1] }), { pageSize: 5 }));
    expect(short).toEqual([1]);
    let calls = 0;
    const capped = await collect(
      paginateByPage(
        async () => {
          calls++;
          return { items: [1, 2], hasNext: true };
        },
        { maxPages: 3 },
      ),
    );
    expect(capped).toHaveLength(6);
    expect(calls).toBe(3);
  });
});

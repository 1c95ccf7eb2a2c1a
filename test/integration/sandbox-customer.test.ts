/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- raw JSON responses are inspected field by field */
// Customer API of the sandbox: auth rules, inventory and purchase (with rollback), release, trunks, CDRs, ledger.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.close();
});

async function funded(amount: number) {
  const c = await createCustomer(t);
  if (amount > 0) await t.api('POST', `/api/v1/partner/accounts/${c.authId}/transfer-balance`, { amount, currency: 'INR' });
  return c;
}

describe('customer auth', () => {
  it('partner creds are 401, another account id is 403 mismatch, both path casings work', async () => {
    const c = await funded(0);
    const partner = await t.api('GET', `/api/v1/Account/${c.authId}/trunks`);
    expect(partner.status).toBe(401);
    expect(partner.body).toEqual({ error: { code: 401, message: 'Invalid token' } });
    const other = await createCustomer(t);
    const mismatch = await t.api('GET', `/api/v1/Account/${other.authId}/trunks`, undefined, c.headers);
    expect(mismatch.status).toBe(403);
    expect(mismatch.body).toEqual({ error: { code: 403, message: 'Access denied: account ID mismatch' } });
    expect((await t.api('GET', `/api/v1/Account/${c.authId}/trunks`, undefined, c.headers)).status).toBe(200);
    expect((await t.api('GET', `/api/v1/account/${c.authId}/trunks`, undefined, c.headers)).status).toBe(200);
  });

  it('strict path casing refuses what the real API does not serve, as an unknown route', async () => {
    const c = await funded(500);
    const bought = await t.api('POST', `/api/v1/Account/${c.authId}/numbers/purchase-from-inventory`, { e164: '+918071387140' }, c.headers);
    expect(bought.status).toBe(200);
    const e164 = encodeURIComponent('+918071387140');
    expect((await t.api('DELETE', `/api/v1/Account/${c.authId}/numbers/${e164}`, undefined, c.headers)).status).toBe(200);
    await t.admin.setSettings({ strictPathCasing: true });
    try {
      const wrong = await t.api('GET', `/api/v1/account/${c.authId}/trunks`, undefined, c.headers);
      expect(wrong.status).toBe(404);
      expect(wrong.body).toMatchObject({ error: 'not_found' });
      expect((await t.api('GET', `/api/v1/Account/${c.authId}/trunks`, undefined, c.headers)).status).toBe(200);
      // Documented in both casings: transactions and CDR search.
      expect((await t.api('GET', `/api/v1/account/${c.authId}/transactions`, undefined, c.headers)).status).toBe(200);
      expect((await t.api('GET', `/api/v1/account/${c.authId}/cdr/search`, undefined, c.headers)).status).toBe(200);
      // cancel-release exists only in lowercase; the refusal changes nothing.
      expect((await t.api('POST', `/api/v1/Account/${c.authId}/numbers/${e164}/cancel-release`, undefined, c.headers)).status).toBe(404);
      const owned = await t.api('GET', `/api/v1/Account/${c.authId}/numbers`, undefined, c.headers);
      expect(owned.body.items[0]).toMatchObject({ e164: '+918071387140', status: 'pending_release' });
      expect((await t.api('POST', `/api/v1/account/${c.authId}/numbers/${e164}/cancel-release`, undefined, c.headers)).status).toBe(200);
    } finally {
      await t.admin.setSettings({ strictPathCasing: false });
    }
    expect((await t.api('GET', `/api/v1/account/${c.authId}/trunks`, undefined, c.headers)).status).toBe(200);
  });
});

describe('profile and concurrency', () => {
  it('GET /auth/me is the account of the credentials (X-Auth-* or Basic); 401 otherwise', async () => {
    const c = await funded(0);
    const me = await t.api('GET', '/api/v1/auth/me', undefined, c.headers);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ auth_id: c.authId, email: c.email, auth_secret: '<redacted>', concurrent_calls_limit: 4, is_verified: false });
    expect(JSON.stringify(me.body)).not.toContain(c.authToken);
    const basic = { authorization: `Basic ${Buffer.from(`${c.authId}:${c.authToken}`).toString('base64')}` };
    expect((await t.api('GET', '/api/v1/auth/me', undefined, basic)).body.auth_id).toBe(c.authId);
    expect((await t.api('GET', '/api/v1/auth/me')).status).toBe(401); // partner creds are not an account
  });

  it('GET /Account/{id}/concurrency reports the limit; another account is 403', async () => {
    const c = await funded(0);
    const res = await t.api('GET', `/api/v1/Account/${c.authId}/concurrency`, undefined, c.headers);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ account_id: c.authId, concurrent_calls: 0, max_concurrent: 4, utilization_pct: 0 });
    expect(res.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const other = await createCustomer(t);
    expect((await t.api('GET', `/api/v1/Account/${other.authId}/concurrency`, undefined, c.headers)).status).toBe(403);
  });
});

describe('numbers', () => {
  it('inventory lists 50 Indian numbers with {items,page,per_page,total}', async () => {
    const c = await funded(0);
    const res = await t.api('GET', `/api/v1/account/${c.authId}/inventory/numbers?country=IN&page=1&per_page=25`, undefined, c.headers);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, per_page: 25 });
    expect(res.body.total).toBeGreaterThanOrEqual(45);
    expect(res.body.items[0]).toMatchObject({ country: 'IN', setup_fee: 100, monthly_fee: 300, currency: 'INR', status: 'active' });
    expect(res.body.items[0].e164).toMatch(/^\+9180\d{8}$/);
    const capped = await t.api('GET', `/api/v1/account/${c.authId}/inventory/numbers?per_page=500`, undefined, c.headers);
    expect(capped.body.per_page).toBe(100);
    const searched = await t.api('GET', `/api/v1/account/${c.authId}/inventory/numbers?search=%2B918071387110`, undefined, c.headers);
    expect(searched.body.items.map((n: any) => n.e164)).toEqual(['+918071387110']);
  });

  it('purchase debits setup+monthly; insufficient balance is 500 with rollback; unknown is 404', async () => {
    const poor = await funded(100);
    const fail = await t.api('POST', `/api/v1/account/${poor.authId}/numbers/purchase-from-inventory`, { e164: '+918071387120' }, poor.headers);
    expect(fail.status).toBe(500);
    expect(fail.body).toEqual({ error: 'internal_server_error', message: 'failed to purchase number' });
    expect((await t.api('GET', `/api/v1/partner/accounts/${poor.authId}/balance`)).body.cash_credits).toBe('100.00000');

    const rich = await funded(1000);
    const ok = await t.api('POST', `/api/v1/account/${rich.authId}/numbers/purchase-from-inventory`, { e164: '+918071387120' }, rich.headers);
    expect(ok.status).toBe(200);
    expect(ok.body.message).toBe('Number purchased successfully');
    expect(ok.body.number).toMatchObject({ e164: '+918071387120', source: 'inventory', account_id: rich.authId });
    expect((await t.api('GET', `/api/v1/partner/accounts/${rich.authId}/balance`)).body.cash_credits).toBe('600.00000');
    const again = await t.api('POST', `/api/v1/account/${rich.authId}/numbers/purchase-from-inventory`, { e164: '+918071387120' }, rich.headers);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: 'not_found', message: 'number not found in inventory' });

    const owned = await t.api('GET', `/api/v1/account/${rich.authId}/numbers`, undefined, rich.headers);
    expect(owned.body).toMatchObject({ total: 1, page: 1, per_page: 25 });
    const partnerView = await t.api('GET', `/api/v1/partner/accounts/${rich.authId}/numbers`);
    expect(partnerView.body).toMatchObject({ total: 1, account_auth_id: rich.authId });

    const notMine = await t.api('DELETE', `/api/v1/account/${poor.authId}/numbers/%2B918071387120`, undefined, poor.headers);
    expect(notMine.status).toBe(403);
    expect(notMine.body).toEqual({ error: 'forbidden', message: 'account does not own this number' });
    const release = await t.api('DELETE', `/api/v1/account/${rich.authId}/numbers/%2B918071387120`, undefined, rich.headers);
    expect(release.status).toBe(200);
    expect(release.body).toMatchObject({ status: 'pending_release', message: 'number release initiated', cancel_url: `/api/v1/account/${rich.authId}/numbers/+918071387120/cancel-release` });
    expect(release.body).toHaveProperty('cooldown_ends_at');
    expect(release.body).toHaveProperty('release_fee');

    const tx = await t.api('GET', `/api/v1/account/${rich.authId}/transactions?per_page=5000`, undefined, rich.headers);
    expect(tx.body.per_page).toBe(50); // over-limit falls back to 50
    expect(tx.body.transactions[0]).toMatchObject({ type: 'debit', amount: 400, reference_type: 'did_purchase' });
    expect((await t.api('GET', `/api/v1/account/${rich.authId}/transactions?from_date=garbage`, undefined, rich.headers)).status).toBe(500);
  });
});

describe('trunks', () => {
  it('CRUD with both field styles; list meta/objects; 404 and 204', async () => {
    const c = await funded(0);
    const base = `/api/v1/account/${c.authId}/trunks`;
    const seed = await t.api('POST', base, { name: 'My SIP Trunk', trunk_status: 'enabled', secure: false, trunk_direction: 'outbound', concurrent_calls_limit: 10, cps_limit: 5, transport: 'udp' }, c.headers);
    expect(seed.status).toBe(201);
    expect(seed.body).toMatchObject({ account_id: c.authId, name: 'My SIP Trunk', trunk_status: 'enabled', secure: false, trunk_direction: 'outbound', concurrent_calls_limit: 10, cps_limit: 5, transport: 'udp' });
    expect(seed.body).not.toHaveProperty('auth_id'); // neither the docs' trunk object nor the SDK model has it
    expect(seed.body.trunk_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seed.body.trunk_domain).toBe(`${seed.body.trunk_id}.sip.vobiz.ai`);
    const prose = await t.api('POST', base, { name: 'Prose', trunk_type: 'INBOUND', max_concurrent_calls: 3, enabled: false }, c.headers);
    expect(prose.body).toMatchObject({ trunk_direction: 'inbound', concurrent_calls_limit: 3, trunk_status: 'disabled', cps_limit: 2 });
    expect((await t.api('POST', base, { trunk_status: 'enabled' }, c.headers)).status).toBe(400);

    const list = await t.api('GET', `${base}?limit=1&offset=1`, undefined, c.headers);
    expect(list.body.meta).toEqual({ limit: 1, offset: 1, total: 2 });
    expect(list.body.objects[0].name).toBe('Prose');
    const put = await t.api('PUT', `${base}/${seed.body.trunk_id}`, { name: 'Renamed', max_concurrent_calls: 20, enabled: true, trunk_id: 'nope' }, c.headers);
    expect(put.body).toMatchObject({ name: 'Renamed', concurrent_calls_limit: 20, trunk_status: 'enabled', trunk_id: seed.body.trunk_id });
    expect((await t.api('GET', `${base}/${seed.body.trunk_id}`, undefined, c.headers)).body.name).toBe('Renamed');
    const del = await t.api('DELETE', `${base}/${seed.body.trunk_id}`, undefined, c.headers);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const gone = await t.api('GET', `${base}/${seed.body.trunk_id}`, undefined, c.headers);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: 'not_found', message: 'trunk not found' });
  });

  it('optional keys: in the list when set; on single objects only with the prose shape', async () => {
    const c = await funded(0);
    const base = `/api/v1/Account/${c.authId}/trunks`;
    const made = await t.api('POST', base, { name: 'hooked', webhook_url: 'https://partner.example/hook', pii_entity_types: ['phone', 'email'], ipacl_uuid: 'acl-1' }, c.headers);
    expect(made.body).not.toHaveProperty('webhook_url');
    const listed = (await t.api('GET', base, undefined, c.headers)).body.objects[0];
    expect(listed).toMatchObject({ webhook_url: 'https://partner.example/hook', pii_entity_types: 'phone,email' });
    expect(listed).not.toHaveProperty('ipacl_uuid');
    await t.admin.setSettings({ responseShape: 'prose' });
    try {
      expect((await t.api('GET', `${base}/${made.body.trunk_id}`, undefined, c.headers)).body).toMatchObject({ webhook_url: 'https://partner.example/hook' });
    } finally {
      await t.admin.setSettings({ responseShape: 'sdk' });
    }
  });
});

describe('traffic and CDRs', () => {
  it('needs an enabled trunk; answered calls are debited per started minute; filters and envelopes agree', async () => {
    const c = await funded(1000);
    await expect(t.admin.traffic({ account_auth_id: c.authId, calls: 1 })).rejects.toThrow(/409/);
    await t.api('POST', `/api/v1/account/${c.authId}/trunks`, { name: 'T', trunk_direction: 'outbound' }, c.headers);
    const gen = await t.admin.traffic({ account_auth_id: c.authId, calls: 12, mix: { answered: 2, busy: 1, no_answer: 1, failed: 1 } });
    expect(gen.generated).toBe(12);
    const cdr = gen.cdrs[0]!;
    expect(Object.keys(cdr)).toHaveLength(43);
    const totalCost = gen.cdrs.reduce((s, x) => s + x.total_cost, 0);
    for (const x of gen.cdrs) {
      const billsec = x.billsec as number;
      expect(x.total_cost).toBeCloseTo(Math.ceil(billsec / 60) * 0.5, 5);
      if (x.answer_time === null) expect(billsec).toBe(0);
    }
    expect(gen.balance_after).toBeCloseTo(1000 - totalCost, 5);

    const all = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/cdrs?per_page=5`);
    expect(all.body.pagination).toMatchObject({ page: 1, per_page: 5, total: 12, pages: 3, has_next: true, has_prev: false });
    expect(all.body.count).toBe(5);
    expect(all.body.summary.total_calls).toBe(12);
    expect(all.body.summary.avg_call_duration).toMatch(/^\d+s$/);
    expect(all.body.summary.total_cost).toBeCloseTo(totalCost, 5);
    const answered = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/cdrs?status=answered&call_direction=outbound&per_page=100`);
    expect(answered.body.data.every((x: any) => x.answer_time !== null)).toBe(true);
    const one = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/cdrs/${cdr.uuid}`);
    expect(one.body.uuid).toBe(cdr.uuid); // bare object

    const custList = await t.api('GET', `/api/v1/account/${c.authId}/cdrs?status=failed`, undefined, c.headers);
    expect(custList.status).toBe(200);
    expect(custList.body.success).toBe(true);
    expect(custList.body).not.toHaveProperty('account_auth_id');
    expect(custList.body.data.every((x: any) => x.answer_time === null && !['USER_BUSY', 'NO_ANSWER', 'ORIGINATOR_CANCEL'].includes(x.hangup_cause))).toBe(true);
    const byCause = await t.api('GET', `/api/v1/Account/${c.authId}/cdr?hangup_cause=NORMAL_CLEARING`, undefined, c.headers);
    expect(byCause.body.data.every((x: any) => x.hangup_cause === 'NORMAL_CLEARING')).toBe(true);
    expect((await t.api('GET', `/api/v1/Account/${c.authId}/cdr/${cdr.uuid}`, undefined, c.headers)).body).toMatchObject({ success: true, data: { uuid: cdr.uuid } });
    expect((await t.api('GET', `/api/v1/Account/${c.authId}/cdr?start_date=2026-01-01`, undefined, c.headers)).status).toBe(400);

    const debits = await t.api('GET', `/api/v1/partner/accounts/${c.authId}/transactions?transaction_type=debit&per_page=200`);
    expect(debits.body.transactions.length).toBe(gen.cdrs.filter((x) => x.total_cost > 0).length);
  });
});

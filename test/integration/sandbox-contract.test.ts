/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- raw JSON responses are read field by field */
// Contract: a whole onboarding through the sandbox's public API, every response checked against Vobiz's SDK models
// (strict: an unknown key fails, as in Vobiz's own pydantic SDK) and, where the SDK leaves a body open, against the
// prose docs' shapes. Empty and populated lists, pagination and the documented error bodies are all covered.
// The few places where the two sources conflict and the sandbox follows the prose are the `Choice.*` schemas below,
// each listed in docs/sandbox.md ("SDK models vs prose docs").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCustomer, startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';
import * as SDK from '../contract/sdk-models.js';
import * as Doc from '../contract/doc-shapes.js';
import { expectConform } from '../contract/conform.js';

/**
 * The sandbox's documented choices where the SDK models and the prose docs cannot both hold. Each relaxes exactly the
 * named fields of one strict model (the result is still strict).
 */
const Choice = {
  /** Conflict 1: ledger amounts are decimals (docs §5.7, §8: "examples include 0.9, 0.08"); the partner model says int. */
  partnerTransactions: SDK.ListCustomerTransactionsResponse.extend({
    transactions: z.array(SDK.ListCustomerTransactionsResponseTransactionsItem.extend({ amount: z.number() })),
    summary: SDK.ListCustomerTransactionsResponseSummary.extend({
      total_debit: z.number(), total_credit: z.number(), net_amount: z.number(),
      by_reference_type: z.array(z.strictObject({ reference_type: z.string(), total_debit: z.number(), total_credit: z.number(), count: z.number().int() })),
    }),
  }),
  /** Conflict 1 (customer side): `total_credit` int in the customer model too. */
  customerTransactions: SDK.ListTransactionsResponse.extend({
    summary: z.strictObject({
      total_transactions: z.number().int(), total_debit: z.number(), total_credit: z.number(), net_amount: z.number(),
      by_reference_type: z.array(z.strictObject({ reference_type: z.string(), total_debit: z.number(), total_credit: z.number(), count: z.number().int() })),
    }),
  }),
  /** Conflict 2: the partner CDR summary's `total_cost` is money and `answer_rate` a percentage with decimals (the
   * customer model types both float); the partner model says int. */
  partnerCdrs: SDK.ListCustomerCdrsResponse.extend({ summary: SDK.ListCustomerCdrsResponseSummary.extend({ total_cost: z.number(), answer_rate: z.number() }) }),
  /** Conflict 3: an unanswered call has `answer_time: null` etc. (docs §6.2); GetCdrResponseData (an answered example)
   * requires them. The single CDR follows the list item model, which allows both. */
  getCdr: z.strictObject({ data: SDK.CdrListItem, success: z.boolean() }),
};

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.close();
});

const P = '/api/v1/partner';
const state: { a?: Awaited<ReturnType<typeof createCustomer>>; b?: Awaited<ReturnType<typeof createCustomer>>; sessionId?: string; trunkId?: string; number?: string; cdrs?: Array<{ uuid: string; answered: boolean }> } = {};
const customer = () => state.a!;
const C = () => `/api/v1/Account/${customer().authId}`;
const capi = (method: string, path: string, body?: unknown) => t.api(method, `${C()}${path}`, body, customer().headers);

describe('partner profile, dashboard and accounts', () => {
  it('profile and an empty dashboard', async () => {
    expectConform('GET /me', SDK.GetPartnerProfileResponse, await t.api('GET', `${P}/me`));
    expectConform('GET /dashboard (empty)', SDK.GetPartnerDashboardResponse, await t.api('GET', `${P}/dashboard`));
  });

  it('accounts: empty list, create, get, populated and paged list', async () => {
    expectConform('GET /accounts (empty)', SDK.ListCustomerAccountsResponse, await t.api('GET', `${P}/accounts`));
    const created = await t.api('POST', `${P}/accounts`, { name: 'John Doe', email: 'contract-a@example.com', phone: '+919876543210', password: 'SecurePass123!', company: 'Acme Corp', country: 'IN' });
    expectConform('POST /accounts', Doc.CreatedAccount, created, 201);
    state.a = { authId: created.body.auth_id, authToken: created.body.auth_token, email: 'contract-a@example.com', headers: { 'x-auth-id': created.body.auth_id, 'x-auth-token': created.body.auth_token } };
    state.b = await createCustomer(t, { name: 'Second Customer' });
    expectConform('GET /accounts/{id}', SDK.ListCustomerAccountsResponseAccountsItem, await t.api('GET', `${P}/accounts/${customer().authId}`));
    const page2 = await t.api('GET', `${P}/accounts?page=2&per_page=1`);
    expectConform('GET /accounts?page=2&per_page=1', SDK.ListCustomerAccountsResponse, page2);
    expect(page2.body).toMatchObject({ total: 2, page: 2, size: 1 });
    expect(page2.body.accounts).toHaveLength(1);
  });

  it('balance, empty transactions, transfer, populated transactions', async () => {
    expectConform('GET /accounts/{id}/balance', Doc.PartnerAccountBalance, await t.api('GET', `${P}/accounts/${customer().authId}/balance`));
    expectConform('GET /accounts/{id}/transactions (empty)', SDK.ListCustomerTransactionsResponse, await t.api('GET', `${P}/accounts/${customer().authId}/transactions`));
    expectConform('POST transfer-balance', Doc.Transfer, await t.api('POST', `${P}/accounts/${customer().authId}/transfer-balance`, { amount: 500, currency: 'INR', description: 'opening balance' }));
    expectConform('GET /accounts/{id}/transactions', Choice.partnerTransactions, await t.api('GET', `${P}/accounts/${customer().authId}/transactions?page=1&per_page=1`));
  });
});

describe('KYC sessions', () => {
  it('empty list, create (email and redirect), get, paged list', async () => {
    expectConform('GET /kyc-sessions (empty)', SDK.ListKycSessionsResponse, await t.api('GET', `${P}/kyc-sessions`));
    const created = await t.api('POST', `${P}/kyc-sessions`, { account_auth_id: customer().authId, reminder_schedule: [{ trigger: 'days_before_expiry', value: 3 }], metadata: { customer_ref: 'c-1', plan: 'pro' } });
    expectConform('POST /kyc-sessions (email)', Doc.CreatedKycSession, created, 201);
    state.sessionId = created.body.session_id;
    expectConform('POST /kyc-sessions (redirect)', Doc.CreatedKycSession, await t.api('POST', `${P}/kyc-sessions`, { account_auth_id: state.b!.authId, flow_type: 'redirect', redirect_url: 'https://partner.example/done' }), 201);
    expectConform('GET /kyc-sessions/{id}', SDK.ListKycSessionsResponseSessionsItem, await t.api('GET', `${P}/kyc-sessions/${state.sessionId}`));
    const paged = await t.api('GET', `${P}/kyc-sessions?page=2&size=1`);
    expectConform('GET /kyc-sessions?page=2&size=1', SDK.ListKycSessionsResponse, paged);
    expect(paged.body).toMatchObject({ total: 2, page: 2, size: 1 });
  });

  it('resend in the cooldown is the documented 429; revoke; terminal sessions are still valid sessions', async () => {
    expectConform('POST resend (cooldown)', Doc.PartnerHttpError, await t.api('POST', `${P}/kyc-sessions/${state.sessionId}/resend`), 429);
    const superseding = await t.api('POST', `${P}/kyc-sessions`, { account_auth_id: customer().authId });
    expectConform('GET superseded session', SDK.ListKycSessionsResponseSessionsItem, await t.api('GET', `${P}/kyc-sessions/${state.sessionId}`));
    expectConform('DELETE /kyc-sessions/{id}', Doc.RevokedKycSession, await t.api('DELETE', `${P}/kyc-sessions/${superseding.body.session_id}`, { reason: 'customer asked' }));
    expectConform('DELETE again (terminal)', Doc.PartnerHttpError, await t.api('DELETE', `${P}/kyc-sessions/${superseding.body.session_id}`), 409);
    const failed = await t.api('POST', `${P}/kyc-sessions`, { account_auth_id: customer().authId });
    await t.admin.failKyc(failed.body.session_id as string, 'Name mismatch');
    expectConform('GET failed session', SDK.ListKycSessionsResponseSessionsItem, await t.api('GET', `${P}/kyc-sessions/${failed.body.session_id}`));
    const done = await t.api('POST', `${P}/kyc-sessions`, { account_auth_id: customer().authId, metadata: { customer_ref: 'c-1', plan: 'pro' } });
    await t.admin.completeKyc(done.body.session_id as string, { pan: 'ABCPE1234K' });
    expectConform('GET completed session', SDK.ListKycSessionsResponseSessionsItem, await t.api('GET', `${P}/kyc-sessions/${done.body.session_id}`));
    expectConform('GET /kyc-sessions (populated)', SDK.ListKycSessionsResponse, await t.api('GET', `${P}/kyc-sessions?account_auth_id=${customer().authId}`));
    expectConform('GET unknown session', Doc.PartnerHttpError, await t.api('GET', `${P}/kyc-sessions/00000000-0000-4000-8000-000000000000`), 404);
  });
});

describe('customer API', () => {
  it('profile, concurrency, balance, transactions', async () => {
    expectConform('GET /auth/me', SDK.RetrieveAccountResponse, await t.api('GET', '/api/v1/auth/me', undefined, customer().headers));
    expectConform('GET /concurrency', SDK.GetConcurrencyResponse, await capi('GET', '/concurrency'));
    expectConform('GET /balance/INR', SDK.GetBalanceResponse, await capi('GET', '/balance/INR'));
    expectConform('GET /transactions', Choice.customerTransactions, await capi('GET', '/transactions'));
  });

  it('trunks: empty list, create, get, update, paged list, 404', async () => {
    expectConform('GET /trunks (empty)', SDK.ListTrunksResponse, await capi('GET', '/trunks'));
    const created = await capi('POST', '/trunks', { name: 'main', trunk_direction: 'outbound', webhook_url: 'https://partner.example/trunk', inbound_destination: 'sip:pbx@example.com' });
    expectConform('POST /trunks', SDK.TrunkResponse, created, 201);
    state.trunkId = created.body.trunk_id;
    await capi('POST', '/trunks', { name: 'backup', trunk_type: 'INBOUND', max_concurrent_calls: 2, pii_entity_types: ['phone', 'email'] });
    expectConform('GET /trunks/{id}', SDK.TrunkResponse, await capi('GET', `/trunks/${state.trunkId}`));
    expectConform('PUT /trunks/{id}', SDK.TrunkResponse, await capi('PUT', `/trunks/${state.trunkId}`, { description: 'main outbound trunk', trunk_status: 'enabled' }));
    const paged = await capi('GET', '/trunks?limit=1&offset=1');
    expectConform('GET /trunks?limit=1&offset=1', SDK.ListTrunksResponse, paged);
    expect(paged.body.meta).toEqual({ limit: 1, offset: 1, total: 2 });
    expectConform('GET /trunks (populated)', SDK.ListTrunksResponse, await capi('GET', '/trunks'));
    expectConform('GET /trunks/{unknown}', Doc.CustomerError, await capi('GET', '/trunks/00000000-0000-4000-8000-000000000000'), 404);
  });

  it('numbers: inventory pages, purchase, owned lists, release, cancel-release, 404', async () => {
    const inv = await capi('GET', '/inventory/numbers?page=2&per_page=5');
    expectConform('GET /inventory/numbers?page=2', SDK.ListInventoryNumbersResponse, inv);
    expect(inv.body).toMatchObject({ page: 2, per_page: 5 });
    state.number = inv.body.items[0].e164;
    expectConform('GET /numbers (empty)', SDK.ListNumbersResponse, await capi('GET', '/numbers'));
    expectConform('GET partner /numbers (empty)', SDK.ListCustomerNumbersResponse, await t.api('GET', `${P}/accounts/${customer().authId}/numbers`));
    expectConform('POST purchase-from-inventory', Doc.PurchasedNumber, await capi('POST', '/numbers/purchase-from-inventory', { e164: state.number }));
    expectConform('POST purchase (not in inventory)', Doc.CustomerError, await capi('POST', '/numbers/purchase-from-inventory', { e164: state.number }), 404);
    expectConform('GET /numbers', SDK.ListNumbersResponse, await capi('GET', '/numbers'));
    expectConform('GET partner /numbers', SDK.ListCustomerNumbersResponse, await t.api('GET', `${P}/accounts/${customer().authId}/numbers`));
    const e = encodeURIComponent(state.number!);
    expectConform('DELETE /numbers/{e164}', SDK.UnrentNumberResponse, await capi('DELETE', `/numbers/${e}`));
    expectConform('GET /numbers (pending_release)', SDK.ListNumbersResponse, await capi('GET', '/numbers'));
    expectConform('POST cancel-release', SDK.CancelNumberReleaseResponse, await t.api('POST', `/api/v1/account/${customer().authId}/numbers/${e}/cancel-release`, undefined, customer().headers));
    expectConform('GET /numbers (restored)', SDK.ListNumbersResponse, await capi('GET', '/numbers'));
  });

  it('CDRs: empty envelopes, then traffic: list, search, recent, single, partner views, dashboard', async () => {
    expectConform('GET /cdr (empty)', SDK.ListCdrsResponse, await capi('GET', '/cdr'));
    expectConform('GET /cdr/search (empty)', SDK.SearchCdrsResponse, await capi('GET', '/cdr/search'));
    expectConform('GET /cdr/recent (empty)', SDK.ListRecentCdrsResponse, await capi('GET', '/cdr/recent'));
    expectConform('GET partner /cdrs (empty)', SDK.ListCustomerCdrsResponse, await t.api('GET', `${P}/accounts/${customer().authId}/cdrs`));
    const traffic = await t.admin.traffic({ account_auth_id: customer().authId, calls: 12, mix: { answered: 6, failed: 2, busy: 2, no_answer: 2 } });
    expect(traffic.generated).toBe(12);
    expectConform('GET /cdr?page=2&per_page=5', SDK.ListCdrsResponse, await capi('GET', '/cdr?page=2&per_page=5'));
    expectConform('GET /cdr/search', SDK.SearchCdrsResponse, await capi('GET', '/cdr/search?call_direction=outbound'));
    expectConform('GET /cdr/recent', SDK.ListRecentCdrsResponse, await capi('GET', '/cdr/recent?limit=5'));
    expectConform('GET partner /cdrs', Choice.partnerCdrs, await t.api('GET', `${P}/accounts/${customer().authId}/cdrs?per_page=100`));
    const answered = traffic.cdrs.find((c) => c.answer_time !== null)!;
    const unanswered = traffic.cdrs.find((c) => c.answer_time === null)!;
    expectConform('GET /cdr/{uuid} (answered)', SDK.GetCdrResponse, await capi('GET', `/cdr/${answered.uuid}`));
    expectConform('GET /cdr/{uuid} (unanswered)', Choice.getCdr, await capi('GET', `/cdr/${unanswered.uuid}`));
    expectConform('GET partner /cdrs/{uuid}', Doc.BareCdr, await t.api('GET', `${P}/accounts/${customer().authId}/cdrs/${unanswered.uuid}`));
    expectConform('GET /cdr/{unknown}', Doc.CustomerError, await capi('GET', '/cdr/00000000-0000-4000-8000-000000000000'), 404);
    expectConform('GET /dashboard (traffic)', SDK.GetPartnerDashboardResponse, await t.api('GET', `${P}/dashboard`));
    expectConform('GET /accounts (populated)', SDK.ListCustomerAccountsResponse, await t.api('GET', `${P}/accounts`));
    expectConform('GET /transactions (calls)', Choice.customerTransactions, await capi('GET', '/transactions'));
    expectConform('GET partner /transactions (calls)', Choice.partnerTransactions, await t.api('GET', `${P}/accounts/${customer().authId}/transactions?per_page=200`));
  });
});

describe('error bodies of each family', () => {
  it('401, 403, 422, 400 insufficient balance, nested customer 401/403', async () => {
    expectConform('partner 401', Doc.PartnerHttpError, await t.api('GET', `${P}/me`, undefined, {}), 401);
    expectConform('partner 403 (customer creds)', Doc.PartnerHttpError, await t.api('GET', `${P}/me`, undefined, customer().headers), 403);
    expectConform('partner 422', Doc.PartnerValidationError, await t.api('GET', `${P}/accounts?per_page=500`), 422);
    expectConform('transfer 400', Doc.InsufficientBalanceError, await t.api('POST', `${P}/accounts/${customer().authId}/transfer-balance`, { amount: 10_000_000, currency: 'INR' }), 400);
    expectConform('customer 401', Doc.NestedError, await t.api('GET', `${C()}/trunks`, undefined, {}), 401);
    expectConform('customer 403', Doc.NestedError, await t.api('GET', `/api/v1/Account/${state.b!.authId}/trunks`, undefined, customer().headers), 403);
    expectConform('auth/me 401', Doc.NestedError, await t.api('GET', '/api/v1/auth/me', undefined, {}), 401);
  });
});

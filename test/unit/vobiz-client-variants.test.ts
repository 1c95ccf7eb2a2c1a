// Property test: the client accepts every response shape Vobiz may send. For each endpoint the client calls, bodies
// are generated from Vobiz's SDK models (test/contract/sdk-models.ts) and from the prose docs' variants
// (test/contract/doc-shapes.ts): optional keys absent or present, Optional values null, amounts as numbers or
// decimal strings, unknown keys added everywhere. The client must parse each one and keep what it promises
// (exact Money for amounts, normalised ids and statuses).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MockAgent } from 'undici';
import { z } from 'zod';
import { Money, VobizClient, type CustomerClient } from '../../src/vobiz/index.js';
import * as SDK from '../contract/sdk-models.js';
import * as Doc from '../contract/doc-shapes.js';
import { arbitraryOf } from '../contract/arbitrary.js';

const ORIGIN = 'http://vobiz.test';
const AUTH_ID = 'MA_ABCDEFGH';
const RUNS = 40;

let agent: MockAgent;
let client: VobizClient;
let customer: CustomerClient;
/** What the mock answers next, whatever the path. */
let nextBody: unknown;

beforeAll(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get(ORIGIN)
    .intercept({ path: () => true, method: () => true })
    .reply(() => ({ statusCode: 200, data: JSON.stringify(nextBody), responseOptions: { headers: { 'content-type': 'application/json' } } }))
    .persist();
  client = new VobizClient({ baseUrl: ORIGIN, partnerAuthId: 'PA_TEST0001', partnerAuthToken: 'partner-token', dispatcher: agent });
  customer = client.customer({ authId: AUTH_ID, authToken: 'customer-token' });
});
afterAll(async () => {
  await client.close();
  await agent.close();
});

type Json = Record<string, unknown>;

/** A generated amount (number or decimal string) and the Money the client made of it. */
function expectMoney(out: unknown, raw: unknown): void {
  if (raw === undefined || raw === null) return;
  expect(out).toBeInstanceOf(Money);
  expect((out as Money).equals(Money.parse(raw as string | number))).toBe(true);
}

interface Case {
  name: string;
  shapes: Array<[label: string, schema: z.ZodType]>;
  call: () => Promise<unknown>;
  check?: (out: Json, body: Json) => void;
}

const cdrItems = (body: Json) => body.data as Json[];
const checkCdrPage = (out: Json, body: Json) => {
  const data = out.data as Json[];
  expect(data.map((c) => c.uuid)).toEqual(cdrItems(body).map((c) => c.uuid));
  cdrItems(body).forEach((c, i) => expectMoney(data[i]!.total_cost, c.total_cost));
};
const checkTrunk = (out: Json, body: Json) => expect(out.trunk_id).toBe(body.trunk_id);

const CASES: Case[] = [
  {
    name: 'partner me',
    shapes: [['SDK', SDK.GetPartnerProfileResponse], ['prose', Doc.PartnerProfileProse]],
    call: () => client.me(),
    check: (out, body) => expectMoney(out.balance, body.balance),
  },
  {
    name: 'partner dashboard',
    shapes: [['SDK', SDK.GetPartnerDashboardResponse], ['OpenAPI example', Doc.DashboardOpenApiExample], ['older docs', Doc.DashboardOlderDocs]],
    call: () => client.dashboard(),
    check: (out, body) => expectMoney(out.total_balance, body.total_balance),
  },
  { name: 'create account', shapes: [['prose', Doc.CreatedAccount]], call: () => client.createAccount({ name: 'A', email: 'a@example.com', phone: '+919876543210', password: 'SecurePass123!', country: 'IN' }), check: (out, body) => expect(out.auth_id).toBe(body.auth_id) },
  {
    name: 'list accounts',
    shapes: [['SDK', SDK.ListCustomerAccountsResponse]],
    call: () => client.listAccounts(),
    check: (out, body) => (body.accounts as Json[]).forEach((a, i) => expectMoney((out.accounts as Json[])[i]!.cash_credits, a.cash_credits)),
  },
  { name: 'get account', shapes: [['SDK', SDK.ListCustomerAccountsResponseAccountsItem]], call: () => client.getAccount(AUTH_ID), check: (out, body) => expectMoney(out.cash_credits, body.cash_credits) },
  { name: 'account balance', shapes: [['prose', Doc.PartnerAccountBalance]], call: () => client.getAccountBalance(AUTH_ID), check: (out, body) => expectMoney(out.cash_credits, body.cash_credits) },
  { name: 'transfer', shapes: [['prose', Doc.Transfer]], call: () => client.transferBalance(AUTH_ID, { amount: 1, currency: 'INR' }), check: (out, body) => expectMoney(out.amount, body.amount) },
  {
    name: 'list transactions',
    shapes: [['SDK', SDK.ListCustomerTransactionsResponse], ['prose', Doc.TransactionPageProse]],
    call: () => client.listTransactions(AUTH_ID),
    check: (out, body) => (body.transactions as Json[]).forEach((t, i) => expectMoney((out.transactions as Json[])[i]!.amount, t.amount)),
  },
  {
    name: 'create KYC session',
    shapes: [['prose', Doc.CreatedKycSession]],
    call: () => client.createKycSession({ accountAuthId: AUTH_ID }),
    check: (out, body) => expect({ id: out.id, status: out.status }).toEqual({ id: body.session_id, status: body.status }),
  },
  {
    name: 'get KYC session',
    shapes: [['SDK', SDK.ListKycSessionsResponseSessionsItem], ['webhook naming', Doc.KycSessionWebhookNaming]],
    call: () => client.getKycSession('s-1'),
    check: (out, body) => expect({ id: out.id, status: out.status }).toEqual({ id: body.id ?? body.session_id, status: body.status ?? body.session_status }),
  },
  { name: 'list KYC sessions', shapes: [['SDK', SDK.ListKycSessionsResponse]], call: () => client.listKycSessions(), check: (out, body) => expect((out.sessions as Json[]).map((s) => s.id)).toEqual((body.sessions as Json[]).map((s) => s.id)) },
  { name: 'revoke KYC session', shapes: [['prose', Doc.RevokedKycSession]], call: () => client.revokeKycSession('s-1'), check: (out, body) => expect(out.id).toBe(body.session_id) },
  {
    name: 'partner CDRs',
    shapes: [['SDK', SDK.ListCustomerCdrsResponse.extend({ data: z.array(SDK.CdrListItem) })], ['prose', Doc.CdrPageProse]],
    call: () => client.listCdrs(AUTH_ID),
    check: checkCdrPage,
  },
  { name: 'partner CDR', shapes: [['bare (prose)', Doc.BareCdr], ['enveloped (SDK)', SDK.GetCdrResponse]], call: () => client.getCdr(AUTH_ID, 'u-1'), check: (out, body) => expect(out.uuid).toBe((body.data as Json | undefined)?.uuid ?? body.uuid) },
  {
    name: 'partner numbers',
    shapes: [['SDK', SDK.ListCustomerNumbersResponse.extend({ items: z.array(SDK.ListNumbersResponseItemsItem) })]],
    call: () => client.listNumbers(AUTH_ID),
    check: (out, body) => expect((out.items as Json[]).map((n) => n.e164)).toEqual((body.items as Json[]).map((n) => n.e164)),
  },
  { name: 'customer profile', shapes: [['SDK', SDK.RetrieveAccountResponse]], call: () => customer.getProfile(), check: (out, body) => expect({ auth_id: out.auth_id, secret: 'auth_secret' in out }).toEqual({ auth_id: body.auth_id, secret: false }) },
  { name: 'concurrency', shapes: [['SDK', SDK.GetConcurrencyResponse]], call: () => customer.getConcurrency(), check: (out, body) => expect(out.max_concurrent).toBe(body.max_concurrent) },
  {
    name: 'inventory',
    shapes: [['SDK', SDK.ListInventoryNumbersResponse], ['prose', Doc.InventoryPageProse]],
    call: () => customer.listInventoryNumbers(),
    check: (out, body) => (body.items as Json[]).forEach((n, i) => expectMoney((out.items as Json[])[i]!.setup_fee, n.setup_fee)),
  },
  { name: 'purchase', shapes: [['prose', Doc.PurchasedNumber]], call: () => customer.purchaseNumber({ e164: '+918071387100' }), check: (out, body) => expect((out.number as Json).e164).toBe((body.number as Json).e164) },
  { name: 'owned numbers', shapes: [['SDK', SDK.ListNumbersResponse]], call: () => customer.listNumbers(), check: (out, body) => expect((out.items as Json[]).length).toBe((body.items as Json[]).length) },
  { name: 'release', shapes: [['SDK', SDK.UnrentNumberResponse]], call: () => customer.releaseNumber('+918071387100'), check: (out, body) => expectMoney(out.release_fee, body.release_fee) },
  { name: 'create trunk', shapes: [['SDK', SDK.TrunkResponse], ['prose', Doc.TrunkProse]], call: () => customer.createTrunk({ name: 'main' }), check: checkTrunk },
  { name: 'get trunk', shapes: [['SDK', SDK.TrunkResponse], ['prose', Doc.TrunkProse]], call: () => customer.getTrunk('t-1'), check: checkTrunk },
  { name: 'update trunk', shapes: [['SDK', SDK.TrunkResponse], ['prose', Doc.TrunkProse]], call: () => customer.updateTrunk('t-1', { description: 'x' }), check: checkTrunk },
  {
    name: 'list trunks',
    shapes: [['SDK', SDK.ListTrunksResponse], ['prose', Doc.TrunkPageProse]],
    call: () => customer.listTrunks(),
    check: (out, body) => expect((out.objects as Json[]).map((t) => t.trunk_id)).toEqual((body.objects as Json[]).map((t) => t.trunk_id)),
  },
  {
    name: 'customer CDRs',
    shapes: [['SDK', SDK.ListCdrsResponse], ['prose', Doc.CdrPageProse]],
    call: () => customer.listCdrs(),
    check: checkCdrPage,
  },
];

describe('the client accepts every response shape of the SDK models and the prose docs', () => {
  for (const c of CASES) {
    for (const [label, schema] of c.shapes) {
      it(`${c.name} (${label})`, async () => {
        await fc.assert(
          fc.asyncProperty(arbitraryOf(schema, { extraKeys: true }), async (body) => {
            nextBody = body;
            const out = (await c.call()) as Json;
            c.check?.(out, body as Json);
          }),
          { numRuns: RUNS },
        );
      });
    }
  }

  it('the generated bodies are what the models allow (the generator itself is checked)', () => {
    fc.assert(
      fc.property(arbitraryOf(SDK.ListCdrsResponse), arbitraryOf(Doc.TrunkPageProse), (cdrs, trunks) => {
        expect(SDK.ListCdrsResponse.safeParse(cdrs).success).toBe(true);
        expect(Doc.TrunkPageProse.safeParse(trunks).success).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

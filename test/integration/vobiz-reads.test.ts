// The Vobiz side of customers and of the partner, read through the bridge (the workers run each page as a standalone
// activity on the Vobiz task queue: the bridge holds no Vobiz credentials), the typed client and the CLI, against the
// sandbox with data: calls from its traffic admin, purchases. CSV exports are streamed and spreadsheet-safe.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, InvalidRequestError, NotFoundError, OnboardingClient, ServiceUnavailableError, UnauthorizedError } from '../../src/client/index.js';
import type { RunningBridge } from '../../src/bridge/server.js';
import { runCli } from '../support/cli.js';
import { committedOpenApi, componentValidator } from '../support/openapi.js';
import { onboardingRequest, startActiveCustomer, startLifecycleRig, type LifecycleRig } from '../support/lifecycle.js';
import { RIG_API_TOKEN, RIG_READ_TOKEN, rigCliEnv, startRigBridge } from '../support/rig-bridge.js';

/** A customer name a spreadsheet would run as a formula (Vobiz puts it in each call record's caller_id_name). */
const FORMULA_NAME = '=HYPERLINK("http://evil.example/x","Asha")';

let rig: LifecycleRig;
let bridge: RunningBridge;
let api: OnboardingClient;
let reader: OnboardingClient;
let env: Record<string, string>;
let customerRef: string;
let authId: string;
let calls: number;

async function text(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

/** CSV lines (no quoted newlines in these fixtures). */
const lines = (csv: string) => csv.trimEnd().split('\n');

beforeAll(async () => {
  rig = await startLifecycleRig();
  await rig.startWorker();
  bridge = await startRigBridge(rig);
  api = new OnboardingClient({ baseUrl: bridge.url, token: RIG_API_TOKEN });
  reader = new OnboardingClient({ baseUrl: bridge.url, token: RIG_READ_TOKEN });
  env = rigCliEnv(rig);
  const active = await startActiveCustomer(rig, {
    customer: { ...onboardingRequest().customer, name: FORMULA_NAME },
    funding: { amount: '1234.56789', currency: 'INR' },
    telephony: { trunk: { name: 'Main' }, number: { country: 'IN' } },
  });
  customerRef = active.request.customerRef;
  authId = active.state.authId!;
  const traffic = await rig.sandbox.admin.traffic({ account_auth_id: authId, calls: 23, mix: { answered: 3, failed: 1, busy: 1 } });
  calls = traffic.generated;
});
afterAll(async () => {
  await bridge?.close();
  await rig?.close();
});

describe('reads over HTTP (bridge + typed client)', () => {
  it("the customer's transactions, call records, numbers and balance, from Vobiz, paged; money exact", async () => {
    const ledger = await api.transactions(customerRef, { transactionType: 'transfer' });
    expect(ledger.authId).toBe(authId);
    expect(ledger.transactions.map((t) => [t.type, t.amount])).toEqual([['credit', '1234.56789']]);

    const first = await api.cdrs(customerRef, { perPage: 10 });
    expect(first).toMatchObject({ authId, page: 1, perPage: 10, total: calls, nextPage: 2 });
    expect(first.cdrs).toHaveLength(10);
    const last = await api.cdrs(customerRef, { perPage: 10, page: 3 });
    expect(last.cdrs).toHaveLength(calls - 20);
    expect(last.nextPage).toBeUndefined();
    const every = [];
    for await (const cdr of api.allCdrs(customerRef, { perPage: 7 })) every.push(cdr.uuid);
    expect(new Set(every).size).toBe(calls);
    const answered = await api.cdrs(customerRef, { status: 'answered', perPage: 100 });
    expect(answered.cdrs.every((c) => c.answer_time)).toBe(true);
    expect(answered.cdrs.length).toBe(answered.total);

    const { numbers } = await api.numbers(customerRef);
    expect(numbers).toHaveLength(1);
    expect(numbers[0]).toMatchObject({ status: 'active', monthly_fee: '300.00000' });
    const balance = await api.balance(customerRef);
    expect(balance.cash_credits).toMatch(/^\d+\.\d{5}$/);
    // Vobiz is the truth: the balance moves with the calls' charges and the number, not with workflow state.
    const spent = (await rig.vobiz.getAccountBalance(authId)).cash_credits.toString();
    expect(balance.cash_credits).toBe(spent);
  });

  it("the partner's profile, dashboard, every customer's call records and the numbers on sale", async () => {
    expect(await api.partner()).toMatchObject({ auth_id: 'PA_SANDBOX1' });
    const dashboard = await api.dashboard();
    expect(dashboard.total_balance).toMatch(/^\d+\.\d{5}$/);
    const partnerWide = await api.partnerCdrs({ perPage: 100, callDirection: 'outbound' });
    expect(partnerWide.authId).toBeUndefined();
    expect(partnerWide.cdrs.every((c) => c.call_direction === 'outbound')).toBe(true);
    const ours = (await api.cdrs(customerRef, { perPage: 100, callDirection: 'outbound' })).cdrs.map((c) => c.uuid);
    expect(partnerWide.cdrs.map((c) => c.uuid)).toEqual(expect.arrayContaining(ours));

    const inventory = await api.inventory({ country: 'IN', perPage: 5 });
    expect(inventory).toMatchObject({ page: 1, perPage: 5, nextPage: 2 });
    expect(inventory.numbers.every((n) => n.e164.startsWith('+91') && n.status === 'active')).toBe(true);
    const [owned] = (await api.numbers(customerRef)).numbers;
    expect(inventory.numbers.map((n) => n.e164)).not.toContain(owned!.e164);
    const excluded = await api.inventory({ country: 'IN', perPage: 100, exclude: ['9180713871'] });
    expect(excluded.numbers.every((n) => !n.e164.startsWith('+9180713871'))).toBe(true);
    expect(excluded.total).toBeLessThan(inventory.total!);
  });

  it('read-only tokens read; bad filters are a 400 naming each; unknown customers a 404; no token a 401', async () => {
    expect((await reader.cdrs(customerRef, { perPage: 1 })).cdrs).toHaveLength(1);
    expect(await reader.partner()).toMatchObject({ auth_id: 'PA_SANDBOX1' });
    await expect(reader.offboard(customerRef, 'not allowed')).rejects.toBeInstanceOf(ForbiddenError);

    const bad = (await api.cdrs(customerRef, { status: 'ringing' as 'answered', perPage: 500 }).catch((e: unknown) => e)) as InvalidRequestError;
    expect(bad).toBeInstanceOf(InvalidRequestError);
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['perPage', 'status']);
    const unpaired = (await api.cdrs(customerRef, { startDate: '2026-01-01' }).catch((e: unknown) => e)) as InvalidRequestError;
    expect(unpaired.problems).toEqual([{ field: 'endDate', rule: 'startDate and endDate go together' }]);
    const unknown = await request(`${bridge.url}/partner/cdrs?colour=red&perPage=1000`, { headers: { authorization: `Bearer ${RIG_API_TOKEN}` } });
    expect(unknown.statusCode).toBe(400);
    expect(((await unknown.body.json()) as { problems: { field: string }[] }).problems.map((p) => p.field)).toEqual(['colour', 'perPage']);

    await expect(api.transactions('no-such-customer')).rejects.toBeInstanceOf(NotFoundError);
    await expect(new OnboardingClient({ baseUrl: bridge.url, token: 'wrong' }).partner()).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('every answer matches its schema in the committed OpenAPI document', async () => {
    const doc = committedOpenApi();
    const answers: [string, unknown][] = [
      ['TransactionList', await api.transactions(customerRef)],
      ['CdrList', await api.cdrs(customerRef, { perPage: 3 })],
      ['CdrList', await api.partnerCdrs({ perPage: 3 })],
      ['NumberList', await api.numbers(customerRef)],
      ['NumberList', await api.inventory({ perPage: 3 })],
      ['Balance', await api.balance(customerRef)],
      ['PartnerProfile', await api.partner()],
      ['PartnerDashboard', await api.dashboard()],
    ];
    for (const [id, answer] of answers) expect(componentValidator(doc, `#/components/schemas/${id}`).safeParse(answer).error, id).toBeUndefined();
  });
});

describe('CSV export', () => {
  it('call records and transactions as CSV (Accept: text/csv): every row, formula-looking cells inert, money exact', async () => {
    const csv = await text(await api.cdrsCsv(customerRef));
    const [header, ...rows] = lines(csv);
    expect(header).toBe('uuid,account_id,start_time,answer_time,end_time,call_direction,caller_id_name,caller_id_number,destination_number,duration,billsec,hangup_cause,cost,total_cost,currency,context');
    expect(rows).toHaveLength(calls);
    // The name's leading "=" is neutralised with a quote, so a spreadsheet shows it as text instead of running it.
    const nameCells = rows.filter((r) => r.includes('HYPERLINK'));
    expect(nameCells.length).toBeGreaterThan(0);
    for (const row of nameCells) {
      expect(row).toContain(`"'=HYPERLINK(""http://evil.example/x"",""Asha"")"`);
      expect(row).not.toMatch(/,"?=HYPERLINK/);
    }
    // Phone numbers start with "+": neutralised too (a spreadsheet would read them as a formula or a number).
    expect(rows.every((r) => r.includes(",'+91"))).toBe(true);
    for (const row of rows) expect(row).toMatch(/,\d+\.\d{5},\d+\.\d{5},INR,/);

    const ledger = await text(await api.transactionsCsv(customerRef, { transactionType: 'transfer' }));
    expect(lines(ledger)).toHaveLength(2);
    expect(lines(ledger)[1]).toMatch(/,credit,1234\.56789,INR,completed,/);

    const raw = await request(`${bridge.url}/partner/cdrs?callDirection=outbound`, { headers: { authorization: `Bearer ${RIG_READ_TOKEN}`, accept: 'text/csv' } });
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-type']).toMatch(/^text\/csv/);
    expect(lines(await raw.body.text())[0]).toMatch(/^uuid,/);
    // JSON stays the answer whenever the caller accepts it.
    const json = await request(`${bridge.url}/partner/cdrs?perPage=1`, { headers: { authorization: `Bearer ${RIG_READ_TOKEN}`, accept: 'application/json, text/csv' } });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    await json.body.dump();
  });

  it('a refused export is an error status, not an empty CSV', async () => {
    await expect(api.cdrsCsv('no-such-customer')).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.cdrsCsv(null, { minDuration: -1 })).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('the CLI', () => {
  it('transactions and cdrs as CSV, cdrs --partner, inventory --all; bad combinations named', async () => {
    const cdrs = await runCli(['cdrs', customerRef, '--all', '--csv'], env);
    expect(cdrs.code).toBe(0);
    expect(lines(cdrs.stdout)).toHaveLength(calls + 1);
    expect(cdrs.stdout).toContain(`"'=HYPERLINK(""http://evil.example/x"",""Asha"")"`);
    const ledger = await runCli(['transactions', customerRef, '--csv', '--type', 'transfer'], env);
    expect(lines(ledger.stdout)[1]).toMatch(/,credit,1234\.56789,INR,/);

    const partner = await runCli(['cdrs', '--partner', '--json', '--limit', '3', '--direction', 'outbound'], env);
    expect(partner.code).toBe(0);
    const { cdrs: partnerRows } = JSON.parse(partner.stdout) as { cdrs: { call_direction: string }[] };
    expect(partnerRows).toHaveLength(3);
    expect(partnerRows.every((c) => c.call_direction === 'outbound')).toBe(true);

    const inventory = await runCli(['inventory', '--country', 'IN', '--all', '--json'], env);
    expect(inventory.code).toBe(0);
    const { numbers } = JSON.parse(inventory.stdout) as { numbers: { e164: string }[] };
    expect(numbers.length).toBe((await api.inventory({ country: 'IN' })).total);

    const neither = await runCli(['cdrs'], env);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('customerRef is required, or --partner');
    const both = await runCli(['cdrs', customerRef, '--csv', '--json'], env);
    expect(both.code).toBe(2);
    const badExclude = await runCli(['inventory', '--country', 'india'], env);
    expect(badExclude.code).toBe(2);
    expect(badExclude.stderr).toContain('--country must be an ISO-3166 alpha-2 code');
  });
});

describe('the rate budget', () => {
  it("the bridge's reads wait their turn in the partner's budget, however many arrive at once", async () => {
    const BUDGET = 2;
    await rig.stopWorker();
    await rig.startWorker({ maxRequestsPerSecond: BUDGET });
    try {
      await rig.sandbox.admin.resetRequests();
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 12 }, () => api.partner()));
      expect(answers.every((a) => a.auth_id === 'PA_SANDBOX1')).toBe(true);
      const requests = await rig.sandbox.admin.requests();
      expect(requests.byRoute['GET /api/v1/partner/me']).toBe(12);
      // Every Vobiz call counts, the customer's usage polls included: together they keep to the budget.
      expect(requests.maxInAnySecond).toBeLessThanOrEqual(BUDGET + 1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_000); // 12 requests at 2 a second
    } finally {
      await rig.stopWorker();
      await rig.startWorker();
    }
  });
});

describe('without a worker on the Vobiz queue', () => {
  it('a read answers 503 once its deadline passes: the bridge itself never calls Vobiz', async () => {
    await rig.stopWorker();
    const { startBridge } = await import('../../src/bridge/server.js');
    const { loadBridgeConfig } = await import('../../src/config/bridge.js');
    const { createLogger } = await import('../../src/logging.js');
    const loaded = loadBridgeConfig({});
    const impatient = await startBridge({
      config: { bridge: { ...loaded.bridge, host: '127.0.0.1', port: 0, metrics: { ...loaded.bridge.metrics, enabled: false }, apiTokens: [RIG_API_TOKEN] }, onboarding: loaded.onboarding, temporal: { taskQueue: rig.taskQueue } },
      client: rig.client,
      logger: createLogger({ level: 'silent' }),
      readTimeoutMs: 1_500,
    });
    try {
      await rig.sandbox.admin.resetRequests();
      await expect(new OnboardingClient({ baseUrl: impatient.url, token: RIG_API_TOKEN }).partner()).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect((await rig.sandbox.admin.requests()).total).toBe(0);
    } finally {
      await impatient.close();
      await rig.startWorker();
    }
  });
});

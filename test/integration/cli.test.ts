// The operator CLI as a person runs it, in its own process, against a real Temporal (fixture workflow, encrypted
// payloads) and the Vobiz sandbox, with the settings `npm start` uses: TEMPORAL_ADDRESS unset and the dev server on
// a non-default TEMPORAL_DEV_PORT. Tables by default, JSON with --json; refusals, bad input and an unreachable
// Temporal each say why, with the documented exit code.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCliConfig } from '../../src/config/cli.js';
import { listOnboardings } from '../../src/onboarding/customers.js';
import { parseOnboardingRequest } from '../../src/onboarding/input.js';
import { startOnboarding } from '../../src/onboarding/start.js';
import { startTestSandbox, TEST_PARTNER, type TestSandbox } from '../../sandbox/testing.js';
import { VobizClient } from '../../src/vobiz/index.js';
import { WORKFLOW_TYPE } from '../../src/workflows/messages.js';
import { startBridgeHarness, type BridgeHarness } from '../fixtures/bridge-harness.js';
import { ACTIVE_PREFIX, BLOCKED_PREFIX, COOLDOWN_PREFIX, NO_INVENTORY_COUNTRY, VOBIZ_DOWN_COUNTRY } from '../fixtures/bridge-workflows.js';
import { freePort, portOf, runCli } from '../support/cli.js';

const example = JSON.parse(readFileSync(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ref = (prefix = 'cli-') => `${prefix}${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));

let h: BridgeHarness;
let sandbox: TestSandbox;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, env);

/** Starts a fixture workflow directly (the fixture's extra `fixture.authId` is not part of the real input). */
async function startFixture(customerRef: string, authId?: string): Promise<void> {
  await h.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: h.taskQueue,
    workflowId: `customer-${customerRef}`,
    args: [{ ...example, customerRef, ...(authId ? { fixture: { authId } } : {}) }],
  });
}

async function visibleIn(stage: string, customerRef: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const page = await listOnboardings(h.client, { stage: stage as 'kyc', pageSize: 1000 });
    if (page.onboardings.some((o) => o.customerRef === customerRef)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${customerRef} never became visible in stage ${stage}`);
}

beforeAll(async () => {
  [h, sandbox] = await Promise.all([startBridgeHarness(), startTestSandbox()]);
  env = {
    // As `npm start` on a non-default port: no TEMPORAL_ADDRESS, the dev server's port in TEMPORAL_DEV_PORT.
    TEMPORAL_DEV_PORT: portOf(inject('temporalAddress')),
    TEMPORAL_NAMESPACE: h.server.namespace,
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    VOBIZ_BASE_URL: sandbox.url,
    VOBIZ_PARTNER_AUTH_ID: TEST_PARTNER.authId,
    VOBIZ_PARTNER_AUTH_TOKEN: TEST_PARTNER.authToken,
  };
});
afterAll(async () => {
  await h?.close();
  await sandbox?.close();
});

describe('onboard, customers, status', () => {
  it('onboard starts, then joins; table and JSON', async () => {
    const customerRef = ref();
    const file = join(dir, `${customerRef}.json`);
    writeFileSync(file, JSON.stringify({ ...example, customerRef }));
    const first = await cli('onboard', file);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^Started: customer-${customerRef} \\(run [0-9a-f-]+\\)\\nWeb UI: http`));
    const again = await cli('onboard', file, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'existing', customerRef, workflowId: `customer-${customerRef}` });
  });

  it('customers lists by stage from visibility; status shows the state (attempts as used / more without an operator)', async () => {
    const customerRef = ref();
    await startFixture(customerRef);
    await visibleIn('kyc', customerRef);
    const [table, json, status, statusJson] = await Promise.all([
      cli('customers', '--stage', 'kyc', '--page-size', '1000'),
      cli('customers', '--stage', 'kyc', '--all', '--page-size', '2', '--json'),
      cli('status', customerRef),
      cli('status', customerRef, '--json'),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/customerRef.*stage.*KYC status.*Vobiz account/);
    expect(table.stdout).toMatch(new RegExp(`${customerRef}\\s*│\\s*kyc\\s*│`));
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { onboardings: { customerRef: string; stage: string }[] };
    expect(listed.onboardings.find((o) => o.customerRef === customerRef)).toMatchObject({ stage: 'kyc' });
    expect(listed.onboardings.every((o) => o.stage === 'kyc')).toBe(true);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/KYC attempts\s*│\s*0 used, 3 more without an operator/);
    expect(JSON.parse(statusJson.stdout)).toMatchObject({ customerRef, stage: 'kyc', authId: expect.stringMatching(/^MA_/) as string });
  });

  it('bad input: exit 2 naming each field and rule, before Temporal is asked', async () => {
    const file = join(dir, 'bad.json');
    const { telephony: _t, ...rest } = example;
    writeFileSync(file, JSON.stringify({ ...rest, customerRef: ref() }));
    const [missing, country, filter] = await Promise.all([
      cli('onboard', file),
      cli('buy-number', 'acme-0001', '--country', 'XX'),
      cli('customers', '--stage', 'sleeping'),
    ]);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('  telephony is required');
    expect(country.code).toBe(2);
    expect(country.stderr).toContain('--country must be an ISO 3166-1 alpha-2 country code (upper case), e.g. IN');
    expect(filter.code).toBe(2);
    expect(filter.stderr).toMatch(/--stage must be one of account, funding, kyc/);
  });
});

describe('limits at the CLI', () => {
  it('an opening balance over the cap (ONBOARDING_MAX_OPENING_BALANCE) and an internal alert webhook: exit 2 naming each, nothing started', async () => {
    const customerRef = ref();
    const file = join(dir, `${customerRef}.json`);
    const monitoring = { ...(example.monitoring as object), alertWebhookUrl: 'http://169.254.169.254/latest/meta-data/' };
    writeFileSync(file, JSON.stringify({ ...example, customerRef, funding: { ...(example.funding as object), amount: 999_999_999_999 }, monitoring }));
    const run = await cli('onboard', file);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain("  funding.amount must be at most 50000 (the cap on one customer's opening balance, ONBOARDING_MAX_OPENING_BALANCE)");
    expect(run.stderr).toContain('  monitoring.alertWebhookUrl must not point to a link-local address (where cloud metadata services live) 169.254.169.254');

    const small = join(dir, `${customerRef}-small.json`);
    writeFileSync(small, JSON.stringify({ ...example, customerRef }));
    const capped = await runCli(['onboard', small], { ...env, ONBOARDING_MAX_OPENING_BALANCE: '400' });
    expect(capped.code).toBe(2);
    expect(capped.stderr).toContain("  funding.amount must be at most 400 (the cap on one customer's opening balance, ONBOARDING_MAX_OPENING_BALANCE)");
    await expect(h.client.workflow.getHandle(`customer-${customerRef}`).describe()).rejects.toThrow(/not found/i);
  });
});

describe('refusals reach the operator', () => {
  it('KycResendCooldown: exit 4 with the type, the message and the seconds to wait (and as JSON)', async () => {
    const customerRef = ref(COOLDOWN_PREFIX);
    await startFixture(customerRef);
    const [text, json] = await Promise.all([cli('resend-kyc', customerRef), cli('resend-kyc', customerRef, '--json')]);
    expect(text.code).toBe(4);
    expect(text.stderr).toContain('try later: KycResendCooldown: Vobiz sends at most one KYC e-mail per 30 minutes; try again in 1791 seconds');
    expect(text.stderr).toContain('retry after 1791 s');
    expect(text.stderr).not.toContain('Activity task failed');
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: 'try_later', type: 'KycResendCooldown', retryAfterSeconds: 1791, exitCode: 4 });
  });

  it('not allowed in the stage (4), refused by the workflow (4), carried out but failed (6), unknown customer (3)', async () => {
    const kycRef = ref();
    const activeRef = ref(ACTIVE_PREFIX);
    await Promise.all([startFixture(kycRef), startFixture(activeRef)]);
    const [notAllowed, refused, failed, unknown] = await Promise.all([
      cli('restart-kyc', kycRef),
      cli('buy-number', activeRef, '--country', NO_INVENTORY_COUNTRY),
      cli('buy-number', activeRef, '--country', VOBIZ_DOWN_COUNTRY),
      cli('status', ref('nobody-')),
    ]);
    expect(notAllowed.code).toBe(4);
    expect(notAllowed.stderr).toContain('not allowed: restartKyc is not allowed: the stage is kyc');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('refused: NoNumberAvailable: No number available in inventory for country NP');
    expect(failed.code).toBe(6);
    expect(failed.stderr).toContain('failed: VobizUnreachable');
    expect(unknown.code).toBe(3);
  });

  it('retry of a blocked step, with corrections by flag; a bad one names its flag', async () => {
    const customerRef = ref(BLOCKED_PREFIX);
    await startFixture(customerRef);
    const [bad, done] = await Promise.all([
      cli('retry', customerRef, '--email', 'nope', '--trunk', '{"transport":"ftp"}'),
      cli('retry', customerRef, '--trunk', '{"transport":"tcp"}', '--json'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--email must be an e-mail address');
    expect(bad.stderr).toContain('--trunk transport must be udp, tcp or tls');
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ customerRef, action: 'retry', result: { stage: 'telephony' } });
  });

  it('Temporal not there: exit 5 naming the address and how it was chosen', async () => {
    const port = String(await freePort());
    const run = await runCli(['status', 'acme-0001'], { ...env, TEMPORAL_DEV_PORT: port });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`Temporal is not reachable at 127.0.0.1:${port}`);
    expect(run.stderr).toContain(`TEMPORAL_ADDRESS is unset, so the CLI uses the dev server npm start runs (TEMPORAL_DEV_PORT=${port})`);
    const explicit = await runCli(['customers'], { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(explicit.code).toBe(5);
    expect(explicit.stderr).toContain('TEMPORAL_ADDRESS is set');
  });
});

describe('the Vobiz side of a customer', () => {
  let customerRef: string;
  let authId: string;
  let bought: string;
  beforeAll(async () => {
    const vobiz = new VobizClient({ baseUrl: sandbox.url, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: TEST_PARTNER.authToken });
    const account = await vobiz.createAccount({
      name: 'Test Person',
      email: `cli-${randomBytes(4).toString('hex')}@example.com`,
      phone: '+919800000001',
      password: 'Example-Passw0rd!',
      company: 'Example',
      country: 'IN',
    });
    authId = account.auth_id;
    await vobiz.transferBalance(authId, { amount: '750', currency: 'INR', description: 'Opening balance' });
    const customer = vobiz.customer({ authId, authToken: account.auth_token });
    const [pick] = (await customer.listInventoryNumbers({ country: 'IN', perPage: 1 })).items;
    await customer.purchaseNumber({ e164: pick!.e164 });
    bought = pick!.e164;
    await vobiz.close();
    customerRef = ref();
    await startFixture(customerRef, authId);
  });

  it('transactions, numbers and balance by customerRef (tables and JSON)', async () => {
    const [transactions, transactionsJson, numbers, numbersJson, balance] = await Promise.all([
      cli('transactions', customerRef),
      cli('transactions', customerRef, '--json'),
      cli('numbers', customerRef),
      cli('numbers', customerRef, '--json'),
      cli('balance', customerRef, '--json'),
    ]);
    expect(transactions.code).toBe(0);
    expect(transactions.stdout).toMatch(/when.*type.*amount.*currency/);
    expect(transactions.stdout).toContain('Opening balance');
    const ledger = JSON.parse(transactionsJson.stdout) as { authId: string; transactions: { amount: string; description: string }[] };
    expect(ledger.authId).toBe(authId);
    expect(ledger.transactions.find((t) => t.description.endsWith('Opening balance'))).toMatchObject({ amount: expect.stringMatching(/^750\.0+$/) as string });
    expect(numbers.code).toBe(0);
    expect(numbers.stdout).toContain(bought);
    expect((JSON.parse(numbersJson.stdout) as { numbers: { e164: string }[] }).numbers.map((n) => n.e164)).toEqual([bought]);
    expect(balance.code).toBe(0);
    expect(JSON.parse(balance.stdout)).toMatchObject({ currency: 'INR' });
  });

  it('cdrs with the API\'s filters; filters checked with the client\'s rules', async () => {
    const [cdrs, badType, badDate, halfRange] = await Promise.all([
      cli('cdrs', customerRef, '--direction', 'outbound', '--json'),
      cli('transactions', customerRef, '--type', 'gift'),
      cli('transactions', customerRef, '--from', 'yesterday'),
      cli('cdrs', customerRef, '--from', '2026-01-01'),
    ]);
    expect(cdrs.code).toBe(0);
    expect(JSON.parse(cdrs.stdout)).toMatchObject({ authId, cdrs: expect.any(Array) as unknown[] });
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/--type must be one of recharge, debit, refund, transfer|--type Invalid option/);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--from must be a date YYYY-MM-DD');
    expect(halfRange.code).toBe(2);
    expect(halfRange.stderr).toContain('startDate and endDate go together');
  });

  it('Vobiz data with control and bidi characters is printed escaped, in tables and JSON', async () => {
    const vobiz = new VobizClient({ baseUrl: sandbox.url, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: TEST_PARTNER.authToken });
    const hostile = 'Top-up\u001b]0;pwned\u0007\u001b[2J \u202edemmoc';
    await vobiz.transferBalance(authId, { amount: '1', currency: 'INR', description: hostile });
    await vobiz.close();
    const [table, json] = await Promise.all([cli('transactions', customerRef), cli('transactions', customerRef, '--json')]);
    // eslint-disable-next-line no-control-regex -- the test looks for exactly these characters
    const raw = new RegExp('[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]');
    expect(table.code).toBe(0);
    expect(table.stdout).not.toMatch(raw);
    expect(table.stdout).toContain('Top-up\\x1b]0;pwned\\x07\\x1b[2J \\u202edemmoc');
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(raw);
    const ledger = JSON.parse(json.stdout) as { transactions: { description: string }[] };
    expect(ledger.transactions.some((t) => t.description.includes(hostile))).toBe(true);
  });

  it('partner profile and dashboard', async () => {
    const [partner, partnerJson, dashboard, dashboardJson] = await Promise.all([cli('partner'), cli('partner', '--json'), cli('dashboard'), cli('dashboard', '--json')]);
    expect(partner.code).toBe(0);
    expect(partner.stdout).toMatch(/can create accounts/);
    expect(JSON.parse(partnerJson.stdout)).toMatchObject({ auth_id: TEST_PARTNER.authId });
    expect(dashboard.code).toBe(0);
    expect(dashboard.stdout).toMatch(/customers/);
    expect(JSON.parse(dashboardJson.stdout)).toEqual(expect.any(Object));
  });

  it('a customer whose workflow has no Vobiz account yet: exit 3 saying so', async () => {
    const early = ref();
    // Started as the API and CLI start it (stage search attribute `account`), on a queue no worker polls.
    const parsed = await parseOnboardingRequest({ ...example, customerRef: early }, loadCliConfig({}).onboarding);
    if (!parsed.ok) throw new Error('example must be valid');
    await startOnboarding(h.client, { taskQueue: `${h.taskQueue}-no-worker`, webUiUrl: 'http://ui' }, parsed.input);
    const run = await cli('balance', early);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`${early} has no Vobiz account yet (stage account)`);
  });
});

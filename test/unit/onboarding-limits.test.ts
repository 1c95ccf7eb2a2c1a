// The edge's limits on one onboarding, under the policy the bridge and the CLI pass in (config.onboarding): the cap
// on the opening balance, where an alert webhook may point (literal addresses, names, names that resolve inward),
// free text without control or bidi characters, and production's floors under the `advanced` settings, which
// development keeps lowering for the crash tests.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCliConfig } from '../../src/config/cli.js';
import { parseOnboardingRequest, type OnboardingPolicy } from '../../src/onboarding/input.js';
import { parseOperatorAction } from '../../src/onboarding/operator-actions.js';
import { UNSAFE_TEXT_RULE } from '../../src/text/unsafe-characters.js';

const example = JSON.parse(readFileSync(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
const development = loadCliConfig({}).onboarding;
const production: OnboardingPolicy = { ...development, production: true };

async function problemsOf(raw: unknown, policy: OnboardingPolicy = development) {
  const parsed = await parseOnboardingRequest(raw, policy);
  return parsed.ok ? [] : parsed.problems;
}
const withAlertUrl = (alertWebhookUrl: string) => ({ ...example, monitoring: { ...example.monitoring, alertWebhookUrl } });

describe('the opening balance cap', () => {
  it('is 50000 by default: the example passes, the cap itself passes, a paisa more and 999,999,999,999 are refused naming it', async () => {
    expect(development.maxOpeningBalance).toBe('50000.00000');
    expect(await problemsOf(example)).toEqual([]);
    expect(await problemsOf({ ...example, funding: { ...example.funding, amount: '50000.00' } })).toEqual([]);
    const rule = "must be at most 50000 (the cap on one customer's opening balance, ONBOARDING_MAX_OPENING_BALANCE)";
    for (const amount of ['50000.01', 999_999_999_999]) {
      expect(await problemsOf({ ...example, funding: { ...example.funding, amount } })).toEqual([{ field: 'funding.amount', rule }]);
    }
  });

  it('follows the configured cap, and is reported beside every other problem', async () => {
    const small = { ...development, maxOpeningBalance: '2500.50000' };
    expect(await problemsOf({ ...example, funding: { amount: 2600, currency: 'inr' } }, small)).toEqual([
      { field: 'funding.amount', rule: "must be at most 2500.5 (the cap on one customer's opening balance, ONBOARDING_MAX_OPENING_BALANCE)" },
      { field: 'funding.currency', rule: 'must be an ISO 4217 code, e.g. INR' },
    ]);
  });
});

describe('the alert webhook target', () => {
  it.each([
    'http://127.0.0.1:8787/internal-admin/reset',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f.0.0.1/',
    'http://[::ffff:7f00:1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://localhost:8787/',
    'http://10.1.2.3/',
    'http://100.64.0.1/',
    'http://[fe80::1]/',
    'http://0.0.0.0/',
    'http://224.0.0.1/',
  ])('%s is refused as monitoring.alertWebhookUrl', async (url) => {
    const problems = await problemsOf(withAlertUrl(url));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'monitoring.alertWebhookUrl', rule: expect.stringMatching(/^must not (point to|name)/) as string });
  });

  it('a name that resolves to an internal address is refused (a test resolver stands in for DNS)', async () => {
    const policy = { ...development, resolveHost: async () => [{ address: '169.254.169.254', family: 4 }] };
    expect(await problemsOf(withAlertUrl('https://alerts.partner.example/hook'), policy)).toEqual([
      {
        field: 'monitoring.alertWebhookUrl',
        rule: 'must not name a host that resolves to a refused address: alerts.partner.example resolves to a link-local address (where cloud metadata services live) 169.254.169.254; only public addresses are allowed',
      },
    ]);
    const publicOnly = { ...development, resolveHost: async () => [{ address: '93.184.216.34', family: 4 }] };
    expect(await problemsOf(withAlertUrl('https://alerts.partner.example/hook'), publicOnly)).toEqual([]);
  });

  it('production takes https only; loopback only with the development allowance', async () => {
    expect(await problemsOf(withAlertUrl('http://93.184.216.34/hook'), production)).toEqual([{ field: 'monitoring.alertWebhookUrl', rule: 'must be an https URL in production' }]);
    expect(await problemsOf(withAlertUrl('https://93.184.216.34/hook'), production)).toEqual([]);
    expect(await problemsOf(withAlertUrl('http://127.0.0.1:4000/alerts'), { ...development, allowLoopbackAlertWebhooks: true })).toEqual([]);
    expect(await problemsOf(withAlertUrl('http://10.0.0.1/alerts'), { ...development, allowLoopbackAlertWebhooks: true })).toHaveLength(1);
  });
});

describe('free text', () => {
  it.each([
    ['customer.name', { customer: { ...example.customer, name: 'Asha\u001b]0;pwned\u0007 Example' } }],
    ['customer.name', { customer: { ...example.customer, name: 'Asha \u202eelpmaxE' } }],
    ['customer.company', { customer: { ...example.customer, company: 'Acme\u0085Ltd' } }],
    ['funding.description', { funding: { ...example.funding, description: 'Opening\u001b[2J balance' } }],
    ['telephony.trunk.name', { telephony: { trunk: { ...(example.telephony!.trunk as object), name: 'Trunk\u2066one\u2069' } } }],
  ])('%s refuses control and bidi characters, naming them', async (field, patch) => {
    expect(await problemsOf({ ...example, ...patch })).toEqual([{ field, rule: UNSAFE_TEXT_RULE }]);
  });

  it('keeps letters of every script', async () => {
    expect(await problemsOf({ ...example, customer: { ...example.customer, name: 'आशा Zoë Ñúñez 测试', company: 'שלום Ltd' } })).toEqual([]);
  });

  it('operator reasons and retry corrections follow the same rule', () => {
    const revoke = parseOperatorAction('revoke-kyc', { reason: 'fraud\u001b[8m hidden' });
    expect(revoke).toEqual({ ok: false, problems: [{ field: 'reason', rule: UNSAFE_TEXT_RULE }] });
    const retry = parseOperatorAction('retry', { customer: { name: 'Asha\u200f' }, trunk: { name: 'T\u202a' } });
    expect(retry).toEqual({ ok: false, problems: [{ field: 'customer.name', rule: UNSAFE_TEXT_RULE }, { field: 'trunk.name', rule: UNSAFE_TEXT_RULE }] });
  });
});

describe('advanced settings', () => {
  const lowered = { ...example, advanced: { effectSettleDelay: '1 second', effectStartToCloseTimeout: '5 seconds' } };

  it('production refuses both below the one minute docs/design.md §2 derives', async () => {
    expect(await problemsOf(lowered, production)).toEqual([
      { field: 'advanced.effectSettleDelay', rule: 'must be at least 1 minute in production (docs/design.md §2: a retry must not look for a lost write before it has landed)' },
      {
        field: 'advanced.effectStartToCloseTimeout',
        rule: "must be at least 1 minute in production (docs/design.md §2: above the HTTP client's 35 s worst case plus the reconcile lookups)",
      },
    ]);
    expect(await problemsOf({ ...example, advanced: { effectSettleDelay: '90 seconds', effectStartToCloseTimeout: '2 minutes' } }, production)).toEqual([]);
    const parsed = await parseOnboardingRequest(example, production);
    expect(parsed.ok && parsed.input.advanced).toEqual({ effectSettleDelay: '1 minute', effectStartToCloseTimeout: '1 minute' });
  });

  it('development and tests may still lower them (the crash tests do)', async () => {
    expect(await problemsOf(lowered, development)).toEqual([]);
  });
});

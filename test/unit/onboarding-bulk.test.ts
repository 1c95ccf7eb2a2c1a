// Reading a bulk file (CSV with dotted headers, JSON Lines) and the per-row report, with a start function that
// answers like startOnboarding does (a stand-in for Temporal here; test/integration/cli.test.ts runs the real one).
import { describe, expect, it } from 'vitest';
import { loadCliConfig } from '../../src/config/cli.js';
import { BulkFileError, bulkOnboard, nestRecord, readBulkRows } from '../../src/onboarding/bulk.js';
import { DEVELOPMENT_SEALING_KEY, sealPassword } from '../../src/secrets/index.js';
import { OnboardingConflictError, type StartOutcome } from '../../src/onboarding/start.js';
import type { OnboardingInput } from '../../src/workflows/input.js';

// Onboarding files carry the password sealed (`npm run cli -- seal-password`), never in the clear.
const sealed = sealPassword('Example-Passw0rd!', DEVELOPMENT_SEALING_KEY);
if (!sealed.ok) throw new Error('the development key must seal');
const SEALED = sealed.sealed;
const policy = loadCliConfig({}).onboarding;
const HEADER = 'customerRef,customer.name,customer.email,customer.phone,customer.password,customer.country,funding.amount,funding.currency,telephony.trunk.name,kyc.maxAttempts,telephony.trunk.secure';
const row = (ref: string, extra = '') =>
  `${ref},Test Person,${ref}@example.com,+919800000001,${SEALED},IN,500,INR,Main trunk,2,false${extra}`;

describe('reading rows', () => {
  it('CSV: dotted headers nest, numbers and booleans convert, empty cells fall back to defaults', () => {
    const rows = readBulkRows('customers.csv', [HEADER, row('csv-1'), 'csv-2,,,,,,,,,,'].join('\n'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      line: 2,
      request: {
        customerRef: 'csv-1',
        customer: { name: 'Test Person', country: 'IN' },
        funding: { amount: '500', currency: 'INR' },
        kyc: { maxAttempts: 2 },
        telephony: { trunk: { name: 'Main trunk', secure: false } },
      },
    });
    expect(rows[1]).toEqual({ line: 3, request: { customerRef: 'csv-2' } });
    expect(nestRecord({ 'kyc.reminderSchedule': '[{"trigger":"days_before_expiry","value":2}]' })).toEqual({
      kyc: { reminderSchedule: [{ trigger: 'days_before_expiry', value: 2 }] },
    });
  });

  it('JSONL: one request per line; a broken line is reported, not fatal; other extensions are refused', () => {
    const rows = readBulkRows('c.jsonl', '{"customerRef":"a"}\n\n{oops\n');
    expect(rows).toEqual([
      { line: 1, request: { customerRef: 'a' } },
      { line: 3, request: undefined, readError: 'is not valid JSON' },
    ]);
    expect(() => readBulkRows('c.xlsx', '')).toThrow(/must end in .csv or .jsonl/);
  });
});

describe('hostile files', () => {
  const polluted = () => ({}) as Record<string, unknown>;

  it.each(['__proto__.alertWebhookUrl', 'constructor.prototype.alertWebhookUrl', 'monitoring.__proto__.alertWebhookUrl', 'customer.constructor'])(
    'a CSV header %s refuses the file, naming the header, and pollutes nothing',
    (header) => {
      const text = `customerRef,${header}\nproto-1,http://127.0.0.1:8787/internal-admin\n`;
      try {
        expect(() => readBulkRows('evil.csv', text)).toThrow(BulkFileError);
        expect(() => readBulkRows('evil.csv', text)).toThrow(`evil.csv: header "${header}" must not contain __proto__, constructor or prototype (they name no field)`);
        expect(polluted().alertWebhookUrl).toBeUndefined();
      } finally {
        delete (Object.prototype as Record<string, unknown>).alertWebhookUrl;
      }
    },
  );

  it('nestRecord refuses a prototype path too, and builds rows without a prototype', () => {
    try {
      expect(() => nestRecord({ customerRef: 'x', '__proto__.isAdmin': 'true' })).toThrow(BulkFileError);
      expect(polluted().isAdmin).toBeUndefined();
    } finally {
      delete (Object.prototype as Record<string, unknown>).isAdmin;
    }
    expect(Object.getPrototypeOf(nestRecord({ 'customer.name': 'A' }))).toBeNull();
  });

  it('a JSONL row with a prototype key is invalid, naming the key; the other rows stay', () => {
    const rows = readBulkRows('c.jsonl', ['{"customerRef":"a"}', '{"customerRef":"b","monitoring":{"__proto__":{"alertWebhookUrl":"http://10.0.0.1/"}}}'].join('\n'));
    expect(rows).toEqual([
      { line: 1, request: { customerRef: 'a' } },
      { line: 2, request: undefined, readError: 'has a key "monitoring.__proto__" that must not contain __proto__, constructor or prototype (they name no field)' },
    ]);
  });
});

describe('bulkOnboard', () => {
  const outcome = (input: OnboardingInput, status: StartOutcome['status']): StartOutcome => ({
    workflowId: `customer-${input.customerRef}`,
    runId: 'r',
    customerRef: input.customerRef,
    status,
    webUiUrl: 'http://ui',
  });

  it('reports every row (started, already running, conflict, invalid with each field and rule, duplicate) within the concurrency limit', async () => {
    const text = [HEADER, row('b-1'), row('b-2'), row('b-3'), 'b-4,,,,,,,,,,', row('b-1'), row('b-5'), row('b-6')].join('\n');
    let inFlight = 0;
    let maxInFlight = 0;
    const report = await bulkOnboard(readBulkRows('f.csv', text), {
      concurrency: 2,
      policy,
      start: async (input) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        if (input.customerRef === 'b-2') return outcome(input, 'existing');
        if (input.customerRef === 'b-3') throw new OnboardingConflictError('customer-b-3', 'different_input');
        if (input.customerRef === 'b-6') throw new Error('Temporal gave no answer');
        return outcome(input, 'started');
      },
    });
    expect(maxInFlight).toBe(2);
    expect(report.rows.map((r) => [r.line, r.result])).toEqual([
      [2, 'started'],
      [3, 'already_running'],
      [4, 'conflict'],
      [5, 'invalid'],
      [6, 'invalid'],
      [7, 'started'],
      [8, 'failed'],
    ]);
    const invalid = report.rows.find((r) => r.line === 5);
    expect(invalid?.result === 'invalid' && invalid.problems).toEqual(
      expect.arrayContaining([
        { field: 'customer', rule: 'is required' },
        { field: 'funding', rule: 'is required' },
        { field: 'telephony', rule: 'is required' },
      ]),
    );
    const duplicate = report.rows.find((r) => r.line === 6);
    expect(duplicate?.result === 'invalid' && duplicate.problems).toEqual([{ field: 'customerRef', rule: 'must be unique in the file (also on line 2)' }]);
    expect(report.counts).toEqual({ started: 2, already_running: 1, conflict: 1, already_closed: 0, invalid: 2, failed: 1 });
  });

  it('two customerRefs for one e-mail address (any case) refuse both rows, naming every line; nothing of theirs starts', async () => {
    const person = (ref: string, email: string) => `${ref},Test Person,${email},+919800000001,${SEALED},IN,500,INR,Main trunk,2,false`;
    const text = [HEADER, person('e-1', 'asha@example.com'), row('e-2'), person('e-3', 'Asha@Example.COM'), person('e-4', 'ASHA@example.com')].join('\n');
    const started: string[] = [];
    const report = await bulkOnboard(readBulkRows('f.csv', text), {
      concurrency: 2,
      policy,
      start: async (input) => {
        started.push(input.customerRef);
        return outcome(input, 'started');
      },
    });
    expect(started).toEqual(['e-2']);
    const rule = 'must be unique in the file: lines 2, 4 and 5 name the same address under different customerRefs (one person, one customer)';
    expect(report.rows).toEqual([
      { line: 2, customerRef: 'e-1', result: 'invalid', problems: [{ field: 'customer.email', rule }] },
      expect.objectContaining({ line: 3, customerRef: 'e-2', result: 'started' }),
      { line: 4, customerRef: 'e-3', result: 'invalid', problems: [{ field: 'customer.email', rule }] },
      { line: 5, customerRef: 'e-4', result: 'invalid', problems: [{ field: 'customer.email', rule }] },
    ]);
  });

  it('rows are checked with the policy passed in: an amount over its cap is invalid, naming funding.amount and the cap', async () => {
    const report = await bulkOnboard(readBulkRows('f.csv', [HEADER, row('cap-1')].join('\n')), {
      concurrency: 1,
      policy: { ...policy, maxOpeningBalance: '100.00000' },
      start: async (input) => outcome(input, 'started'),
    });
    expect(report.rows).toEqual([
      { line: 2, customerRef: 'cap-1', result: 'invalid', problems: [{ field: 'funding.amount', rule: "must be at most 100 (the cap on one customer's opening balance, ONBOARDING_MAX_OPENING_BALANCE)" }] },
    ]);
  });
});

// Bulk onboarding through the CLI, as an operator runs it: 200 customers from a CSV file with a progress bar and a
// per-row report, then the same file again, which starts nothing twice. A real Temporal (no worker needed:
// starting is all this does), with the settings `npm start` uses.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BulkReport } from '../../src/onboarding/bulk.js';
import { DEVELOPMENT_SEALING_KEY, sealPassword } from '../../src/secrets/index.js';
import { connectDevServer, uniqueTaskQueue, type DevServer } from '../support/temporal.js';
import { portOf, runCli } from '../support/cli.js';

const ROWS = 200;
const batch = randomBytes(3).toString('hex');
const refOf = (i: number) => `bulk-${batch}-${String(i).padStart(3, '0')}`;
// Onboarding files carry the password sealed (`npm run cli -- seal-password`), never in the clear.
const sealed = sealPassword('Example-Passw0rd!', DEVELOPMENT_SEALING_KEY);
if (!sealed.ok) throw new Error('the development key must seal');
const SEALED = sealed.sealed;
const HEADER = 'customerRef,customer.name,customer.email,customer.phone,customer.password,customer.country,funding.amount,funding.currency,telephony.trunk.name';
const csvRow = (i: number, amount = 500) =>
  `${refOf(i)},Test Person ${i},bulk.${batch}.${i}@example.com,+9198${String(10_000_000 + i)},${SEALED},IN,${amount},INR,Trunk ${i}`;

const dir = mkdtempSync(join(tmpdir(), 'cli-bulk-'));
let server: DevServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await connectDevServer();
  env = { TEMPORAL_DEV_PORT: portOf(inject('temporalAddress')), TEMPORAL_NAMESPACE: server.namespace, TEMPORAL_TASK_QUEUE: uniqueTaskQueue('bulk') };
});
afterAll(async () => {
  // Nothing polls the queue: end the workflows so they do not linger in other tests' lists.
  await Promise.all(
    Array.from({ length: ROWS }, (_, i) => server.client.workflow.getHandle(`customer-${refOf(i)}`).terminate('test done').catch(() => undefined)),
  );
  await server?.close();
});

describe('onboard --file', () => {
  const file = join(dir, 'customers.csv');
  let first: BulkReport;

  it(`starts ${ROWS} customers with progress and a report`, async () => {
    writeFileSync(file, [HEADER, ...Array.from({ length: ROWS }, (_, i) => csvRow(i))].join('\n'));
    const run = await runCli(['onboard', '--file', file, '--concurrency', '8', '--json'], env, 300_000);
    expect(run.code, run.stderr).toBe(0);
    first = JSON.parse(run.stdout) as BulkReport;
    expect(first.counts).toEqual({ started: ROWS, already_running: 0, conflict: 0, already_closed: 0, invalid: 0, failed: 0 });
    expect(first.rows.map((r) => r.line)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 2));
    // The progress bar (stderr, so the JSON stays clean) reached the end.
    expect(run.stderr).toMatch(new RegExp(`onboarding \\[.*\\] ${ROWS}/${ROWS} rows \\| started ${ROWS} \\| already running 0 \\| problems 0`));
  });

  it('a rerun of the same file starts nothing twice: every row is already running, on the same run', async () => {
    const run = await runCli(['onboard', '--file', file, '--json'], env, 300_000);
    expect(run.code, run.stderr).toBe(0);
    const again = JSON.parse(run.stdout) as BulkReport;
    expect(again.counts).toMatchObject({ started: 0, already_running: ROWS });
    const runIds = (report: BulkReport) => report.rows.map((r) => ('runId' in r ? r.runId : undefined));
    expect(runIds(again)).toEqual(runIds(first));
    const listed = await server.client.workflowService.countWorkflowExecutions({
      namespace: server.namespace,
      query: `WorkflowId STARTS_WITH 'customer-bulk-${batch}-'`,
    });
    expect(Number(listed.count)).toBe(ROWS);
  });

  it('reports each problem row in a table: already running, conflict, invalid with every field and rule', async () => {
    const mixed = join(dir, 'mixed.jsonl');
    const valid = { customerRef: refOf(0), customer: {}, funding: {}, telephony: {} };
    writeFileSync(
      mixed,
      [
        JSON.stringify({ ...valid, customerRef: 'not a ref!', funding: undefined, telephony: undefined }),
        '{"customerRef":',
      ].join('\n'),
    );
    const csv = join(dir, 'mixed.csv');
    writeFileSync(csv, [HEADER, csvRow(1), csvRow(2, 900), `${refOf(3)},,,,,,,,`].join('\n'));
    const [jsonl, table] = await Promise.all([runCli(['onboard', '--file', mixed], env), runCli(['onboard', '--file', csv], env)]);
    expect(jsonl.code).toBe(2);
    expect(jsonl.stdout).toMatch(/│ 1\s*│ not a ref!\s*│ invalid\s*│ customerRef must be 1-64 letters/);
    expect(jsonl.stdout).toMatch(/funding is required/);
    expect(jsonl.stdout).toMatch(/│ 2\s*│ -\s*│ invalid\s*│ \(row\) is not valid JSON/);
    expect(table.code).toBe(4);
    expect(table.stdout).toMatch(new RegExp(`│ 2\\s*│ ${refOf(1)}\\s*│ already running`));
    expect(table.stdout).toMatch(new RegExp(`│ 3\\s*│ ${refOf(2)}\\s*│ conflict\\s*│ customer-${refOf(2)} is already running with a different onboarding input`));
    expect(table.stdout).toMatch(new RegExp(`│ 4\\s*│ ${refOf(3)}\\s*│ invalid\\s*│ customer is required`));
    expect(table.stdout).toContain('already running: 1 · conflict: 1 · invalid: 1');
  });

  it('a header that reaches a prototype refuses the file, naming the header: nothing starts, nothing is polluted', async () => {
    const evil = join(dir, 'evil.csv');
    const ref = `bulk-${batch}-proto`;
    writeFileSync(evil, [`${HEADER},__proto__.alertWebhookUrl`, `${csvRow(0).replace(refOf(0), ref)},http://169.254.169.254/latest/meta-data/`].join('\n'));
    const run = await runCli(['onboard', '--file', evil], env);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('header "__proto__.alertWebhookUrl" must not contain __proto__, constructor or prototype (they name no field)');
    await expect(server.client.workflow.getHandle(`customer-${ref}`).describe()).rejects.toThrow(/not found/i);
  });

  it('two customerRefs for one e-mail address are both refused, naming both lines; the other rows start', async () => {
    const dupes = join(dir, 'dupes.csv');
    const refs = [0, 1, 2].map((i) => `bulk-${batch}-dup-${i}`);
    const rowFor = (i: number, email: string) => `${refs[i]},Test Person,${email},+919800000001,${SEALED},IN,500,INR,Trunk`;
    writeFileSync(dupes, [HEADER, rowFor(0, `dup.${batch}@example.com`), rowFor(1, `other.${batch}@example.com`), rowFor(2, `DUP.${batch}@Example.com`)].join('\n'));
    const run = await runCli(['onboard', '--file', dupes, '--json'], env);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as BulkReport;
    const rule = 'must be unique in the file: lines 2 and 4 name the same address under different customerRefs (one person, one customer)';
    expect(report.rows).toEqual([
      { line: 2, customerRef: refs[0], result: 'invalid', problems: [{ field: 'customer.email', rule }] },
      expect.objectContaining({ line: 3, customerRef: refs[1], result: 'started' }),
      { line: 4, customerRef: refs[2], result: 'invalid', problems: [{ field: 'customer.email', rule }] },
    ]);
    await expect(server.client.workflow.getHandle(`customer-${refs[0]}`).describe()).rejects.toThrow(/not found/i);
    await server.client.workflow.getHandle(`customer-${refs[1]}`).terminate('test done');
  });
});

/**
 * The workflow side of the CLI: start one customer or a whole file of them, list customers by stage, read one's
 * state, and the operator actions. Each validates its input before Temporal is called (exit 2 naming every field
 * and rule), with the same rules and wording as the start API.
 */
import { readFile } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { STALL_KINDS } from '../../failures/vocabulary.js';
import { bulkOnboard, readBulkRows, BulkFileError, type RowResult } from '../../onboarding/bulk.js';
import { ListOnboardingsQuerySchema, listOnboardings, type OnboardingSummary } from '../../onboarding/customers.js';
import { describeInputProblems, parseCustomerRef, parseOnboardingRequest } from '../../onboarding/input.js';
import { parseOperatorAction, runOperatorAction, type OperatorActionName } from '../../onboarding/operator-actions.js';
import { getLifecycleState, startOnboarding } from '../../onboarding/start.js';
import { explainFailure, withDeadline } from '../../onboarding/temporal-calls.js';
import { workflowIdFor } from '../../workflows/input.js';
import type { LifecycleState } from '../../workflows/messages.js';
import { CliInputError, EXIT, describeFailure, failureLines } from '../errors.js';
import { renderRecord, renderTable } from '../output.js';
import { sealPasswordFromStdin } from '../seal-password.js';
import { runCommand, type Session } from '../session.js';

/** A query needs a worker to answer; without one, say so instead of hanging. Updates wait for the workflow to act. */
const QUERY_TIMEOUT_MS = 15_000;
const UPDATE_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 15_000;

/** The flag a body field came from: `country` → `--country`, `customer.email` → `--email`, `trunk.transport` → `--trunk transport`. */
function flagOf(field: string): string {
  if (field === 'e164') return '<e164>'; // release-number's argument
  if (field.startsWith('customer.')) return `--${field.slice('customer.'.length)}`;
  if (field.startsWith('trunk.')) return `--trunk ${field.slice('trunk.'.length)}`;
  return `--${field}`;
}

export function customerRefArg(value: string): string {
  const parsed = parseCustomerRef(value);
  if (!parsed.ok) throw new CliInputError('invalid customerRef', parsed.problems);
  return parsed.customerRef;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CliInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const json = { flags: '--json', description: 'print JSON instead of a table' } as const;

export function registerOnboardingCommands(program: Command): void {
  program
    .command('onboard')
    .argument('[file.json]', 'one onboarding request (see examples/onboarding.json)')
    .option('--file <customers.csv|customers.jsonl>', 'many customers: one per CSV row (dotted headers) or JSON line')
    .option('--concurrency <n>', 'bulk: starts in flight at once', '8')
    .option(json.flags, json.description)
    .description("start a customer's lifecycle workflow (or join it if the same input was started before); --file for many")
    .action((file: string | undefined, opts: { file?: string; concurrency: string; json?: boolean }) =>
      runCommand(opts, async (session) => {
        if (opts.file && file) throw new CliInputError('give either <file.json> or --file, not both');
        if (opts.file) return onboardMany(session, opts.file, opts.concurrency);
        if (!file) throw new CliInputError('missing input', [{ field: 'file.json', rule: 'is required (or --file for many customers)' }]);
        return onboardOne(session, file);
      }),
    );

  program
    .command('seal-password')
    .description('read a customer password from stdin (hidden at a terminal) and print it sealed, for customer.password')
    .action(() =>
      runCommand({}, async (session) => {
        process.stdout.write(`${await sealPasswordFromStdin(session.config.secrets.sealingKey)}\n`);
      }),
    );

  program
    .command('customers')
    .description('list customers by stage and KYC status (from Temporal visibility; newest first)')
    .option('--stage <stage>', 'only this stage (account, funding, kyc, telephony, active, kyc_failed, …)')
    .option('--kyc-status <status>', 'only this KYC status (kyc_pending, kyc_completed, …)')
    .option('--stalled <kind>', `only customers retrying a step by themselves: ${STALL_KINDS.join(', ')}`)
    .option('--page-size <n>', 'rows per page (1-1000)', '50')
    .option('--page-token <token>', 'the next page, as printed after the previous one')
    .option('--all', 'every page')
    .option(json.flags, json.description)
    .action((opts: { stage?: string; kycStatus?: string; stalled?: string; pageSize: string; pageToken?: string; all?: boolean; json?: boolean }) =>
      runCommand(opts, async (session) => {
        const flags: Record<string, string> = { stage: '--stage', kycStatus: '--kyc-status', stalled: '--stalled', pageSize: '--page-size', pageToken: '--page-token' };
        const parsed = ListOnboardingsQuerySchema.safeParse(
          { stage: opts.stage, kycStatus: opts.kycStatus, stalled: opts.stalled, pageSize: opts.pageSize, pageToken: opts.pageToken },
          { reportInput: true },
        );
        if (!parsed.success) {
          throw new CliInputError('invalid filter', describeInputProblems(parsed.error).map((p) => ({ ...p, field: flags[p.field] ?? p.field })));
        }
        const client = await session.temporal();
        const rows: OnboardingSummary[] = [];
        let query = parsed.data;
        let next: string | undefined;
        do {
          const page = await listOnboardings(client, query);
          rows.push(...page.onboardings);
          next = page.nextPageToken;
          query = { ...query, ...(next ? { pageToken: next } : {}) };
        } while (opts.all && next);
        session.out.data({ onboardings: rows, ...(next ? { nextPageToken: next } : {}) }, () =>
          renderTable(rows, [
            { header: 'customerRef', value: (r) => r.customerRef },
            { header: 'stage', value: (r) => r.stage },
            { header: 'KYC status', value: (r) => r.kycStatus },
            { header: 'Vobiz account', value: (r) => r.authId },
            { header: 'stalled', value: (r) => r.stalled },
            { header: 'workflow', value: (r) => r.status },
            { header: 'started', value: (r) => r.startedAt },
          ]),
        );
        if (next && !session.out.json) session.out.note(`more: --page-token ${next}`);
      }),
    );

  program
    .command('status')
    .argument('<customerRef>')
    .option(json.flags, json.description)
    .description("the workflow's state (needs a running worker to answer)")
    .action((ref: string, opts: { json?: boolean }) =>
      runCommand(opts, async (session) => {
        const customerRef = customerRefArg(ref);
        const client = await session.temporal();
        const state = await withDeadline(client, QUERY_TIMEOUT_MS, () => getLifecycleState(client, customerRef)).catch(async (err: unknown) => {
          throw await explainFailure(client, customerRef, workflowIdFor(customerRef), err);
        });
        session.out.data(state, () => renderRecord(stateEntries(state)));
      }),
    );

  const action = (name: OperatorActionName, ref: string, body: unknown, opts: { json?: boolean }) =>
    runCommand(opts, async (session) => {
      const parsed = parseOperatorAction(name, body);
      if (!parsed.ok) throw new CliInputError(`invalid ${name} arguments`, parsed.problems.map((p) => ({ ...p, field: flagOf(p.field) })));
      const customerRef = customerRefArg(ref);
      const client = await session.temporal();
      const result = await withDeadline(client, UPDATE_TIMEOUT_MS, () => runOperatorAction(client, customerRef, parsed.action)).catch(async (err: unknown) => {
        throw await explainFailure(client, customerRef, workflowIdFor(customerRef), err);
      });
      session.out.data({ customerRef, action: name, result }, () => `${name} done for ${customerRef}: ${JSON.stringify(result)}`);
    });

  program
    .command('resend-kyc')
    .argument('<customerRef>')
    .option(json.flags, json.description)
    .description('re-send the KYC e-mail now (Vobiz allows one per 30 minutes)')
    .action((ref: string, opts: { json?: boolean }) => action('resend-kyc', ref, {}, opts));
  program
    .command('revoke-kyc')
    .argument('<customerRef>')
    .requiredOption('--reason <text>', 'why (shown in the audit log)')
    .option(json.flags, json.description)
    .description('revoke the open KYC session')
    .action((ref: string, opts: { reason: string; json?: boolean }) => action('revoke-kyc', ref, { reason: opts.reason }, opts));
  program
    .command('restart-kyc')
    .argument('<customerRef>')
    .option(json.flags, json.description)
    .description('open a new KYC session after a failed, expired or revoked one')
    .action((ref: string, opts: { json?: boolean }) => action('restart-kyc', ref, {}, opts));
  program
    .command('offboard')
    .argument('<customerRef>')
    .requiredOption('--reason <text>', 'why the customer leaves')
    .option('--force', 'end an offboarding that cannot finish: each step still to do is tried once more, and what fails is left at Vobiz and recorded')
    .option(json.flags, json.description)
    .description('release numbers, disable the trunk, revoke open sessions, and end')
    .action((ref: string, opts: { reason: string; force?: boolean; json?: boolean }) =>
      action('offboard', ref, { reason: opts.reason, ...(opts.force ? { force: true } : {}) }, opts),
    );
  program
    .command('retry')
    .argument('<customerRef>')
    .description("try a blocked step again (stage blocked), optionally with corrected details")
    .option('--name <name>', "customer's name")
    .option('--email <email>', "customer's e-mail")
    .option('--phone <e164>', "customer's phone, E.164")
    .option('--company <company>', "customer's company")
    .option('--country <code>', "customer's country, ISO 3166-1 alpha-2")
    .option('--trunk <json>', 'trunk settings to correct, as JSON, e.g. \'{"transport":"tcp"}\'')
    .option(json.flags, json.description)
    .action((ref: string, opts: { name?: string; email?: string; phone?: string; company?: string; country?: string; trunk?: string; json?: boolean }) => {
      const customer = Object.fromEntries(
        (['name', 'email', 'phone', 'company', 'country'] as const).filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]),
      );
      let trunk: unknown;
      if (opts.trunk !== undefined) {
        try {
          trunk = JSON.parse(opts.trunk);
        } catch {
          trunk = opts.trunk; // reported by the schema as "trunk must be an object"
        }
      }
      return action('retry', ref, { ...(Object.keys(customer).length ? { customer } : {}), ...(trunk !== undefined ? { trunk } : {}) }, opts);
    });

  program
    .command('hand-over-account')
    .argument('<customerRef>', 'the customer blocked on EmailInUse that should take the account over')
    .requiredOption('--from <customerRef|none>', 'the account\'s current owner, as the block names it ("none" when no customer owns it)')
    .requiredOption('--reason <text>', 'why (e.g. "returning customer"); kept in the account claim\'s history')
    .option(json.flags, json.description)
    .description("deliberately give an account to a blocked customer: a returning customer after its old customerRef was offboarded, or an account made outside this service")
    .action((ref: string, opts: { from: string; reason: string; json?: boolean }) =>
      action('hand-over-account', ref, { from: opts.from === 'none' ? null : opts.from, reason: opts.reason }, opts),
    );

  program
    .command('buy-number')
    .argument('<customerRef>')
    .requiredOption('--country <code>', 'ISO 3166-1 alpha-2, e.g. IN')
    .option('--search <digits>', 'digits the number should contain')
    .option(json.flags, json.description)
    .description('buy a number from inventory for the customer')
    .action((ref: string, opts: { country: string; search?: string; json?: boolean }) =>
      action('purchase-number', ref, { country: opts.country, ...(opts.search ? { search: opts.search } : {}) }, opts),
    );

  program
    .command('release-number')
    .argument('<customerRef>')
    .argument('<e164>', "one of the customer's numbers, e.g. +918071387100")
    .option(json.flags, json.description)
    .description("release one of the customer's numbers back to Vobiz (refused during offboarding, which releases them all)")
    .action((ref: string, e164: string, opts: { json?: boolean }) => action('release-number', ref, { e164 }, opts));
}

async function onboardOne(session: Session, file: string): Promise<void> {
  const text = await readText(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CliInputError(`${file} is not valid JSON`);
  }
  const parsed = await parseOnboardingRequest(raw, session.config.onboarding);
  if (!parsed.ok) throw new CliInputError(`invalid onboarding input in ${file}`, parsed.problems);
  const client = await session.temporal();
  const settings = { taskQueue: session.config.temporal.taskQueue, webUiUrl: session.config.edges.webUiUrl };
  const outcome = await withDeadline(client, START_TIMEOUT_MS, () => startOnboarding(client, settings, parsed.input));
  session.out.data(
    outcome,
    () => `${outcome.status === 'started' ? 'Started' : 'Already running'}: ${outcome.workflowId} (run ${outcome.runId})\nWeb UI: ${outcome.webUiUrl}`,
  );
}

async function onboardMany(session: Session, file: string, concurrencyText: string): Promise<void> {
  const concurrency = Number(concurrencyText);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new CliInputError('invalid option', [{ field: '--concurrency', rule: 'must be a whole number 1-64' }]);
  }
  let rows;
  try {
    rows = readBulkRows(file, await readText(file));
  } catch (err) {
    if (err instanceof BulkFileError) throw new CliInputError(err.message);
    throw err;
  }
  if (rows.length === 0) throw new CliInputError(`${file} has no rows`);
  // Connect before the first row, so "Temporal is down" is one answer (exit 5), not one failure per row.
  const client = await session.temporal();
  const settings = { taskQueue: session.config.temporal.taskQueue, webUiUrl: session.config.edges.webUiUrl };

  // The bar goes to stderr; when stderr is not a terminal it prints a line every second instead of redrawing.
  const bar = new SingleBar({
    format: 'onboarding [{bar}] {value}/{total} rows | started {started} | already running {existing} | problems {problems}',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 1000,
    hideCursor: true,
  });
  const tally = { started: 0, existing: 0, problems: 0 };
  bar.start(rows.length, 0, tally);
  const report = await bulkOnboard(rows, {
    concurrency,
    policy: session.config.onboarding,
    start: (input) => withDeadline(client, START_TIMEOUT_MS, () => startOnboarding(client, settings, input)),
    describeError: (err) => failureLines(describeFailure(err)).join(' '),
    onRow: (row) => {
      if (row.result === 'started') tally.started += 1;
      else if (row.result === 'already_running') tally.existing += 1;
      else tally.problems += 1;
      bar.increment(1, tally);
    },
  });
  bar.stop();

  session.out.data(report, () =>
    [
      renderTable(report.rows, [
        { header: 'line', value: (r) => r.line },
        { header: 'customerRef', value: (r) => r.customerRef },
        { header: 'result', value: (r) => r.result.replace('_', ' ') },
        { header: 'detail', value: rowDetail },
      ]),
      Object.entries(report.counts)
        .filter(([, n]) => n > 0)
        .map(([outcome, n]) => `${outcome.replace('_', ' ')}: ${n}`)
        .join(' · '),
    ].join('\n'),
  );
  const { counts } = report;
  if (counts.failed > 0) process.exitCode = EXIT.failed;
  else if (counts.conflict + counts.already_closed > 0) process.exitCode = EXIT.refused;
  else if (counts.invalid > 0) process.exitCode = EXIT.invalidInput;
}

function kycAttempts(state: LifecycleState): string {
  const used = state.kyc.attempts.length;
  const more = Math.max(0, state.kyc.attemptsAllowed - used);
  return `${used} used, ${more} more without an operator`;
}

function rowDetail(row: RowResult): string {
  switch (row.result) {
    case 'started':
    case 'already_running':
      return row.workflowId;
    case 'invalid':
      return row.problems.map((p) => `${p.field} ${p.rule}`).join('\n');
    default:
      return row.message;
  }
}

/** The trunk, marked once offboarding disabled it (or left it live: a forced end). */
function trunkEntry(state: LifecycleState): string | undefined {
  const { trunkDomain, trunkId, trunkDisabled } = state.telephony;
  const trunk = trunkDomain ?? trunkId;
  if (!trunk) return undefined;
  if (trunkDisabled) return `${trunk} (disabled)`;
  return state.offboarding?.left?.trunkId ? `${trunk} (left enabled: offboarding was forced)` : trunk;
}

/** Each number, marked released (or left rented by a forced offboarding). */
function numbersEntry(state: LifecycleState): string | undefined {
  const { numbers, releasedNumbers } = state.telephony;
  const left = state.offboarding?.left?.numbers ?? [];
  const mark = (e164: string) => (releasedNumbers.includes(e164) ? ' (released)' : left.includes(e164) ? ' (left: not released)' : '');
  return numbers.map((e164) => `${e164}${mark(e164)}`).join(', ') || undefined;
}

function offboardingEntry(offboarding: NonNullable<LifecycleState['offboarding']>): string {
  const done = offboarding.completedAt ? ` (done ${offboarding.completedAt})` : ' (under way)';
  const notes = [
    offboarding.accountGone ? 'the Vobiz account was already gone' : '',
    offboarding.forced ? `forced: ${offboarding.forced.reason}` : '',
    offboarding.left?.kycSessionId ? `KYC session ${offboarding.left.kycSessionId} not revoked` : '',
    offboarding.left?.balanceUnknown ? 'balance unknown' : offboarding.balanceAtOffboarding ? `balance left ${offboarding.balanceAtOffboarding}` : '',
  ].filter(Boolean);
  return `${offboarding.reason}${done}${notes.length ? `; ${notes.join('; ')}` : ''}`;
}

/**
 * The state as name/value rows. KYC attempts read "N used, M more without an operator": an operator's restart
 * grants one attempt beyond the automatic ones, which "attempt 2/2" made read as the budget shrinking.
 */
export function stateEntries(state: LifecycleState): Array<readonly [string, string | number | undefined]> {
  const attempt = state.kyc.attempts.at(-1);
  const last = state.usage?.last;
  return [
    ['customerRef', state.customerRef],
    ['stage', state.reason ? `${state.stage} (${state.reason})` : state.stage],
    ['Vobiz account', state.authId],
    ['blocked', state.blocked ? `${state.blocked.step}: ${state.blocked.type}: ${state.blocked.reason} (since ${state.blocked.since}; retry or offboard)` : undefined],
    ['stalled', state.stall ? `${state.stall.step}: ${state.stall.kind} (${state.stall.type}: ${state.stall.reason}; since ${state.stall.since}, ${state.stall.rounds} rounds)` : undefined],
    ['opening balance', state.funding ? `${state.funding.amount} ${state.funding.currency} (${state.funding.transactionId})` : undefined],
    ['KYC status', state.kyc.status],
    ['KYC attempts', kycAttempts(state)],
    ['KYC session', attempt ? `${attempt.sessionId}${attempt.outcome ? ` (${attempt.outcome})` : `, expires ${attempt.expiresAt}`}` : undefined],
    ['KYC reminders sent', state.kyc.remindersSent.length],
    ['trunk', trunkEntry(state)],
    ['numbers', numbersEntry(state)],
    ['last usage poll', last ? `${last.polledAt}: ${last.window.calls} calls, balance ${last.balance} ${last.currency}` : undefined],
    ['alerts', state.usage?.alerts.length],
    ['offboarding', state.offboarding ? offboardingEntry(state.offboarding) : undefined],
    ['started', state.startedAt],
    ['updated', state.updatedAt],
  ];
}

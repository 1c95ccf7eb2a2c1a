/**
 * The Vobiz side of the CLI, as the seed's flow reads it: a customer's transactions, CDRs, numbers and balance,
 * every customer's CDRs, the numbers on sale, the partner profile and dashboard. Straight from Vobiz with the
 * partner credentials (src/reads/vobiz-reads.ts, the reads the bridge offers over HTTP), page by page; a customer is
 * named by customerRef and its Vobiz account is found from its workflow (search attribute, no worker needed).
 * Tables by default, `--json`, or `--csv` (transactions, CDRs: streamed to stdout as the pages arrive).
 */
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import type { z } from 'zod';
import { vobizAuthIdOf } from '../../onboarding/customers.js';
import { describeInputProblems } from '../../onboarding/input.js';
import { withDeadline } from '../../onboarding/temporal-calls.js';
import { CDR_COLUMNS, TRANSACTION_COLUMNS, csvStream, type CsvColumn } from '../../reads/csv.js';
import { directReads, everyCdr, everyInventoryNumber, everyNumber, everyTransaction } from '../../reads/vobiz-reads.js';
import { escapeUnsafeCharacters } from '../../text/unsafe-characters.js';
import {
  CDR_STATUSES,
  ListCdrsParams,
  ListInventoryParams,
  ListTransactionsParams,
  TRANSACTION_TYPES,
  type Cdr,
  type PhoneNumber,
  type Transaction,
} from '../../vobiz/index.js';
import { CliInputError } from '../errors.js';
import { renderRecord, renderTable } from '../output.js';
import { runCommand, type Session } from '../session.js';
import { customerRefArg } from './onboarding.js';

const DEFAULT_LIMIT = '100';
const DESCRIBE_TIMEOUT_MS = 10_000;

function limitOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new CliInputError('invalid option', [{ field: '--limit', rule: 'must be a whole number 1-100000' }]);
  return n;
}

/** Checks CLI filters with the Vobiz client's own schema, naming problems by flag. */
function filters<S extends z.ZodType>(schema: S, value: unknown, flags: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new CliInputError('invalid filter', describeInputProblems(parsed.error).map((p) => ({ ...p, field: flags[p.field] ?? p.field })));
}

/** How many rows: `--limit N` (default 100), or `--all` for every row of the listing. */
function rowLimit(opts: { limit: string; all?: boolean }): number {
  return opts.all ? Number.POSITIVE_INFINITY : limitOf(opts.limit);
}

/** The first `limit` items of a paginated list; pages are fetched only as far as needed. */
async function* upTo<T>(items: AsyncGenerator<T>, limit: number): AsyncGenerator<T> {
  if (limit <= 0) return;
  let n = 0;
  for await (const item of items) {
    yield item;
    if (++n >= limit) return;
  }
}

async function take<T>(items: AsyncGenerator<T>, limit: number): Promise<T[]> {
  const rows: T[] = [];
  for await (const item of upTo(items, limit)) rows.push(item);
  return rows;
}

/**
 * CSV on stdout, each page written as it arrives. Control and bidi characters are escaped as everywhere the CLI
 * prints (a terminal obeys them); formula-looking cells are made inert by the CSV writer itself.
 */
async function writeCsv<T>(rows: AsyncGenerator<T>, columns: readonly CsvColumn<T>[]): Promise<void> {
  const printable = columns.map((c) => ({
    ...c,
    value: (row: T) => {
      const value = c.value(row);
      return typeof value === 'string' ? escapeUnsafeCharacters(value) : value;
    },
  }));
  const csv = csvStream(rows, printable);
  csv.pipe(process.stdout, { end: false });
  await finished(csv);
}

const listing = (command: Command) =>
  command
    .option('--limit <n>', 'at most this many rows', DEFAULT_LIMIT)
    .option('--all', 'every row of the listing, page after page (ignores --limit)');

async function accountOf(session: Session, ref: string): Promise<string> {
  const customerRef = customerRefArg(ref);
  const client = await session.temporal();
  return withDeadline(client, DESCRIBE_TIMEOUT_MS, () => vobizAuthIdOf(client, customerRef));
}

const json = ['--json', 'print JSON instead of a table'] as const;

function numberColumns(owned: boolean) {
  return [
    { header: 'number', value: (n: PhoneNumber) => n.e164 },
    { header: 'country', value: (n: PhoneNumber) => n.country },
    { header: 'region', value: (n: PhoneNumber) => n.region },
    { header: 'status', value: (n: PhoneNumber) => n.status },
    ...(owned ? [] : [{ header: 'setup fee', value: (n: PhoneNumber) => (n.setup_fee ? `${n.setup_fee.toString()} ${n.currency ?? ''}`.trim() : undefined) }]),
    { header: 'monthly fee', value: (n: PhoneNumber) => (n.monthly_fee ? `${n.monthly_fee.toString()} ${n.currency ?? ''}`.trim() : undefined) },
    ...(owned ? [{ header: 'purchased', value: (n: PhoneNumber) => n.purchased_at }] : []),
  ];
}

const csv = ['--csv', 'print CSV (spreadsheet-safe: formula-looking cells made inert), streamed page by page'] as const;

/** Exactly one of the output forms. */
function outputForm(opts: { json?: boolean; csv?: boolean }): void {
  if (opts.json && opts.csv) throw new CliInputError('invalid option', [{ field: '--csv', rule: 'cannot be combined with --json' }]);
}

type CdrOptions = {
  partner?: boolean;
  direction?: string;
  status?: string;
  hangupCause?: string;
  minDuration?: string;
  maxDuration?: string;
  from?: string;
  to?: string;
  fromNumber?: string;
  toNumber?: string;
  context?: string;
  search?: string;
  limit: string;
  all?: boolean;
  json?: boolean;
  csv?: boolean;
};

const wholeNumber = (text: string | undefined): number | string | undefined => (text === undefined ? undefined : /^\d+$/.test(text) ? Number(text) : text);

function cdrFilters(opts: CdrOptions) {
  return filters(
    ListCdrsParams,
    {
      callDirection: opts.direction,
      status: opts.status,
      hangupCause: opts.hangupCause,
      minDuration: wholeNumber(opts.minDuration),
      maxDuration: wholeNumber(opts.maxDuration),
      startDate: opts.from,
      endDate: opts.to,
      fromNumber: opts.fromNumber,
      toNumber: opts.toNumber,
      context: opts.context,
      search: opts.search,
      perPage: 100,
    },
    {
      callDirection: '--direction',
      status: '--status',
      hangupCause: '--hangup-cause',
      minDuration: '--min-duration',
      maxDuration: '--max-duration',
      startDate: '--from',
      endDate: '--to',
      fromNumber: '--from-number',
      toNumber: '--to-number',
      context: '--context',
      search: '--search',
    },
  );
}

export function registerVobizCommands(program: Command): void {
  listing(
    program
      .command('transactions')
      .argument('<customerRef>')
      .description("the customer's Vobiz ledger, newest first")
      .option('--type <type>', `only ${TRANSACTION_TYPES.join(', ')}`)
      .option('--from <YYYY-MM-DD>', 'from this date')
      .option('--to <YYYY-MM-DD>', 'up to this date'),
  )
    .option(...csv)
    .option(...json)
    .action((ref: string, opts: { type?: string; from?: string; to?: string; limit: string; all?: boolean; json?: boolean; csv?: boolean }) =>
      runCommand(opts, async (session) => {
        outputForm(opts);
        const params = filters(
          ListTransactionsParams,
          { transactionType: opts.type, fromDate: opts.from, toDate: opts.to, perPage: 200 },
          { transactionType: '--type', fromDate: '--from', toDate: '--to' },
        );
        const limit = rowLimit(opts);
        const authId = await accountOf(session, ref);
        const rows = upTo(everyTransaction(directReads(session.vobiz()), authId, params), limit);
        if (opts.csv) return writeCsv(rows, TRANSACTION_COLUMNS);
        const transactions = await take(rows, limit);
        session.out.data({ authId, transactions }, () =>
          renderTable<Transaction>(transactions, [
            { header: 'when', value: (t) => t.processed_at ?? t.created_at },
            { header: 'type', value: (t) => t.type },
            { header: 'amount', value: (t) => t.amount },
            { header: 'currency', value: (t) => t.currency },
            { header: 'description', value: (t) => t.description },
            { header: 'status', value: (t) => t.status },
            { header: 'id', value: (t) => t.id },
          ]),
        );
      }),
    );

  listing(
    program
      .command('cdrs')
      .argument('[customerRef]', 'whose call records (or --partner for every customer\'s)')
      .description("a customer's call records, or with --partner every customer's, with Vobiz's filters")
      .option('--partner', "every customer's call records (each row's account says whose)")
      .option('--direction <inbound|outbound>', 'call direction')
      .option('--status <status>', `only ${CDR_STATUSES.join(', ')}`)
      .option('--hangup-cause <cause>', 'e.g. NORMAL_CLEARING')
      .option('--min-duration <seconds>', 'calls at least this long')
      .option('--max-duration <seconds>', 'calls at most this long')
      .option('--from <YYYY-MM-DD>', 'from this date (with --to)')
      .option('--to <YYYY-MM-DD>', 'up to this date (with --from)')
      .option('--from-number <e164>', 'caller')
      .option('--to-number <e164>', 'callee')
      .option('--context <context>', 'voice-api or sip-trunking')
      .option('--search <text>', 'free text across the number fields'),
  )
    .option(...csv)
    .option(...json)
    .action((ref: string | undefined, opts: CdrOptions) =>
      runCommand(opts, async (session) => {
        outputForm(opts);
        if (Boolean(ref) === Boolean(opts.partner)) {
          throw new CliInputError('missing input', [{ field: 'customerRef', rule: 'is required, or --partner for every customer (not both)' }]);
        }
        const params = cdrFilters(opts);
        const limit = rowLimit(opts);
        const authId = ref ? await accountOf(session, ref) : null;
        const rows = upTo(everyCdr(directReads(session.vobiz()), authId, params), limit);
        if (opts.csv) return writeCsv(rows, CDR_COLUMNS);
        const cdrs = await take(rows, limit);
        session.out.data(authId ? { authId, cdrs } : { cdrs }, () =>
          renderTable<Cdr>(cdrs, [
            { header: 'start', value: (c) => c.start_time },
            ...(authId ? [] : [{ header: 'account', value: (c: Cdr) => (c.account_id == null ? undefined : String(c.account_id)) }]),
            { header: 'direction', value: (c) => c.call_direction },
            { header: 'from', value: (c) => c.caller_id_number },
            { header: 'to', value: (c) => c.destination_number },
            { header: 'duration s', value: (c) => c.duration },
            { header: 'billed s', value: (c) => c.billsec },
            { header: 'hangup', value: (c) => c.hangup_cause },
            { header: 'cost', value: (c) => (c.total_cost ?? c.cost)?.toString() },
          ]),
        );
      }),
    );

  listing(program.command('numbers').argument('<customerRef>').description('the numbers the customer owns'))
    .option(...json)
    .action((ref: string, opts: { limit: string; all?: boolean; json?: boolean }) =>
      runCommand(opts, async (session) => {
        const limit = rowLimit(opts);
        const authId = await accountOf(session, ref);
        const rows = await take(everyNumber(directReads(session.vobiz()), authId, { perPage: 100 }), limit);
        session.out.data({ authId, numbers: rows }, () => renderTable<PhoneNumber>(rows, numberColumns(true)));
      }),
    );

  listing(
    program
      .command('inventory')
      .description("numbers on sale at Vobiz (read through one of the partner's customer accounts: Vobiz lists its inventory to accounts only)")
      .option('--country <code>', 'ISO 3166-1 alpha-2, e.g. IN')
      .option('--search <digits>', 'digits the number contains')
      .option('--exclude <prefixes>', 'leave out numbers starting with these prefixes (country code included), comma-separated, e.g. 9180,9122'),
  )
    .option(...json)
    .action((opts: { country?: string; search?: string; exclude?: string; limit: string; all?: boolean; json?: boolean }) =>
      runCommand(opts, async (session) => {
        const params = filters(
          ListInventoryParams,
          {
            country: opts.country,
            search: opts.search,
            exclude: opts.exclude?.split(',').map((p) => p.trim()).filter(Boolean),
            perPage: 100,
          },
          { country: '--country', search: '--search', exclude: '--exclude' },
        );
        const rows = await take(everyInventoryNumber(directReads(session.vobiz()), params), rowLimit(opts));
        session.out.data({ numbers: rows }, () => renderTable<PhoneNumber>(rows, numberColumns(false)));
      }),
    );

  program
    .command('balance')
    .argument('<customerRef>')
    .description("the customer's Vobiz balance")
    .option(...json)
    .action((ref: string, opts: { json?: boolean }) =>
      runCommand(opts, async (session) => {
        const authId = await accountOf(session, ref);
        const balance = await directReads(session.vobiz()).balance(authId);
        session.out.data(balance, () =>
          renderRecord([
            ['Vobiz account', balance.auth_id ?? authId],
            ['balance', `${balance.cash_credits.toString()} ${balance.currency ?? ''}`.trim()],
            ['updated', balance.updated_at],
          ]),
        );
      }),
    );

  program
    .command('partner')
    .description('the partner profile (GET /me): limits, permissions, balance')
    .option(...json)
    .action((opts: { json?: boolean }) =>
      runCommand(opts, async (session) => {
        const me = await directReads(session.vobiz()).partner();
        session.out.data(me, () =>
          renderRecord([
            ['name', me.name],
            ['company', me.company],
            ['auth ID', me.auth_id],
            ['billing model', me.billing_model],
            ['balance', me.balance ? `${me.balance.toString()} ${me.currency ?? ''}`.trim() : undefined],
            ['accounts', me.max_accounts != null ? `${me.account_count ?? '?'} of ${me.max_accounts}` : me.account_count],
            ['active / verified', `${String(me.is_active ?? '?')} / ${String(me.is_verified ?? '?')}`],
            ['can create accounts', me.can_create_accounts],
            ['can transfer balance', me.can_transfer_balance],
            ['can view CDRs', me.can_view_cdrs],
          ]),
        );
      }),
    );

  program
    .command('dashboard')
    .description('the partner dashboard: customers, balances, calls')
    .option(...json)
    .action((opts: { json?: boolean }) =>
      runCommand(opts, async (session) => {
        const d = await directReads(session.vobiz()).dashboard();
        const accounts = typeof d.accounts === 'number' ? { total: d.accounts } : (d.accounts ?? undefined);
        session.out.data(d, () =>
          renderRecord([
            ['period', d.period ? `${d.period.from ?? '?'} → ${d.period.to ?? '?'}` : undefined],
            ['customers', accounts?.total ?? d.total_customers],
            ['active customers', (accounts && 'active' in accounts ? accounts.active : undefined) ?? d.active_customers],
            ['pending KYC', d.pending_kyc],
            ['total balance', (d.total_balance ?? d.total_balance_held)?.toString()],
            ['currency', d.currency],
            ['calls', d.calls?.total_calls],
            ['answered', d.calls?.answered_calls],
            ['minutes', d.calls?.total_minutes],
            ['call cost', d.calls?.total_cost?.toString()],
          ]),
        );
      }),
    );
}

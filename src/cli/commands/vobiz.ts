/**
 * The Vobiz side of the CLI, as the seed's flow reads it: a customer's transactions, CDRs, numbers and balance,
 * the partner profile and dashboard. Through the project's Vobiz client and its pagination iterators; a customer
 * is named by customerRef and its Vobiz account is found from its workflow (search attribute, no worker needed).
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import { vobizAuthIdOf } from '../../onboarding/customers.js';
import { describeInputProblems } from '../../onboarding/input.js';
import { withDeadline } from '../../onboarding/temporal-calls.js';
import { CDR_STATUSES, ListCdrsParams, ListTransactionsParams, TRANSACTION_TYPES, type Cdr, type PhoneNumber, type Transaction } from '../../vobiz/index.js';
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

/** The first `limit` items of a paginated list; pages are fetched only as far as needed. */
async function take<T>(items: AsyncIterable<T>, limit: number): Promise<T[]> {
  const rows: T[] = [];
  for await (const item of items) {
    rows.push(item);
    if (rows.length >= limit) break;
  }
  return rows;
}

async function accountOf(session: Session, ref: string): Promise<string> {
  const customerRef = customerRefArg(ref);
  const client = await session.temporal();
  return withDeadline(client, DESCRIBE_TIMEOUT_MS, () => vobizAuthIdOf(client, customerRef));
}

const json = ['--json', 'print JSON instead of a table'] as const;

export function registerVobizCommands(program: Command): void {
  program
    .command('transactions')
    .argument('<customerRef>')
    .description("the customer's Vobiz ledger, newest first")
    .option('--type <type>', `only ${TRANSACTION_TYPES.join(', ')}`)
    .option('--from <YYYY-MM-DD>', 'from this date')
    .option('--to <YYYY-MM-DD>', 'up to this date')
    .option('--limit <n>', 'at most this many rows', DEFAULT_LIMIT)
    .option(...json)
    .action((ref: string, opts: { type?: string; from?: string; to?: string; limit: string; json?: boolean }) =>
      runCommand(opts, async (session) => {
        const params = filters(
          ListTransactionsParams,
          { transactionType: opts.type, fromDate: opts.from, toDate: opts.to, perPage: 100 },
          { transactionType: '--type', fromDate: '--from', toDate: '--to' },
        );
        const limit = limitOf(opts.limit);
        const authId = await accountOf(session, ref);
        const rows = await take(session.vobiz().iterateTransactions(authId, params), limit);
        session.out.data({ authId, transactions: rows }, () =>
          renderTable<Transaction>(rows, [
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

  program
    .command('cdrs')
    .argument('<customerRef>')
    .description("the customer's call records")
    .option('--direction <inbound|outbound>', 'call direction')
    .option('--status <status>', `only ${CDR_STATUSES.join(', ')}`)
    .option('--hangup-cause <cause>', 'e.g. NORMAL_CLEARING')
    .option('--min-duration <seconds>', 'calls at least this long')
    .option('--from <YYYY-MM-DD>', 'from this date (with --to)')
    .option('--to <YYYY-MM-DD>', 'up to this date (with --from)')
    .option('--from-number <e164>', 'caller')
    .option('--to-number <e164>', 'callee')
    .option('--limit <n>', 'at most this many rows', DEFAULT_LIMIT)
    .option(...json)
    .action(
      (
        ref: string,
        opts: { direction?: string; status?: string; hangupCause?: string; minDuration?: string; from?: string; to?: string; fromNumber?: string; toNumber?: string; limit: string; json?: boolean },
      ) =>
        runCommand(opts, async (session) => {
          const minDuration = opts.minDuration === undefined ? undefined : /^\d+$/.test(opts.minDuration) ? Number(opts.minDuration) : opts.minDuration;
          const params = filters(
            ListCdrsParams,
            {
              callDirection: opts.direction,
              status: opts.status,
              hangupCause: opts.hangupCause,
              minDuration,
              startDate: opts.from,
              endDate: opts.to,
              fromNumber: opts.fromNumber,
              toNumber: opts.toNumber,
              perPage: 100,
            },
            {
              callDirection: '--direction',
              status: '--status',
              hangupCause: '--hangup-cause',
              minDuration: '--min-duration',
              startDate: '--from',
              endDate: '--to',
              fromNumber: '--from-number',
              toNumber: '--to-number',
            },
          );
          const limit = limitOf(opts.limit);
          const authId = await accountOf(session, ref);
          const rows = await take(session.vobiz().iterateCdrs(authId, params), limit);
          session.out.data({ authId, cdrs: rows }, () =>
            renderTable<Cdr>(rows, [
              { header: 'start', value: (c) => c.start_time },
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

  program
    .command('numbers')
    .argument('<customerRef>')
    .description('the numbers the customer owns')
    .option('--limit <n>', 'at most this many rows', DEFAULT_LIMIT)
    .option(...json)
    .action((ref: string, opts: { limit: string; json?: boolean }) =>
      runCommand(opts, async (session) => {
        const limit = limitOf(opts.limit);
        const authId = await accountOf(session, ref);
        const rows = await take(session.vobiz().iterateNumbers(authId, { perPage: 100 }), limit);
        session.out.data({ authId, numbers: rows }, () =>
          renderTable<PhoneNumber>(rows, [
            { header: 'number', value: (n) => n.e164 },
            { header: 'country', value: (n) => n.country },
            { header: 'region', value: (n) => n.region },
            { header: 'status', value: (n) => n.status },
            { header: 'monthly fee', value: (n) => (n.monthly_fee ? `${n.monthly_fee.toString()} ${n.currency ?? ''}`.trim() : undefined) },
            { header: 'purchased', value: (n) => n.purchased_at },
          ]),
        );
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
        const balance = await session.vobiz().getAccountBalance(authId);
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
        const me = await session.vobiz().me();
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
        const d = await session.vobiz().dashboard();
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

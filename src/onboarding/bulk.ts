/**
 * Bulk onboarding: many customers from one file (CSV or JSON Lines), started with a concurrency limit, each row
 * reported as started, already running, conflict, invalid (every field and rule) or failed. Starting is idempotent
 * by customerRef (src/onboarding/start.ts), so running the same file again starts nothing twice: rows already
 * started come back as "already running".
 *
 * CSV: one column per field, dotted paths as headers (`customerRef,customer.name,customer.email,…,funding.amount,
 * telephony.trunk.name`); empty cells are left out so defaults apply; a cell holding JSON (`[…]`, `{…}`) is parsed,
 * for lists such as `kyc.reminderSchedule`. JSONL: one onboarding request (as POST /onboardings takes) per line.
 */
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import pLimit from 'p-limit';
import type { FieldProblem, OnboardingInput } from '../workflows/input.js';
import { parseOnboardingRequest, type OnboardingPolicy } from './input.js';
import { OnboardingConflictError, type StartOutcome } from './start.js';

export interface BulkRow {
  /** 1-based line of the row in the file (CSV: the header is line 1). */
  line: number;
  /** The request, or why it could not be read at all. */
  request: unknown;
  readError?: string;
}

export type RowResult =
  | { line: number; customerRef?: string; result: 'started' | 'already_running'; workflowId: string; runId: string }
  | { line: number; customerRef?: string; result: 'conflict' | 'already_closed'; message: string }
  | { line: number; customerRef?: string; result: 'invalid'; problems: FieldProblem[] }
  | { line: number; customerRef?: string; result: 'failed'; message: string };

export type RowOutcome = RowResult['result'];
export const ROW_OUTCOMES: readonly RowOutcome[] = ['started', 'already_running', 'conflict', 'already_closed', 'invalid', 'failed'];

export class BulkFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BulkFileError';
  }
}

// CSV cells are text; these fields are numbers or booleans in the schema, so they are converted before validation
// (a cell that is not a number stays text and is reported by the schema as "must be a number").
const NUMERIC_FIELDS = new Set([
  'kyc.expiresInDays',
  'kyc.maxAttempts',
  'telephony.trunk.concurrent_calls_limit',
  'telephony.trunk.cps_limit',
  'monitoring.failedCallJump',
  'monitoring.pollsPerRun',
]);
const BOOLEAN_FIELDS = new Set(['telephony.trunk.secure']);

function cellValue(field: string, cell: string): unknown {
  const value = cell.trim();
  if (NUMERIC_FIELDS.has(field) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (BOOLEAN_FIELDS.has(field) && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** `{"customer.name": "A"}` → `{customer: {name: "A"}}`, leaving out empty cells. */
export function nestRecord(record: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [header, cell] of Object.entries(record)) {
    if (cell === undefined || cell.trim() === '') continue;
    const path = header.trim().split('.');
    let node = root;
    path.slice(0, -1).forEach((key) => {
      const next = node[key];
      node = (next && typeof next === 'object' ? next : (node[key] = {})) as Record<string, unknown>;
    });
    node[path.at(-1)!] = cellValue(header.trim(), cell);
  }
  return root;
}

/** Reads the rows of a .csv or .jsonl (.ndjson) file's text. */
export function readBulkRows(fileName: string, text: string): BulkRow[] {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.csv') {
    let records: Record<string, string>[];
    try {
      records = parseCsv<Record<string, string>>(text, { columns: true, skip_empty_lines: true, bom: true, trim: false });
    } catch (err) {
      throw new BulkFileError(`${fileName} is not valid CSV: ${(err as Error).message}`);
    }
    return records.map((record, i) => ({ line: i + 2, request: nestRecord(record) }));
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    const rows: BulkRow[] = [];
    text.split(/\r?\n/).forEach((lineText, i) => {
      if (lineText.trim() === '') return;
      try {
        rows.push({ line: i + 1, request: JSON.parse(lineText) as unknown });
      } catch {
        rows.push({ line: i + 1, request: undefined, readError: 'is not valid JSON' });
      }
    });
    return rows;
  }
  throw new BulkFileError(`${fileName}: the file must end in .csv or .jsonl (one onboarding request per row)`);
}

export interface BulkOptions {
  /** Starts at most this many workflows at once. */
  concurrency: number;
  /** The rules of the edge running the file (config.onboarding): the same as the start API's. */
  policy: OnboardingPolicy;
  start: (input: OnboardingInput) => Promise<StartOutcome>;
  /** Called after each row, in completion order. */
  onRow?: (result: RowResult) => void;
  /** Maps an unexpected start error to a message (e.g. "Temporal gave no answer"); default its message. */
  describeError?: (err: unknown) => string;
}

export interface BulkReport {
  rows: RowResult[];
  counts: Record<RowOutcome, number>;
}

/** Validates every row first (so a bad file starts nothing twice over), then starts the valid ones. */
export async function bulkOnboard(rows: readonly BulkRow[], options: BulkOptions): Promise<BulkReport> {
  const results: RowResult[] = [];
  const record = (result: RowResult) => {
    results.push(result);
    options.onRow?.(result);
  };
  const firstLineOf = new Map<string, number>();
  const valid: { line: number; input: OnboardingInput }[] = [];
  for (const row of rows) {
    if (row.readError) {
      record({ line: row.line, result: 'invalid', problems: [{ field: '(row)', rule: row.readError }] });
      continue;
    }
    const parsed = await parseOnboardingRequest(row.request, options.policy);
    if (!parsed.ok) {
      const ref = (row.request as { customerRef?: unknown } | undefined)?.customerRef;
      record({ line: row.line, ...(typeof ref === 'string' ? { customerRef: ref } : {}), result: 'invalid', problems: parsed.problems });
      continue;
    }
    const ref = parsed.input.customerRef;
    const first = firstLineOf.get(ref);
    if (first !== undefined) {
      record({ line: row.line, customerRef: ref, result: 'invalid', problems: [{ field: 'customerRef', rule: `must be unique in the file (also on line ${first})` }] });
      continue;
    }
    firstLineOf.set(ref, row.line);
    valid.push({ line: row.line, input: parsed.input });
  }

  const limit = pLimit(Math.max(1, options.concurrency));
  await Promise.all(
    valid.map(({ line, input }) =>
      limit(async () => {
        const customerRef = input.customerRef;
        try {
          const outcome = await options.start(input);
          record({ line, customerRef, result: outcome.status === 'started' ? 'started' : 'already_running', workflowId: outcome.workflowId, runId: outcome.runId });
        } catch (err) {
          if (err instanceof OnboardingConflictError) {
            record({ line, customerRef, result: err.reason === 'different_input' ? 'conflict' : 'already_closed', message: err.message });
          } else {
            record({ line, customerRef, result: 'failed', message: options.describeError?.(err) ?? (err instanceof Error ? err.message : String(err)) });
          }
        }
      }),
    ),
  );

  results.sort((a, b) => a.line - b.line);
  const counts = Object.fromEntries(ROW_OUTCOMES.map((o) => [o, 0])) as Record<RowOutcome, number>;
  for (const r of results) counts[r.result] += 1;
  return { rows: results, counts };
}

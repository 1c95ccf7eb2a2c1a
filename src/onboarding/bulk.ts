/**
 * Bulk onboarding: many customers from one file (CSV or JSON Lines), started with a concurrency limit, each row
 * reported as started, already running, conflict, invalid (every field and rule) or failed. Starting is idempotent
 * by customerRef (src/onboarding/start.ts), so running the same file again starts nothing twice: rows already
 * started come back as "already running".
 *
 * CSV: one column per field, dotted paths as headers (`customerRef,customer.name,customer.email,…,funding.amount,
 * telephony.trunk.name`); empty cells are left out so defaults apply; a cell holding JSON (`[…]`, `{…}`) is parsed,
 * for lists such as `kyc.reminderSchedule`. JSONL: one onboarding request (as POST /onboardings takes) per line.
 *
 * A file is somebody's typing or export, so it is read as hostile: a header or key that would reach an object's
 * prototype (`__proto__`, `constructor`, `prototype`) names no field and is refused, and rows are built on objects
 * without a prototype; two rows for one e-mail address under different customerRefs are both refused (one person,
 * one customer: which customerRef is theirs is the operator's call).
 */
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import pLimit from 'p-limit';
import type { FieldProblem, OnboardingInput } from '../workflows/input.js';
import { parseOnboardingRequest, type OnboardingPolicy } from './input.js';
import { OnboardingConflictError, type StartOutcome } from './start.js';

interface BulkRow {
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
const ROW_OUTCOMES: readonly RowOutcome[] = ['started', 'already_running', 'conflict', 'already_closed', 'invalid', 'failed'];

export class BulkFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BulkFileError';
  }
}

/** Keys that reach an object's prototype instead of naming a field. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const PROTOTYPE_RULE = 'must not contain __proto__, constructor or prototype (they name no field)';

/** Why a CSV header cannot name a field, or undefined. */
function headerProblem(header: string): string | undefined {
  return header.trim().split('.').some((segment) => PROTOTYPE_KEYS.has(segment)) ? `header "${header}" ${PROTOTYPE_RULE}` : undefined;
}

/** The first key at any depth of a parsed JSON value that reaches a prototype (JSON.parse makes `__proto__` an own key). */
function prototypeKeyIn(value: unknown, path = ''): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (PROTOTYPE_KEYS.has(key)) return here;
    const deeper = prototypeKeyIn(child, here);
    if (deeper) return deeper;
  }
  return undefined;
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

/**
 * `{"customer.name": "A"}` → `{customer: {name: "A"}}`, leaving out empty cells. Objects have no prototype and a
 * header reaching one is refused (readBulkRows checks headers first; this refuses too, for any other caller).
 */
export function nestRecord(record: Record<string, string>): Record<string, unknown> {
  const root = Object.create(null) as Record<string, unknown>;
  for (const [header, cell] of Object.entries(record)) {
    if (cell === undefined || cell.trim() === '') continue;
    const problem = headerProblem(header);
    if (problem) throw new BulkFileError(problem);
    const path = header.trim().split('.');
    let node = root;
    path.slice(0, -1).forEach((key) => {
      const next = node[key];
      node = (next && typeof next === 'object' ? next : (node[key] = Object.create(null))) as Record<string, unknown>;
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
    let headers: string[] = [];
    try {
      records = parseCsv<Record<string, string>>(text, { columns: (names: string[]) => (headers = names), skip_empty_lines: true, bom: true, trim: false });
    } catch (err) {
      throw new BulkFileError(`${fileName} is not valid CSV: ${(err as Error).message}`);
    }
    const problems = headers.map(headerProblem).filter(Boolean);
    if (problems.length > 0) throw new BulkFileError(`${fileName}: ${problems.join('; ')}`);
    return records.map((record, i) => ({ line: i + 2, request: nestRecord(record) }));
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    const rows: BulkRow[] = [];
    text.split(/\r?\n/).forEach((lineText, i) => {
      if (lineText.trim() === '') return;
      let request: unknown;
      try {
        request = JSON.parse(lineText) as unknown;
      } catch {
        rows.push({ line: i + 1, request: undefined, readError: 'is not valid JSON' });
        return;
      }
      const key = prototypeKeyIn(request);
      rows.push(key ? { line: i + 1, request: undefined, readError: `has a key "${key}" that ${PROTOTYPE_RULE}` } : { line: i + 1, request });
    });
    return rows;
  }
  throw new BulkFileError(`${fileName}: the file must end in .csv or .jsonl (one onboarding request per row)`);
}

interface BulkOptions {
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

/**
 * Rows whose e-mail address (compared case-insensitively) another row under a different customerRef also names:
 * each gets a problem naming every line with that address.
 */
function sharedAddresses(valid: readonly { line: number; input: OnboardingInput }[]): Map<number, FieldProblem> {
  const byAddress = new Map<string, { line: number; customerRef: string }[]>();
  for (const { line, input } of valid) {
    const address = input.customer.email.toLowerCase();
    byAddress.set(address, [...(byAddress.get(address) ?? []), { line, customerRef: input.customerRef }]);
  }
  const problems = new Map<number, FieldProblem>();
  for (const rows of byAddress.values()) {
    if (new Set(rows.map((r) => r.customerRef)).size < 2) continue;
    const lines = rows.map((r) => r.line);
    const listed = `${lines.slice(0, -1).join(', ')} and ${lines.at(-1)!}`;
    for (const { line } of rows) {
      problems.set(line, { field: 'customer.email', rule: `must be unique in the file: lines ${listed} name the same address under different customerRefs (one person, one customer)` });
    }
  }
  return problems;
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
  const shared = sharedAddresses(valid);
  for (const { line, input } of valid) {
    const problem = shared.get(line);
    if (problem) record({ line, customerRef: input.customerRef, result: 'invalid', problems: [problem] });
  }
  const startable = valid.filter(({ line }) => !shared.has(line));

  const limit = pLimit(Math.max(1, options.concurrency));
  await Promise.all(
    startable.map(({ line, input }) =>
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

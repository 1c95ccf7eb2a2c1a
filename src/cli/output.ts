/**
 * What the CLI prints: a table (cli-table3) for people by default, JSON with --json for scripts. Tables go to
 * stdout; progress and hints go to stderr, so `--json | jq` and `> file` see data only.
 *
 * Whatever the data's origin (a customer's input from before the edge refused control characters, Vobiz's own
 * fields, an error message quoting either), control and bidi characters are printed as visible escapes (ESC →
 * `\x1b`, U+202E → `\u202e`; JSON keeps its own `\u001b` form), never raw: an operator's terminal obeys them.
 */
import Table from 'cli-table3';
import { escapeJsonText, escapeUnsafeCharacters } from '../text/unsafe-characters.js';

type Cell = string | number | boolean | null | undefined | { toString(): string };

interface Column<T> {
  header: string;
  value: (row: T) => Cell;
}

// No rule between a record's rows, so fifteen fields stay fifteen lines (lists keep theirs: cells may wrap).
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

// Cells are escaped before the table measures them: a raw escape sequence would also be measured as zero width.
const text = (cell: Cell): string => (cell === null || cell === undefined || cell === '' ? '-' : escapeUnsafeCharacters(String(cell), { keepNewlines: true }));

/** Text for a terminal: every control and bidi character escaped, line breaks kept. */
export const printable = (value: string): string => escapeUnsafeCharacters(value, { keepNewlines: true });

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const table = new Table({ head: columns.map((c) => text(c.header)), style: { head: [], border: [] } });
  for (const row of rows) table.push(columns.map((c) => text(c.value(row))));
  return rows.length === 0 ? `${table.toString()}\n(none)` : table.toString();
}

/** Two columns, name and value: for one record (a profile, a balance, a workflow's state). */
export function renderRecord(entries: ReadonlyArray<readonly [string, Cell]>): string {
  const table = new Table({ chars: COMPACT, style: { head: [], border: [] } });
  for (const [name, value] of entries) table.push({ [text(name)]: text(value) });
  return table.toString();
}

export interface Output {
  json: boolean;
  /** Data: JSON with --json, else the rendered text. */
  data(value: unknown, render: () => string): void;
  /** A note for people (stderr), never mixed into data. */
  note(line: string): void;
}

export function createOutput(json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  return {
    json,
    data(value, render) {
      stdout.write(json ? `${escapeJsonText(JSON.stringify(value, null, 2))}\n` : `${printable(render())}\n`);
    },
    note(line) {
      stderr.write(`${printable(line)}\n`);
    },
  };
}

/**
 * Transactions and call records as CSV for spreadsheets (csv-stringify): a fixed column set each, money as Vobiz's
 * exact decimals (`Money`, five places), and every cell a spreadsheet would run as a formula (starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return) made inert by a leading `'` (csv-stringify's `escape_formulas`: a
 * customer's name or a description is text someone else typed).
 *
 * Streamed: rows go from an async iterator through the stringifier as they are read, so a year of call records is
 * never held at once; the next page is read only when the stream has room for it.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Cdr, Money, Transaction } from '../vobiz/index.js';

type Cell = string | number | boolean | Money | null | undefined;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => Cell;
}

const money = (m: Money | null | undefined): string | undefined => m?.toString();

export const TRANSACTION_COLUMNS: CsvColumn<Transaction>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'created_at', value: (t) => t.created_at },
  { header: 'processed_at', value: (t) => t.processed_at },
  { header: 'type', value: (t) => t.type },
  { header: 'amount', value: (t) => money(t.amount) },
  { header: 'currency', value: (t) => t.currency },
  { header: 'status', value: (t) => t.status },
  { header: 'description', value: (t) => t.description },
  { header: 'reference', value: (t) => t.reference },
  { header: 'reference_type', value: (t) => t.reference_type },
];

export const CDR_COLUMNS: CsvColumn<Cdr>[] = [
  { header: 'uuid', value: (c) => c.uuid },
  { header: 'account_id', value: (c) => (c.account_id == null ? undefined : String(c.account_id)) },
  { header: 'start_time', value: (c) => c.start_time },
  { header: 'answer_time', value: (c) => c.answer_time },
  { header: 'end_time', value: (c) => c.end_time },
  { header: 'call_direction', value: (c) => c.call_direction },
  { header: 'caller_id_name', value: (c) => c.caller_id_name },
  { header: 'caller_id_number', value: (c) => c.caller_id_number },
  { header: 'destination_number', value: (c) => c.destination_number },
  { header: 'duration', value: (c) => c.duration },
  { header: 'billsec', value: (c) => c.billsec },
  { header: 'hangup_cause', value: (c) => c.hangup_cause },
  { header: 'cost', value: (c) => money(c.cost) },
  { header: 'total_cost', value: (c) => money(c.total_cost) },
  { header: 'currency', value: (c) => c.currency },
  { header: 'context', value: (c) => c.context },
];

/** A readable stream of CSV text: the header line, then one line per row as `rows` yields them. */
export function csvStream<T>(rows: AsyncIterable<T>, columns: readonly CsvColumn<T>[]): Readable {
  const stringifier = stringify({
    header: true,
    columns: columns.map((c) => c.header),
    escape_formulas: true,
    cast: { boolean: (b) => (b ? 'true' : 'false') },
  });
  const cell = (value: Cell): string | number | boolean => (value === null || value === undefined ? '' : typeof value === 'object' ? value.toString() : value);
  const records = Readable.from(
    (async function* () {
      for await (const row of rows) yield columns.map((c) => cell(c.value(row)));
    })(),
  );
  records.on('error', (err) => stringifier.destroy(err));
  return records.pipe(stringifier);
}

// Memory of a CSV export of many call records: the streamed export (src/reads/csv.ts: pages from an async iterator
// through csv-stringify to a sink that drains) against the same rows collected into an array first. Pages are made
// here (100 rows each, parsed with the client's CdrPage schema, as Vobiz's would be); no network, so the figures are
// the exporter's own. Measured, never asserted: the tests prove the structure (csv-export.test.ts).
//
//   node --expose-gc --import tsx bench/csv-export.ts [--rows 100000] [--only streamed|collected]
//
// `--only streamed` under a small heap (`--max-old-space-size=48`) shows the export fits in it whatever the rows.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { CDR_COLUMNS, csvStream } from '../src/reads/csv.js';
import { CdrPage, type Cdr } from '../src/vobiz/index.js';
import { paginate } from '../src/vobiz/pagination.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, only: { type: 'string' } } });
const ROWS = Number(values.rows);
const PAGE = 100;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function rawRow(i: number): Record<string, unknown> {
  return {
    id: i, uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, account_id: 'MA_BENCH001', call_direction: i % 2 ? 'inbound' : 'outbound',
    caller_id_name: `Caller ${i}`, caller_id_number: '+919800000001', destination_number: '+919811111111', context: 'sip-trunking',
    duration: 61, billsec: 55, ring_time: 6, start_time: '2026-01-01T10:00:00Z', answer_time: '2026-01-01T10:00:06Z', end_time: '2026-01-01T10:01:01Z',
    cost: 0.5, streaming_cost: 0, total_cost: 0.5, currency: 'INR', hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000,
    sip_call_id: `sip-${i}`, bridge_uuid: `bridge-${i}`, mos: 4.4, jitter: 0.2, packet_loss: 0, codec: 'PCMU', region: 'ap-south-1',
  };
}

/** Page after page, each made (and parsed) only when asked for, as a Vobiz listing is read. */
function pages(): AsyncGenerator<Cdr> {
  return paginate(
    async (page) => {
      const first = (page - 1) * PAGE;
      const data = Array.from({ length: Math.max(0, Math.min(PAGE, ROWS - first)) }, (_, k) => rawRow(first + k));
      return CdrPage.info(CdrPage.envelope.parse({ data, pagination: { page, per_page: PAGE, total: ROWS, has_next: first + PAGE < ROWS } }));
    },
    { cursor: 'page', pageSize: PAGE },
  );
}

/** A sink that throws every byte away, asking for more at once (a fast reader: the worst case for a buffering exporter). */
const sink = () => new Writable({ write: (_chunk, _enc, done) => done() });

async function measure(name: string, run: () => Promise<void>): Promise<{ name: string; peakMb: number; ms: number }> {
  gc!();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { name, peakMb: (peak - base) / 2 ** 20, ms };
}

const runs = {
  streamed: () => measure('streamed (pages → csv-stringify → sink)', () => pipeline(csvStream(pages(), CDR_COLUMNS), sink())),
  collected: () =>
    measure('collected first (every row in an array, then CSV)', async () => {
      const all: Cdr[] = [];
      for await (const row of pages()) all.push(row);
      await pipeline(csvStream((async function* () { yield* all; })(), CDR_COLUMNS), sink());
    }),
};
const chosen = values.only ? [values.only as keyof typeof runs] : (Object.keys(runs) as (keyof typeof runs)[]);
console.log(`CSV export of ${ROWS} call records (${PAGE} a page), heap growth above the start (sampled every 5 ms):`);
for (const name of chosen) {
  const r = await runs[name]();
  console.log(`  ${r.name.padEnd(52)} peak +${r.peakMb.toFixed(1)} MB   ${(r.ms / 1000).toFixed(1)} s`);
}

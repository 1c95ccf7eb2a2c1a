/** Call detail records (doc §6.2): storage, filters shared by the partner and customer views, the list envelope. */
import type { SandboxContext } from './context.js';
import { parseDoc } from './db.js';
import type { Query } from './pagination.js';
import { parseDay, queryString } from './pagination.js';

export type CallOutcome = 'answered' | 'failed' | 'busy' | 'no_answer';

/** The 43-field CDR object. */
export interface CdrDoc {
  id: number; uuid: string; account_id: string; call_direction: 'inbound' | 'outbound'; caller_id_name: string;
  caller_id_number: string; destination_number: string; context: 'voice-api' | 'sip-trunking'; region: string;
  origination_region: string; campaign_id: string | null; customer_endpoint: string | null; trunk_id: string | null;
  terminated_to: string | null; duration: number; billsec: number; ring_time: number; start_time: string;
  answer_time: string | null; progress_time: string | null; end_time: string; created_at: string; updated_at: string;
  cost: number; streaming_cost: number; total_cost: number; currency: string; mos: number; jitter: number;
  packet_loss: number; codec: 'PCMU' | 'PCMA' | 'opus' | null; hangup_cause: string; hangup_cause_code: number;
  hangup_cause_name: string; hangup_disposition: string; hangup_source: string; failure_code: string | number | null;
  failure_reason: string | null; bridge_uuid: string | null; sip_call_id: string; sip_user_agent: string;
  network_addr: string; carrier_ip: string;
}

interface CdrRow { id: number; uuid: string; account_auth_id: string; status: CallOutcome; start_ms: number; doc: string }
export interface StoredCdr { doc: CdrDoc; outcome: CallOutcome; startMs: number }

export function insertCdr(ctx: SandboxContext, doc: Omit<CdrDoc, 'id'>, outcome: CallOutcome, startMs: number): CdrDoc {
  const { lastInsertRowid } = ctx.db.run('INSERT INTO cdrs (uuid, account_auth_id, status, start_ms, doc) VALUES (?, ?, ?, ?, ?)', [
    doc.uuid, doc.account_id, outcome, startMs, '{}',
  ]);
  const full: CdrDoc = { id: lastInsertRowid, ...doc };
  ctx.db.run('UPDATE cdrs SET doc = ? WHERE id = ?', [JSON.stringify(full), lastInsertRowid]);
  return full;
}

/**
 * The public CDR. `failure_code` (the SIP status) is a string, as the SDK models type it; rows written by older
 * sandboxes stored a number and are converted here.
 */
export function renderCdr(doc: CdrDoc): CdrDoc {
  return { ...doc, failure_code: doc.failure_code === null ? null : String(doc.failure_code) };
}

export function accountCdrs(ctx: SandboxContext, authId: string): StoredCdr[] {
  return ctx.db
    .all<CdrRow>('SELECT * FROM cdrs WHERE account_auth_id = ? ORDER BY start_ms DESC, id DESC', [authId])
    .map((r) => ({ doc: parseDoc<CdrDoc>(r), outcome: r.status, startMs: Number(r.start_ms) }));
}

/** Every customer's records: the sandbox's accounts all belong to its one partner. */
export function partnerCdrs(ctx: SandboxContext): StoredCdr[] {
  return ctx.db
    .all<CdrRow>('SELECT * FROM cdrs ORDER BY start_ms DESC, id DESC')
    .map((r) => ({ doc: parseDoc<CdrDoc>(r), outcome: r.status, startMs: Number(r.start_ms) }));
}

export function findCdr(ctx: SandboxContext, authId: string, uuid: string): CdrDoc | undefined {
  const row = ctx.db.get<CdrRow>('SELECT * FROM cdrs WHERE account_auth_id = ? AND uuid = ?', [authId, uuid]);
  return row ? parseDoc<CdrDoc>(row) : undefined;
}

type CdrFilterResult = { ok: true; rows: StoredCdr[]; filters: Record<string, string> } | { ok: false; field: string; value: string };

/** All documented filters, ANDed. The `status` filter accepts the older `no-answer` spelling too. */
export function filterCdrs(rows: StoredCdr[], query: Query): CdrFilterResult {
  const q = (name: string) => queryString(query, name);
  const start = parseDay(q('start_date'));
  const end = parseDay(q('end_date'));
  if (start === 'invalid') return { ok: false, field: 'start_date', value: q('start_date') ?? '' };
  if (end === 'invalid') return { ok: false, field: 'end_date', value: q('end_date') ?? '' };
  const status = q('status')?.replace('-', '_');
  const minDuration = q('min_duration') !== undefined ? Number(q('min_duration')) : undefined;
  const maxDuration = q('max_duration') !== undefined ? Number(q('max_duration')) : undefined;
  const search = q('search')?.trim().toLowerCase();
  const from = q('from_number')?.trim();
  const to = q('to_number')?.trim();
  const filtered = rows.filter(({ doc, outcome, startMs }) => {
    if (q('call_direction') && doc.call_direction !== q('call_direction')) return false;
    if (status && outcome !== status) return false;
    if (minDuration !== undefined && !(doc.duration >= minDuration)) return false;
    if (maxDuration !== undefined && !(doc.duration <= maxDuration)) return false;
    if (q('hangup_cause') && doc.hangup_cause !== q('hangup_cause')) return false;
    if (q('hangup_disposition') && doc.hangup_disposition !== q('hangup_disposition')) return false;
    if (q('context') && doc.context !== q('context')) return false;
    if (q('sip_call_id') && doc.sip_call_id !== q('sip_call_id')) return false;
    if (q('bridge_uuid') && doc.bridge_uuid !== q('bridge_uuid')) return false;
    if (q('campaign_id') && doc.campaign_id !== q('campaign_id')) return false;
    if (from && !doc.caller_id_number.includes(from)) return false;
    if (to && !doc.destination_number.includes(to)) return false;
    if (typeof start === 'number' && startMs < start) return false;
    if (typeof end === 'number' && startMs >= end + 86_400_000) return false;
    if (search && ![doc.caller_id_number, doc.destination_number, doc.uuid, doc.caller_id_name].some((s) => s.toLowerCase().includes(search))) return false;
    return true;
  });
  return {
    ok: true,
    rows: filtered,
    filters: { call_direction: q('call_direction') ?? '', from_number: from ?? '', hangup_cause: q('hangup_cause') ?? '', to_number: to ?? '' },
  };
}

/** The filters a list may carry (any other parameter, paging included, leaves every record in). */
const FILTERS = [
  'call_direction', 'status', 'min_duration', 'max_duration', 'hangup_cause', 'hangup_disposition', 'context', 'sip_call_id',
  'bridge_uuid', 'campaign_id', 'from_number', 'to_number', 'start_date', 'end_date', 'search',
];

export function hasCdrFilters(query: Query): boolean {
  return FILTERS.some((name) => queryString(query, name) !== undefined);
}

/** What a summary is made of, over the whole listing. */
interface CdrTotals {
  calls: number;
  answered: number;
  durationSeconds: number;
  billableSeconds: number;
  answeredBillableSeconds: number;
  costUnits: number;
  lastCallAt: string | null;
}

function totalsOf(rows: StoredCdr[]): CdrTotals {
  const answered = rows.filter((r) => r.outcome === 'answered');
  return {
    calls: rows.length,
    answered: answered.length,
    durationSeconds: rows.reduce((s, r) => s + r.doc.duration, 0),
    billableSeconds: rows.reduce((s, r) => s + r.doc.billsec, 0),
    answeredBillableSeconds: answered.reduce((s, r) => s + r.doc.billsec, 0),
    costUnits: rows.reduce((s, r) => s + Math.round(r.doc.total_cost * 100_000), 0),
    lastCallAt: rows[0]?.doc.start_time ?? null,
  };
}

/**
 * `summary` over the whole filtered set; zeroed when empty. The SDK models name every key in snake_case and type
 * `last_call_at` as a string (empty when there is no call); the prose writes four keys in camelCase. `prose` keeps
 * the prose's keys and a null `last_call_at`.
 */
function summaryOf(t: CdrTotals, shape: 'sdk' | 'prose'): Record<string, unknown> {
  const avg = t.answered ? Math.round(t.answeredBillableSeconds / t.answered) : 0;
  const counts = {
    total_calls: t.calls,
    answered_calls: t.answered,
    answer_rate: t.calls ? Math.round((t.answered / t.calls) * 10_000) / 100 : 0,
    avg_call_duration: `${avg}s`,
  };
  const rest = { total_duration_seconds: t.durationSeconds, total_billable_seconds: t.billableSeconds, total_cost: t.costUnits / 100_000 };
  if (shape === 'prose') {
    return {
      totalCalls: counts.total_calls, answeredCalls: counts.answered_calls, answerRate: counts.answer_rate, avgCallDuration: counts.avg_call_duration,
      ...rest, last_call_at: t.lastCallAt,
    };
  }
  return { ...counts, ...rest, last_call_at: t.lastCallAt ?? '' };
}

function cdrSummary(rows: StoredCdr[], shape: 'sdk' | 'prose'): Record<string, unknown> {
  return summaryOf(totalsOf(rows), shape);
}

/** The list envelope; `accountAuthId` null for the partner-wide list, which names no account (each row has its own). */
function envelope(
  data: CdrDoc[], total: number, summary: Record<string, unknown>, page: number, perPage: number, accountAuthId: string | null, withAuthId: boolean,
): Record<string, unknown> {
  const pages = Math.ceil(total / perPage);
  return {
    success: true,
    ...(accountAuthId !== null ? { account_id: accountAuthId } : {}),
    ...(withAuthId && accountAuthId !== null ? { account_auth_id: accountAuthId } : {}),
    count: data.length,
    data: data.map(renderCdr),
    pagination: { page, per_page: perPage, total, pages, has_next: page < pages, has_prev: page > 1 },
    summary,
  };
}

export function cdrEnvelope(
  rows: StoredCdr[], page: number, perPage: number, accountAuthId: string | null, withAuthId: boolean, shape: 'sdk' | 'prose',
): Record<string, unknown> {
  const data = rows.slice((page - 1) * perPage, page * perPage).map((r) => r.doc);
  return envelope(data, rows.length, cdrSummary(rows, shape), page, perPage, accountAuthId, withAuthId);
}

/**
 * An unfiltered list, one page read from SQL and the summary's totals summed there: a long call history (an export
 * of every record, page after page) costs each page its own rows, not a read of every record.
 */
export function unfilteredCdrEnvelope(
  ctx: SandboxContext, accountAuthId: string | null, page: number, perPage: number, withAuthId: boolean, shape: 'sdk' | 'prose',
): Record<string, unknown> {
  const where = accountAuthId === null ? '' : 'WHERE account_auth_id = ?';
  const scope = accountAuthId === null ? [] : [accountAuthId];
  const rows = ctx.db.all<CdrRow>(`SELECT * FROM cdrs ${where} ORDER BY start_ms DESC, id DESC LIMIT ? OFFSET ?`, [...scope, perPage, (page - 1) * perPage]);
  const sums = ctx.db.get<{ calls: number; answered: number | null; duration: number | null; billable: number | null; answered_billable: number | null; cost_units: number | null }>(
    `SELECT COUNT(*) AS calls, SUM(status = 'answered') AS answered, SUM(json_extract(doc, '$.duration')) AS duration,
            SUM(json_extract(doc, '$.billsec')) AS billable,
            SUM(CASE WHEN status = 'answered' THEN json_extract(doc, '$.billsec') ELSE 0 END) AS answered_billable,
            SUM(CAST(ROUND(json_extract(doc, '$.total_cost') * 100000) AS INTEGER)) AS cost_units
       FROM cdrs ${where}`,
    scope,
  );
  const newest = ctx.db.get<{ start_time: string | null }>(`SELECT json_extract(doc, '$.start_time') AS start_time FROM cdrs ${where} ORDER BY start_ms DESC, id DESC LIMIT 1`, scope);
  const totals: CdrTotals = {
    calls: Number(sums?.calls ?? 0),
    answered: Number(sums?.answered ?? 0),
    durationSeconds: Number(sums?.duration ?? 0),
    billableSeconds: Number(sums?.billable ?? 0),
    answeredBillableSeconds: Number(sums?.answered_billable ?? 0),
    costUnits: Number(sums?.cost_units ?? 0),
    lastCallAt: newest?.start_time ?? null,
  };
  return envelope(rows.map((r) => parseDoc<CdrDoc>(r)), totals.calls, summaryOf(totals, shape), page, perPage, accountAuthId, withAuthId);
}

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

export type CdrFilterResult = { ok: true; rows: StoredCdr[]; filters: Record<string, string> } | { ok: false; field: string; value: string };

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

/**
 * `summary` over the whole filtered set; zeroed when empty. The SDK models name every key in snake_case and type
 * `last_call_at` as a string (empty when there is no call); the prose writes four keys in camelCase. `prose` keeps
 * the prose's keys and a null `last_call_at`.
 */
export function cdrSummary(rows: StoredCdr[], shape: 'sdk' | 'prose'): Record<string, unknown> {
  const answered = rows.filter((r) => r.outcome === 'answered');
  const totalDuration = rows.reduce((s, r) => s + r.doc.duration, 0);
  const totalBillable = rows.reduce((s, r) => s + r.doc.billsec, 0);
  const totalCostUnits = rows.reduce((s, r) => s + Math.round(r.doc.total_cost * 100_000), 0);
  const avg = answered.length ? Math.round(answered.reduce((s, r) => s + r.doc.billsec, 0) / answered.length) : 0;
  const counts = {
    total_calls: rows.length,
    answered_calls: answered.length,
    answer_rate: rows.length ? Math.round((answered.length / rows.length) * 10_000) / 100 : 0,
    avg_call_duration: `${avg}s`,
  };
  const rest = { total_duration_seconds: totalDuration, total_billable_seconds: totalBillable, total_cost: totalCostUnits / 100_000 };
  if (shape === 'prose') {
    return {
      totalCalls: counts.total_calls, answeredCalls: counts.answered_calls, answerRate: counts.answer_rate, avgCallDuration: counts.avg_call_duration,
      ...rest, last_call_at: rows[0]?.doc.start_time ?? null,
    };
  }
  return { ...counts, ...rest, last_call_at: rows[0]?.doc.start_time ?? '' };
}

/** The list envelope; `accountAuthId` null for the partner-wide list, which names no account (each row has its own). */
export function cdrEnvelope(
  rows: StoredCdr[], page: number, perPage: number, accountAuthId: string | null, withAuthId: boolean, shape: 'sdk' | 'prose',
): Record<string, unknown> {
  const data = rows.slice((page - 1) * perPage, page * perPage).map((r) => renderCdr(r.doc));
  const pages = Math.ceil(rows.length / perPage);
  return {
    success: true,
    ...(accountAuthId !== null ? { account_id: accountAuthId } : {}),
    ...(withAuthId && accountAuthId !== null ? { account_auth_id: accountAuthId } : {}),
    count: data.length,
    data,
    pagination: { page, per_page: perPage, total: rows.length, pages, has_next: page < pages, has_prev: page > 1 },
    summary: cdrSummary(rows, shape),
  };
}

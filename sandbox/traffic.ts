/**
 * Synthetic calls for accounts with an enabled trunk: realistic outcomes, hangup causes, durations and costs, each
 * answered call debited from the customer's wallet (₹0.50 per started minute) as a ledger `debit` with
 * reference_type `cdr`, in the same transaction as its CDR.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { SandboxContext } from './context.js';
import { findCustomer } from './accounts.js';
import { insertCdr, type CallOutcome, type CdrDoc } from './cdrs.js';
import { post } from './ledger.js';
import { ownedNumbers } from './numbers.js';
import { isEnabled, listTrunks, type TrunkDoc } from './trunks.js';
import { toNumber, toUnits } from './money.js';
import { ApiError } from './errors.js';

const RATE_PER_MINUTE_UNITS = toUnits(0.5);

interface TrafficMix { answered?: number; failed?: number; busy?: number; no_answer?: number }
interface TrafficRequest { account_auth_id: string; calls: number; mix?: TrafficMix; direction?: 'inbound' | 'outbound' }

const DEFAULT_MIX: Required<TrafficMix> = { answered: 0.7, failed: 0.05, busy: 0.1, no_answer: 0.15 };

interface Hangup { cause: string; code: number; name: string; disposition: string; source: string; sip: number | null; reason: string | null }

const FAILURES: Hangup[] = [
  { cause: 'CALL_REJECTED', code: 3000, name: 'Call Rejected', disposition: 'recv_refuse', source: 'Carrier', sip: 603, reason: 'Call rejected by the carrier' },
  { cause: 'UNALLOCATED_NUMBER', code: 3040, name: 'Invalid Destination Address', disposition: 'recv_refuse', source: 'Carrier', sip: 404, reason: 'Number not allocated' },
  { cause: 'SERVICE_UNAVAILABLE', code: 5020, name: 'Service Unavailable', disposition: 'recv_refuse', source: 'Carrier', sip: 503, reason: 'Service unavailable' },
  { cause: 'NETWORK_OUT_OF_ORDER', code: 5010, name: 'Network Error', disposition: 'recv_refuse', source: 'Carrier', sip: 502, reason: 'Network out of order' },
];

function pickOutcome(mix: Required<TrafficMix>): CallOutcome {
  const total = mix.answered + mix.failed + mix.busy + mix.no_answer;
  let roll = Math.random() * (total || 1);
  for (const outcome of ['answered', 'failed', 'busy', 'no_answer'] as const) {
    roll -= mix[outcome];
    if (roll < 0) return outcome;
  }
  return 'answered';
}

const mobile = () => `+919${String(randomInt(100_000_000, 999_999_999))}`;
const ip = () => `${randomInt(10, 200)}.${randomInt(0, 255)}.${randomInt(0, 255)}.${randomInt(1, 254)}`;

/** Generates `calls` calls now (spaced a few seconds apart, newest last). Throws 409 without an enabled trunk. */
export function generateCalls(ctx: SandboxContext, req: TrafficRequest): CdrDoc[] {
  const customer = findCustomer(ctx, req.account_auth_id);
  if (!customer) throw new ApiError(404, { error: 'not_found', message: `account ${req.account_auth_id} not found` });
  const trunk = listTrunks(ctx, customer.doc.auth_id).find(isEnabled);
  if (!trunk) throw new ApiError(409, { error: 'no_enabled_trunk', message: `account ${req.account_auth_id} has no enabled trunk` });
  const mix = { ...DEFAULT_MIX, ...(req.mix ?? {}) };
  const own = ownedNumbers(ctx, customer.doc.auth_id).filter((n) => n.status === 'active').map((n) => n.e164);
  const baseMs = ctx.clock.nowMs();
  // One transaction for the batch: each call's charge and record still commit together, and a thousand calls cost
  // one commit instead of a thousand.
  return ctx.db.tx(() =>
    Array.from({ length: req.calls }, (_, i) => oneCall(ctx, customer.doc.auth_id, customer.doc.name, trunk, own, mix, req.direction, baseMs - (req.calls - 1 - i) * 7_000)),
  );
}

function oneCall(
  ctx: SandboxContext, authId: string, name: string, trunk: TrunkDoc, own: string[], mix: Required<TrafficMix>,
  forced: 'inbound' | 'outbound' | undefined, endMs: number,
): CdrDoc {
  const balance = findCustomer(ctx, authId)?.balanceUnits ?? 0;
  const direction = forced ?? (trunk.trunk_direction === 'inbound' || trunk.trunk_direction === 'outbound' ? trunk.trunk_direction : Math.random() < 0.5 ? 'inbound' : 'outbound');
  const didNumber = own[randomInt(own.length || 1)] ?? '+918071387100';
  const remote = mobile();
  let outcome = pickOutcome(mix);
  let hangup: Hangup;
  let ring = randomInt(2, 15);
  let billsec = 0;
  // Admission control: a call needs at least one minute of balance (doc §8: "Insufficient balance"), so that a
  // wallet never goes negative.
  const blocked = balance < RATE_PER_MINUTE_UNITS;
  if (blocked) {
    outcome = 'failed';
    ring = 0;
    hangup = { cause: 'CALL_REJECTED', code: 3000, name: 'Call Rejected', disposition: 'send_refuse', source: 'Vobiz', sip: 402, reason: 'Insufficient balance: 0.50 INR' };
  } else if (outcome === 'answered') {
    billsec = randomInt(5, 300);
    const affordableMinutes = Math.floor(balance / RATE_PER_MINUTE_UNITS);
    const cut = Math.ceil(billsec / 60) > affordableMinutes;
    if (cut) billsec = Math.max(1, affordableMinutes * 60); // the call is cut when the wallet runs out
    const callerHangs = Math.random() < 0.5;
    hangup = cut
      ? { cause: 'NORMAL_CLEARING', code: 4000, name: 'Normal Hangup', disposition: 'send_bye', source: 'Vobiz', sip: null, reason: 'Balance exhausted' }
      : { cause: 'NORMAL_CLEARING', code: 4000, name: 'Normal Hangup', disposition: callerHangs ? 'recv_bye' : 'send_bye', source: callerHangs ? 'Caller' : 'Callee', sip: null, reason: null };
  } else if (outcome === 'busy') {
    ring = randomInt(0, 3);
    hangup = { cause: 'USER_BUSY', code: 3010, name: 'Busy Line', disposition: 'recv_refuse', source: 'Callee', sip: 486, reason: 'Busy here' };
  } else if (outcome === 'no_answer') {
    ring = randomInt(25, 45);
    hangup = Math.random() < 0.7
      ? { cause: 'NO_ANSWER', code: 6010, name: 'Ring Timeout Reached', disposition: 'send_cancel', source: 'Vobiz', sip: 480, reason: 'No answer' }
      : { cause: 'ORIGINATOR_CANCEL', code: 3020, name: 'Originator Cancel', disposition: 'recv_cancel', source: 'Caller', sip: 487, reason: 'Caller cancelled' };
  } else {
    hangup = FAILURES[randomInt(FAILURES.length)] ?? FAILURES[0]!;
    ring = randomInt(0, 3);
  }
  const minutes = outcome === 'answered' ? Math.ceil(billsec / 60) : 0;
  const costUnits = minutes * RATE_PER_MINUTE_UNITS;
  const duration = ring + billsec;
  const startMs = endMs - duration * 1000;
  const iso = (ms: number) => ctx.clock.iso(ms);
  const answered = outcome === 'answered';
  const uuid = randomUUID();
  // packet_loss is a whole percent (the SDK's single-CDR model types it int); failure_code the SIP status as a string.
  const doc = insertCdr(ctx, {
    uuid, account_id: authId, call_direction: direction, caller_id_name: direction === 'outbound' ? name : '',
    caller_id_number: direction === 'outbound' ? didNumber : remote, destination_number: direction === 'outbound' ? remote : didNumber,
    context: 'sip-trunking', region: 'ap-south-1', origination_region: 'mumbai', campaign_id: null,
    customer_endpoint: direction === 'inbound' ? `sip:${didNumber.slice(1)}@${trunk.trunk_domain}` : null, trunk_id: trunk.trunk_id,
    terminated_to: direction === 'outbound' && !blocked ? 'carrier-in-1' : null, duration, billsec, ring_time: ring,
    start_time: iso(startMs), answer_time: answered ? iso(startMs + ring * 1000) : null,
    progress_time: blocked ? null : iso(startMs + Math.min(1, ring) * 1000), end_time: iso(endMs), created_at: iso(endMs), updated_at: iso(endMs),
    cost: toNumber(costUnits), streaming_cost: 0, total_cost: toNumber(costUnits), currency: 'INR',
    mos: answered ? Math.round((3.8 + Math.random() * 0.6) * 100) / 100 : 0, jitter: answered ? randomInt(1, 30) : 0,
    packet_loss: answered ? randomInt(0, 3) : 0, codec: answered ? (Math.random() < 0.5 ? 'PCMU' : 'PCMA') : null,
    hangup_cause: hangup.cause, hangup_cause_code: hangup.code, hangup_cause_name: hangup.name, hangup_disposition: hangup.disposition,
    hangup_source: hangup.source, failure_code: hangup.sip === null ? null : String(hangup.sip), failure_reason: hangup.reason, bridge_uuid: answered ? randomUUID() : null,
    sip_call_id: `${randomUUID()}@${trunk.trunk_domain}`, sip_user_agent: 'Vobiz-SBC/2.4', network_addr: ip(), carrier_ip: ip(),
  }, outcome, startMs);
  if (costUnits > 0) {
    post(ctx, {
      accountAuthId: authId, type: 'debit', amountUnits: costUnits, currency: 'INR', description: `Call charges: ${direction} call ${uuid} (${minutes} min)`,
      reference: uuid, referenceType: 'cdr', category: 'usage',
    });
  }
  return doc;
}

/** Calls at a steady rate, driven by the ticker: `calls_per_minute` per account, fractional calls carried over. */
export function setTrafficRate(ctx: SandboxContext, accountAuthId: string, callsPerMinute: number, mix?: TrafficMix): void {
  if (callsPerMinute <= 0) {
    ctx.db.run('DELETE FROM traffic_rates WHERE account_auth_id = ?', [accountAuthId]);
    return;
  }
  ctx.db.run(
    `INSERT INTO traffic_rates (account_auth_id, calls_per_minute, carry, last_ms, mix) VALUES (?, ?, 0, ?, ?)
     ON CONFLICT(account_auth_id) DO UPDATE SET calls_per_minute = excluded.calls_per_minute, mix = excluded.mix, last_ms = excluded.last_ms`,
    [accountAuthId, callsPerMinute, ctx.clock.nowMs(), mix ? JSON.stringify(mix) : null],
  );
}

export function runScheduledTraffic(ctx: SandboxContext): void {
  const rates = ctx.db.all<{ account_auth_id: string; calls_per_minute: number; carry: number; last_ms: number; mix: string | null }>('SELECT * FROM traffic_rates');
  const nowMs = ctx.clock.nowMs();
  for (const r of rates) {
    // Capped so that a large clock jump does not generate days of traffic at once.
    const due = Math.min(r.carry + ((nowMs - Number(r.last_ms)) / 60_000) * r.calls_per_minute, 100);
    const calls = Math.floor(due);
    ctx.db.run('UPDATE traffic_rates SET carry = ?, last_ms = ? WHERE account_auth_id = ?', [due - calls, nowMs, r.account_auth_id]);
    if (calls > 0) {
      try {
        generateCalls(ctx, { account_auth_id: r.account_auth_id, calls, ...(r.mix ? { mix: JSON.parse(r.mix) as TrafficMix } : {}) });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err; // no enabled trunk right now: skip this round
      }
    }
  }
}

/**
 * The fleet bench's figures against issue 11's targets: one table for people, one JSON document for the record
 * (docs/performance.md quotes a run).
 */
import { renderTable } from '../../src/cli/output.js';
import type { CacheFigures } from './memory.js';
import type { OnboardingFigures } from './onboarding.js';
import type { SignalFigures } from './signals.js';
import { round } from './stats.js';
import type { SweepFigures } from './sweep.js';
import type { DailyCallModel, IdleFigures } from './vobiz-calls.js';

export interface FleetFigures {
  parked: { customers: number; seconds: number; perMinute: number };
  memory: {
    beforeParking: { workerMb: number; serverMb: number };
    withParked: { cacheSize: number; cached: number; workerMb: number; serverMb: number; bridgeMb: number; sandboxMb: number; floorWorkerMb: number };
    cache?: CacheFigures;
  };
  bundles: { lifecycleBytes: number; floorBytes: number };
  signals?: SignalFigures;
  onboarding?: OnboardingFigures;
  idle?: IdleFigures;
  dailyCalls?: DailyCallModel;
  /** The same at 10,000 parked, with the sweep's cost taken from the line through its runs. */
  dailyCallsAt10k?: DailyCallModel;
  /** The paging formula the projection uses, against the bench's own full paging. */
  pagingCheck?: { open: number; measured: number; formula: number };
  sweep?: SweepFigures;
}

interface Row {
  measure: string;
  figure: string;
  target: string;
  verdict: string;
}

const mb = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : `${n.toFixed(0)} MB`);
const fixed = (n: number | undefined, digits = 2) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));
const verdict = (ok: boolean | undefined) => (ok === undefined ? '-' : ok ? 'met' : 'MISSED');

export function fleetRows(f: FleetFigures): Row[] {
  const rows: Row[] = [];
  const m = f.memory.withParked;
  rows.push({ measure: `park ${f.parked.customers} customers in KYC (start API)`, figure: `${fixed(f.parked.seconds, 0)} s (${fixed(f.parked.perMinute, 0)} /min)`, target: '-', verdict: '-' });
  rows.push({ measure: 'RSS before parking', figure: `worker ${mb(f.memory.beforeParking.workerMb)}, server ${mb(f.memory.beforeParking.serverMb)}`, target: '-', verdict: '-' });
  rows.push({ measure: `RSS with ${f.parked.customers} parked (cache ${m.cacheSize}, ${m.cached} cached)`, figure: `worker ${mb(m.workerMb)}, server ${mb(m.serverMb)}, bridge ${mb(m.bridgeMb)}, sandbox ${mb(m.sandboxMb)}`, target: '-', verdict: '-' });
  const c = f.memory.cache;
  if (c) {
    for (const p of c.points) {
      rows.push({ measure: `worker RSS, cache ${p.cacheSize} (${p.cached} cached)`, figure: `${mb(p.workerAfterRestartMb)} after restart → ${mb(p.workerMb)}; server ${mb(p.serverMb)}`, target: '-', verdict: '-' });
    }
    rows.push({ measure: 'memory per cached parked customer', figure: `${fixed(c.perCachedCustomerMb * 1024, 0)} KB (worker base ${mb(c.baseMb)})`, target: '-', verdict: '-' });
    rows.push({
      measure: '10,000 parked: worker RSS (line)',
      figure: `cache 500: ${mb(c.projected10kAtDefaultMb)}; cache ${Number.isFinite(c.recommendedCacheSize) ? c.recommendedCacheSize : 'n/a'}: ${mb(c.projected10kAtRecommendedMb)}`,
      target: `≤ ${c.budgetMb} MB`,
      verdict: verdict(Number.isFinite(c.projected10kAtDefaultMb) ? c.projected10kAtDefaultMb <= c.budgetMb : undefined),
    });
  }
  const o = f.onboarding;
  if (o) {
    rows.push({
      measure: `onboarding to active (${o.onboardings} × ${o.rounds.length} rounds)`,
      figure: o.rounds.map((r) => `${r.lifecyclePerMinute.toFixed(0)} vs ${r.floorPerMinute.toFixed(0)} /min`).join('; ') + `; median ratio ${fixed(o.medianRatio)}`,
      target: '≥ 0.8x floor',
      verdict: verdict(o.medianRatio >= 0.8),
    });
    rows.push({
      measure: 'history to active (events, bytes)',
      figure: `${o.history.lifecycle.events} ev, ${(o.history.lifecycle.bytes / 1024).toFixed(1)} KB vs floor ${o.history.floor.events} ev, ${(o.history.floor.bytes / 1024).toFixed(1)} KB`,
      target: '-',
      verdict: '-',
    });
  }
  rows.push({ measure: 'workflow bundle', figure: `${(f.bundles.lifecycleBytes / 1e6).toFixed(2)} MB vs floor ${(f.bundles.floorBytes / 1e6).toFixed(2)} MB`, target: '-', verdict: '-' });
  const s = f.signals;
  if (s) {
    rows.push({
      measure: `webhook → signal (${s.bridge.signals} each, ${s.concurrency} in flight)`,
      figure: `bridge ${fixed(s.bridge.perSecond, 0)}/s vs direct ${fixed(s.direct.perSecond, 0)}/s; ratio ${fixed(s.ratio)}`,
      target: '≥ 0.9x',
      verdict: verdict(s.ratio >= 0.9),
    });
    rows.push({
      measure: 'webhook → signal latency',
      figure: `p50 ${fixed(s.bridge.p50Ms, 1)} vs ${fixed(s.direct.p50Ms, 1)} ms; p99 ${fixed(s.bridge.p99Ms, 1)} vs ${fixed(s.direct.p99Ms, 1)} ms (+${fixed(s.addedP99Ms, 1)})`,
      target: '≤ +5 ms p99',
      verdict: verdict(s.addedP99Ms <= 5),
    });
  }
  if (f.idle) {
    rows.push({
      measure: `Vobiz calls, ${f.idle.parked} parked, ${f.idle.windowSeconds} s idle`,
      figure: `${f.idle.total} (sweep pages ${f.idle.sweepPages} in ${f.idle.sweepRuns.length} runs, other ${f.idle.other}); a full paging of ${f.idle.fullPaging.result.openSessions} open: ${f.idle.fullPaging.result.vobizCalls} calls`,
      target: '-',
      verdict: '-',
    });
  }
  if (f.pagingCheck) {
    const p = f.pagingCheck;
    rows.push({ measure: `a full sweep paging, ${p.open} open`, figure: `${p.measured} calls measured, ${p.formula} by the formula (4 + ⌈open/100⌉ − 1)`, target: '-', verdict: '-' });
  }
  for (const d of [f.dailyCalls, f.dailyCallsAt10k]) {
    if (!d) continue;
    rows.push({
      measure: `Vobiz calls per parked customer per day, ${d.parked} parked (defaults)`,
      figure: `${fixed(d.total)} = polls ${fixed(d.polls)} + sweep ${fixed(d.sweep, 3)} (${fixed(d.steadySweepCalls, 0)}/run, ${fixed(d.pagingSweepCalls, 0)} when paging) + reminders ${fixed(d.reminders)}`,
      target: '≤ 1',
      verdict: verdict(d.total <= 1),
    });
  }
  const w = f.sweep;
  if (w) {
    const sweepCalls = w.sweepRuns.reduce((sum, r) => sum + r.result.vobizCalls, 0);
    const paged = w.sweepRuns.filter((r) => r.result.paged).map((r) => `${r.result.paged} ${r.result.vobizCalls}`);
    rows.push({
      measure: `sweep recovers ${w.lostWebhooks} lost webhooks (interval ${w.sweepIntervalSeconds} s)`,
      figure: `nudged within one interval of the loss: ${w.nudgedWithinOneInterval}; all confirmed ${fixed(w.allConfirmedSeconds, 0)} s, active ${fixed(w.allActiveSeconds, 0)} s after it (${w.recovered} active)`,
      target: 'within one interval',
      verdict: verdict(w.nudgedWithinOneInterval >= w.lostWebhooks && w.recovered >= w.lostWebhooks),
    });
    rows.push({
      measure: 'Vobiz calls by the sweep meanwhile',
      figure: `sweep pages ${w.calls.sweepPages} (runs report ${sweepCalls} in ${w.sweepRuns.length}; pagings: ${paged.join(', ') || 'none'}); customers' session reads ${w.calls.sessionReads}, other ${w.calls.other}`,
      target: '≤ 20',
      verdict: verdict(w.calls.sweepPages <= 20),
    });
  }
  return rows;
}

export function renderFleetTable(f: FleetFigures): string {
  return renderTable(fleetRows(f), [
    { header: 'measure', value: (r) => r.measure },
    { header: 'figure', value: (r) => r.figure },
    { header: 'target', value: (r) => r.target },
    { header: '', value: (r) => r.verdict },
  ]);
}

/** JSON with figures rounded for reading (NaN becomes null). */
export function roundedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? round(v, 3) : v), 2);
}

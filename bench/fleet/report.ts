/**
 * The fleet bench's figures against issues 11's and 23's targets: one table for people, one JSON document for the record
 * (docs/performance.md quotes a run).
 */
import { renderTable } from '../../src/cli/output.js';
import type { BurstFigures } from './burst.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { DeployFigures } from './deploy.js';
import type { FootprintFigures } from './footprint.js';
import type { CacheFigures, WokenFigures } from './memory.js';
import type { OnboardingFigures } from './onboarding.js';
import type { SignalFigures } from './signals.js';
import { round } from './stats.js';
import type { SweepFigures } from './sweep.js';
import type { DailyCallModel, IdleFigures } from './vobiz-calls.js';
import type { WebhookLatencyFigures } from './webhook-latency.js';

export interface FleetFigures {
  system: {
    temporal: 'dev server' | 'cluster';
    workers: number;
    bridges: number;
    memoryBudgetMb: number;
    cacheSize: number;
    cacheFrom: 'memory budget' | 'WORKER_MAX_CACHED_WORKFLOWS';
    /** The Node options the workers ran with. */
    workerNodeOptions: string[];
  };
  parked: { customers: number; seconds: number; perMinute: number };
  memory: {
    beforeParking: { workerMb: number[]; serverMb: number };
    withParked: { cached: number[]; workerMb: number[]; serverMb: number; postgresMb?: number; bridgeMb: number[]; sandboxMb: number; floorWorkerMb: number };
    /** Every parked customer woken once: each worker's cache as full as N can make it. */
    woken?: WokenFigures;
    cache?: CacheFigures;
  };
  /** Memory, CPU and disk per parked customer, before → after parking. */
  footprint?: FootprintFigures;
  bundles: { lifecycleBytes: number; floorBytes: number };
  signals?: SignalFigures;
  onboarding?: OnboardingFigures;
  profile?: ProfileSummary;
  bursts?: BurstFigures[];
  idle?: IdleFigures;
  /** CPU of each process over the idle window, as ms per parked customer per day. */
  idleCpuMsPerParkedPerDay?: Record<string, number>;
  dailyCalls?: DailyCallModel;
  /** The same at 10,000 parked, with the sweep's cost taken from the line through its runs. */
  dailyCallsAt10k?: DailyCallModel;
  /** The paging formula the projection uses, against the bench's own full paging. */
  pagingCheck?: { open: number; measured: number; formula: number };
  webhookToActive?: WebhookLatencyFigures;
  /** KYC webhooks each bridge took, every outcome (its own metrics), every phase before the sweep's: spread over the bridges. */
  webhooksByBridge?: number[];
  deploy?: DeployFigures;
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

const mbList = (values: readonly number[]) => values.map((v) => mb(v)).join(' + ');
const perParkedList = (r: Record<string, number> | undefined, unit: string, digits = 1) =>
  Object.entries(r ?? {})
    .filter(([k]) => k !== 'bench')
    .map(([k, v]) => `${k} ${fixed(v, digits)} ${unit}`)
    .join(', ');

function fleetRows(f: FleetFigures): Row[] {
  const rows: Row[] = [];
  const m = f.memory.withParked;
  const budget = f.system.memoryBudgetMb;
  rows.push({
    measure: 'system',
    figure: `${f.system.temporal}, ${f.system.workers} worker${f.system.workers === 1 ? '' : 's'}, ${f.system.bridges} bridge${f.system.bridges === 1 ? '' : 's'}; worker cache ${f.system.cacheSize} (from ${f.system.cacheFrom === 'memory budget' ? `WORKER_MEMORY_BUDGET ${budget} MB` : 'WORKER_MAX_CACHED_WORKFLOWS'}); node ${f.system.workerNodeOptions.join(' ')}`,
    target: '-',
    verdict: '-',
  });
  rows.push({ measure: `park ${f.parked.customers} customers in KYC (start API)`, figure: `${fixed(f.parked.seconds, 0)} s (${fixed(f.parked.perMinute, 0)} /min)`, target: '-', verdict: '-' });
  rows.push({ measure: 'RSS before parking', figure: `worker ${mbList(f.memory.beforeParking.workerMb)}, server ${mb(f.memory.beforeParking.serverMb)}`, target: '-', verdict: '-' });
  rows.push({
    measure: `RSS with ${f.parked.customers} parked (${m.cached.join(' + ')} cached)`,
    figure: `worker ${mbList(m.workerMb)}, server ${mb(m.serverMb)}${m.postgresMb !== undefined ? `, PostgreSQL ${mb(m.postgresMb)} (PSS)` : ''}, bridge ${mbList(m.bridgeMb)}, sandbox ${mb(m.sandboxMb)}`,
    target: `worker ≤ ${budget} MB`,
    verdict: verdict(m.workerMb.every((w) => w <= budget)),
  });
  const w = f.memory.woken;
  if (w) {
    rows.push({
      measure: `every parked customer woken once (${w.woken} in ${fixed(w.wakeSeconds, 0)} s)`,
      figure: w.workers.map((p) => `${mb(p.rssMb)} with ${p.cached} cached`).join('; '),
      target: `worker ≤ ${budget} MB`,
      verdict: verdict(w.workers.every((p) => p.rssMb <= budget)),
    });
  }
  const fp = f.footprint;
  if (fp) {
    rows.push({ measure: 'memory per parked customer', figure: perParkedList(fp.perParked.memoryKb, 'KB'), target: '-', verdict: '-' });
    rows.push({ measure: 'CPU per parked customer (parking)', figure: perParkedList(fp.perParked.cpuMs, 'ms'), target: '-', verdict: '-' });
    rows.push({ measure: 'disk per parked customer', figure: perParkedList(fp.perParked.disk, 'KB'), target: '-', verdict: '-' });
  }
  if (f.idleCpuMsPerParkedPerDay) rows.push({ measure: 'CPU per parked customer per day (idle window)', figure: perParkedList(f.idleCpuMsPerParkedPerDay, 'ms'), target: '-', verdict: '-' });
  const c = f.memory.cache;
  if (c) {
    for (const p of c.points) {
      rows.push({ measure: `worker RSS, cache ${p.cacheSize} (${p.cached} cached)`, figure: `${mb(p.workerAfterRestartMb)} after restart → ${mb(p.workerMb)}; server ${mb(p.serverMb)}`, target: '-', verdict: '-' });
    }
    rows.push({ measure: 'memory per cached parked customer', figure: `${fixed(c.perCachedCustomerMb * 1024, 0)} KB (worker base ${mb(c.baseMb)})`, target: '-', verdict: '-' });
    rows.push({
      measure: '10,000 parked: worker RSS (line)',
      figure: `cache ${c.defaultCacheSize} (the default budget's): ${mb(c.projected10kAtDefaultMb)}; cache ${Number.isFinite(c.recommendedCacheSize) ? c.recommendedCacheSize : 'n/a'}: ${mb(c.projected10kAtRecommendedMb)}`,
      target: `≤ ${c.budgetMb} MB`,
      verdict: verdict(Number.isFinite(c.projected10kAtDefaultMb) ? c.projected10kAtDefaultMb <= c.budgetMb : undefined),
    });
  }
  const o = f.onboarding;
  if (o) {
    rows.push({
      measure: `onboarding to active, each side alone (${o.onboardings} × ${o.rounds.length} rounds)`,
      figure: o.rounds.map((r) => `${r.lifecycle.perMinute.toFixed(0)} vs ${r.floor.perMinute.toFixed(0)} /min`).join('; ') + `; median ratio ${fixed(o.medianRatio)}`,
      target: '≥ 0.8x floor',
      verdict: verdict(o.medianRatio >= 0.8),
    });
    rows.push({ measure: 'CPU per onboarding, lifecycle (ms)', figure: perParkedList(o.cpuMsPerOnboarding.lifecycle, 'ms', 0), target: '-', verdict: '-' });
    rows.push({ measure: 'CPU per onboarding, floor (ms)', figure: perParkedList(o.cpuMsPerOnboarding.floor, 'ms', 0), target: '-', verdict: '-' });
    rows.push({ measure: "project's CPU: floor / lifecycle (sandbox apart)", figure: fixed(o.cpuRatio), target: '≥ 0.8x floor', verdict: verdict(o.cpuRatio >= 0.8) });
    rows.push({
      measure: 'history to active (events, bytes)',
      figure: `${o.history.lifecycle.events} ev, ${(o.history.lifecycle.bytes / 1024).toFixed(1)} KB vs floor ${o.history.floor.events} ev, ${(o.history.floor.bytes / 1024).toFixed(1)} KB`,
      target: '-',
      verdict: '-',
    });
  }
  const p = f.profile;
  if (p) {
    rows.push({
      measure: `worker CPU profile (${p.onboardings} onboardings)`,
      figure: `${fixed(p.busyMsPerOnboarding, 1)} ms sampled each (${Object.entries(p.threads).map(([t, ms]) => `${t} ${fixed(ms, 1)}`).join(', ')}); ` + p.categories.slice(0, 6).map((k) => `${k.category} ${fixed(k.msPerOnboarding, 1)}`).join(', '),
      target: '-',
      verdict: '-',
    });
    rows.push({ measure: 'top self time (ms per onboarding)', figure: p.top.slice(0, 8).map((t) => `${t.name} (${t.where}) ${fixed(t.msPerOnboarding, 2)}`).join('; '), target: '-', verdict: '-' });
  }
  rows.push({ measure: 'workflow bundle', figure: `${(f.bundles.lifecycleBytes / 1e6).toFixed(2)} MB vs floor ${(f.bundles.floorBytes / 1e6).toFixed(2)} MB`, target: '-', verdict: '-' });
  for (const b of f.bursts ?? []) {
    rows.push({
      measure: `burst of ${b.onboardings} at ${b.rps} rps (${b.workers} worker${b.workers === 1 ? '' : 's'})`,
      figure: `${fixed(b.seconds, 1)} s; ${fixed(b.callsPerOnboarding, 1)} Vobiz calls each, budget minimum ${fixed(b.budgetMinimumSeconds, 1)} s; most in one second ${b.maxInAnySecond}`,
      target: `≤ ${b.rps} in any second`,
      verdict: verdict(b.held),
    });
  }
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
  const spread = f.webhooksByBridge;
  if (spread) {
    rows.push({
      measure: `KYC webhooks taken per bridge (${spread.length} bridges, their own metrics)`,
      figure: spread.join(' + '),
      target: 'every bridge takes some',
      verdict: verdict(spread.every((n) => n > 0)),
    });
  }
  const l = f.webhookToActive;
  if (l) {
    rows.push({
      measure: `webhook → active, ${l.customers} parked customers one every ${l.spacingMs} ms`,
      figure: `p50 ${fixed(l.p50Ms, 0)} ms, p99 ${fixed(l.p99Ms, 0)} ms, max ${fixed(l.maxMs, 0)} ms (${l.reachedActive} active; ${l.failedWorkflowTasks} failed workflow tasks)`,
      target: '-',
      verdict: verdict(l.reachedActive === l.customers && l.failedWorkflowTasks === 0),
    });
  }
  const d = f.deploy;
  if (d) {
    rows.push({
      measure: `rolling deploy ${d.from} → ${d.to} with ${d.parked} parked`,
      figure:
        `gate ${d.gate.replayed} replayed, ${d.gate.failures} failed; rollout ${fixed(d.rolloutSeconds, 0)} s; all woken on ${d.to} in ${fixed(d.wakeSeconds, 0)} s: ` +
        `${d.failedWorkflowTasks} failed workflow tasks (${d.nondeterminism} nondeterminism), ${d.parkedAfter} still parked, ${d.sampledOnNewBuild}/${d.sampled} sampled on ${d.to}`,
      target: 'all carry on',
      verdict: verdict(d.failedWorkflowTasks === 0 && d.parkedAfter === d.parked && d.sampledOnNewBuild === d.sampled),
    });
  }
  if (f.idle) {
    rows.push({
      measure: `Vobiz calls, ${f.idle.parked} parked, ${f.idle.windowSeconds} s idle`,
      figure: `${f.idle.total} (sweep pages ${f.idle.sweepPages} in ${f.idle.sweepRuns.length} runs, other ${f.idle.other})`,
      target: '-',
      verdict: '-',
    });
    rows.push({
      measure: `a sweep paging every open session (${f.idle.fullPaging.result.openSessions} open)`,
      figure: `${f.idle.fullPaging.result.vobizCalls} calls in ${fixed(f.idle.fullPaging.seconds, 1)} s`,
      target: '-',
      verdict: '-',
    });
  }
  if (f.pagingCheck) {
    const pc = f.pagingCheck;
    rows.push({ measure: `a full sweep paging, ${pc.open} open`, figure: `${pc.measured} calls measured, ${pc.formula} by the formula (4 + ⌈open/100⌉ − 1)`, target: '-', verdict: '-' });
  }
  for (const dc of [f.dailyCalls, f.dailyCallsAt10k]) {
    if (!dc) continue;
    rows.push({
      measure: `Vobiz calls per parked customer per day, ${dc.parked} parked (defaults)`,
      figure: `${fixed(dc.total)} = polls ${fixed(dc.polls)} + sweep ${fixed(dc.sweep, 3)} (${fixed(dc.steadySweepCalls, 0)}/run, ${fixed(dc.pagingSweepCalls, 0)} when paging) + reminders ${fixed(dc.reminders)}`,
      target: '≤ 1',
      verdict: verdict(dc.total <= 1),
    });
  }
  const sw = f.sweep;
  if (sw) {
    const sweepCalls = sw.sweepRuns.reduce((sum, r) => sum + r.result.vobizCalls, 0);
    const paged = sw.sweepRuns.filter((r) => r.result.paged).map((r) => `${r.result.paged} ${r.result.vobizCalls}`);
    rows.push({
      measure: `sweep recovers ${sw.lostWebhooks} lost webhooks (interval ${sw.sweepIntervalSeconds} s)`,
      figure: `nudged within one interval of the loss: ${sw.nudgedWithinOneInterval}; all confirmed ${fixed(sw.allConfirmedSeconds, 0)} s, active ${fixed(sw.allActiveSeconds, 0)} s after it (${sw.recovered} active)`,
      target: 'within one interval',
      verdict: verdict(sw.nudgedWithinOneInterval >= sw.lostWebhooks && sw.recovered >= sw.lostWebhooks),
    });
    rows.push({
      measure: 'Vobiz calls by the sweep meanwhile',
      figure: `sweep pages ${sw.calls.sweepPages} (runs report ${sweepCalls} in ${sw.sweepRuns.length}; pagings: ${paged.join(', ') || 'none'}); customers' session reads ${sw.calls.sessionReads}, other ${sw.calls.other}`,
      target: '≤ 20',
      verdict: verdict(sw.calls.sweepPages <= 20),
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

/**
 * Worker memory against its cache size: the worker is restarted with each WORKER_MAX_CACHED_WORKFLOWS, every parked
 * customer is woken once (a signal, as a webhook would), so min(N, cache) of them end up cached, and the worker's
 * resident memory is read once it is quiet. A straight line through (cached customers, RSS) gives the memory per
 * cached parked customer (slope) and the worker's own (intercept), from which the cache size for a memory budget.
 */
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { kycEventSignal } from '../../src/workflows/messages.js';
import type { ParkedCustomer } from './customers.js';
import { fitLine, rssMb, sampledRssMb, sleep, waitUntil } from './stats.js';
import type { FleetSystem } from './system.js';

export interface CachePoint {
  cacheSize: number;
  cached: number;
  /** Worker RSS right after the restart, before any customer woke. */
  workerAfterRestartMb: number;
  /** Worker RSS with min(N, cache) customers cached. */
  workerMb: number;
  serverMb: number;
  /** Seconds to wake every parked customer (each replays its history into the cache). */
  wakeSeconds: number;
}

export interface CacheFigures {
  points: CachePoint[];
  perCachedCustomerMb: number;
  baseMb: number;
  /** Largest cache that keeps the worker within `budgetMb` (by the line), and the budget. */
  recommendedCacheSize: number;
  budgetMb: number;
  /** The cache the default memory budget gives (src/config/worker.ts). */
  defaultCacheSize: number;
  /** The line's worker RSS for 10,000 parked customers at the default cache and at the recommended one. */
  projected10kAtDefaultMb: number;
  projected10kAtRecommendedMb: number;
}

/** Resident memory after the process has been left alone for `settleMs` (allocation churn settles, GC runs). */
export async function settledRss(pid: number | undefined, settleMs = 5_000): Promise<number> {
  await sleep(settleMs);
  return sampledRssMb(pid);
}

/** The sum of a metric's series (those whose labels include `labelled`, when given), from a Prometheus endpoint. */
export async function metricSum(metricsUrl: string, name: string, labelled?: string): Promise<number> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  let total = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})?\\s+([0-9.e+]+)$`, 'gm'))) {
    if (!labelled || match[1]?.includes(labelled)) total += Number(match[2]);
  }
  return total;
}

/** Workflows in a worker's cache (Temporal Core's sticky cache gauge). */
export const cachedWorkflows = (metricsUrl: string) => metricSum(metricsUrl, 'temporal_sticky_cache_size');

/**
 * Waits until no worker has had a task in hand (workflow or activity slots used) for three readings in a row, so
 * that a phase's leftovers (signals Temporal accepted but a worker has yet to run) do not land in the next one.
 */
export async function waitForQuiet(metricsUrls: readonly string[], timeoutMs = 180_000): Promise<boolean> {
  let quiet = 0;
  return waitUntil(async () => {
    const used = await Promise.all(metricsUrls.map((url) => metricSum(url, 'temporal_worker_task_slots_used')));
    quiet = used.every((n) => n === 0) ? quiet + 1 : 0;
    return quiet >= 3;
  }, timeoutMs, 1_000);
}

export async function wakeAll(client: Client, parked: readonly ParkedCustomer[], concurrency: number, tag: string): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(
    parked.map((c, i) =>
      limit(() =>
        client.workflow.getHandle(c.workflowId).signal(kycEventSignal, {
          eventKey: `bench-wake-${tag}-${i}`,
          event: 'kyc.completed',
          sessionId: `KYC_BENCH_WAKE_${tag}`,
          status: 'completed',
          receivedAt: new Date().toISOString(),
        }),
      ),
    ),
  );
}

/** Each worker's RSS and cached customers once every parked customer has been woken once (each worker's cache full). */
export interface WokenFigures {
  woken: number;
  wakeSeconds: number;
  /** Per worker process, in order. */
  workers: { cacheSize: number; cached: number; rssMb: number }[];
}

/**
 * Wakes every parked customer once (a signal each, as a webhook would): the workers replay them into their caches
 * until each cache is full, which is the most memory N parked customers can make a worker hold.
 */
export async function wakeEveryone(system: FleetSystem, client: Client, parked: readonly ParkedCustomer[], concurrency: number, cacheSizes: readonly number[]): Promise<WokenFigures> {
  const began = performance.now();
  await wakeAll(client, parked, concurrency, 'everyone');
  await waitForQuiet(system.workerMetricsUrls, 600_000);
  const wakeSeconds = (performance.now() - began) / 1000;
  const workers = [];
  for (const [i, worker] of system.workers.entries()) {
    workers.push({ cacheSize: cacheSizes[i]!, cached: await cachedWorkflows(system.workerMetricsUrls[i]!).catch(() => Number.NaN), rssMb: await settledRss(worker.pid, i === 0 ? 10_000 : 0) });
  }
  return { woken: parked.length, wakeSeconds, workers };
}

/**
 * Worker memory against its cache size, on one worker (the others stopped meanwhile): restarted with each
 * WORKER_MAX_CACHED_WORKFLOWS, min(N, cache) parked customers woken into its cache, its RSS read once quiet.
 */
export async function measureCacheSizes(
  system: FleetSystem,
  client: Client,
  parked: readonly ParkedCustomer[],
  cacheSizes: readonly number[],
  concurrency: number,
  log: (line: string) => void,
  budgetMb: number,
  defaultCacheSize: number,
): Promise<CacheFigures> {
  const [worker, ...others] = system.workers;
  const metricsUrl = system.workerMetricsUrls[0]!;
  const configured = worker!.spec.env.WORKER_MAX_CACHED_WORKFLOWS;
  await Promise.all(others.map((w) => w.stop(15_000)));
  const points: CachePoint[] = [];
  try {
    for (const cacheSize of cacheSizes) {
      await system.restartWorkers({ env: { WORKER_MAX_CACHED_WORKFLOWS: String(cacheSize) }, only: [worker!] });
      const workerAfterRestartMb = await settledRss(worker!.pid);
      const began = performance.now();
      // Waking more customers than the cache holds would only evict and replay: min(N, cache) fill it.
      await wakeAll(client, parked.slice(0, cacheSize), concurrency, `cache-${cacheSize}`);
      // A signal returns once Temporal has it; the workflow takes its task a little later. Done when the cache is full.
      const expected = Math.min(parked.length, cacheSize);
      await waitUntil(async () => (await cachedWorkflows(metricsUrl)) >= expected, 300_000, 1_000);
      const wakeSeconds = (performance.now() - began) / 1000;
      const workerMb = await settledRss(worker!.pid, 10_000);
      const cached = await cachedWorkflows(metricsUrl).catch(() => expected);
      const point = { cacheSize, cached, workerAfterRestartMb, workerMb, serverMb: rssMb(system.temporalPid()), wakeSeconds };
      points.push(point);
      log(`cache ${cacheSize}: worker ${workerAfterRestartMb.toFixed(0)} MB after restart, ${workerMb.toFixed(0)} MB with ${point.cached} cached (woken in ${wakeSeconds.toFixed(1)} s); server ${point.serverMb.toFixed(0)} MB`);
    }
  } finally {
    // Back to the run's own setting (unset: the one derived from the memory budget), every worker running.
    await system.restartWorkers({ env: { WORKER_MAX_CACHED_WORKFLOWS: configured ?? '' }, only: [worker!] });
    await Promise.all(others.map((w) => w.start()));
  }
  const line = fitLine(points.map((p) => ({ x: p.cached, y: p.workerMb })));
  // A line that does not rise means the cached customers' memory is lost in the noise (too few of them): no figure.
  const slope = line.slope > 0 ? line.slope : Number.NaN;
  const intercept = line.slope > 0 ? line.intercept : Number.NaN;
  const recommended = Math.max(0, Math.floor((budgetMb - intercept) / slope));
  return {
    points,
    perCachedCustomerMb: slope,
    baseMb: intercept,
    recommendedCacheSize: recommended,
    budgetMb,
    defaultCacheSize,
    projected10kAtDefaultMb: intercept + slope * Math.min(10_000, defaultCacheSize),
    projected10kAtRecommendedMb: intercept + slope * Math.min(10_000, recommended),
  };
}

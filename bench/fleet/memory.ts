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
  /** The line's worker RSS for 10,000 parked customers at the default cache (500) and at the recommended one. */
  projected10kAtDefaultMb: number;
  projected10kAtRecommendedMb: number;
}

/** Resident memory after the process has been left alone for `settleMs` (allocation churn settles, GC runs). */
export async function settledRss(pid: number | undefined, settleMs = 5_000): Promise<number> {
  await sleep(settleMs);
  return sampledRssMb(pid);
}

/** The sum of a gauge over its labels, from the worker's Prometheus endpoint (Temporal Core's metrics). */
async function gauge(metricsUrl: string, name: string): Promise<number> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  let total = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.e+]+)$`, 'gm'))) total += Number(match[1]);
  return total;
}

/** Workflows in the worker's cache (Temporal Core's sticky cache gauge). */
export const cachedWorkflows = (metricsUrl: string) => gauge(metricsUrl, 'temporal_sticky_cache_size');

/**
 * Waits until the worker has had no task in hand (workflow or activity slots used) for three readings in a row, so
 * that a phase's leftovers (signals Temporal accepted but the worker has yet to run) do not land in the next one.
 */
export async function waitForQuiet(metricsUrl: string, timeoutMs = 180_000): Promise<boolean> {
  let quiet = 0;
  return waitUntil(async () => {
    quiet = (await gauge(metricsUrl, 'temporal_worker_task_slots_used')) === 0 ? quiet + 1 : 0;
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

export async function measureCacheSizes(
  system: FleetSystem,
  client: Client,
  parked: readonly ParkedCustomer[],
  cacheSizes: readonly number[],
  concurrency: number,
  log: (line: string) => void,
  budgetMb = 300,
  defaultCacheSize = 500,
): Promise<CacheFigures> {
  const points: CachePoint[] = [];
  for (const cacheSize of cacheSizes) {
    await system.restartWorker(cacheSize);
    const workerAfterRestartMb = await settledRss(system.worker.pid);
    const began = performance.now();
    // Waking more customers than the cache holds would only evict and replay: min(N, cache) fill it.
    await wakeAll(client, parked.slice(0, cacheSize), concurrency, `cache-${cacheSize}`);
    // A signal returns once Temporal has it; the workflow takes its task a little later. Done when the cache is full.
    const expected = Math.min(parked.length, cacheSize);
    await waitUntil(async () => (await cachedWorkflows(system.workerMetricsUrl)) >= expected, 300_000, 1_000);
    const wakeSeconds = (performance.now() - began) / 1000;
    const workerMb = await settledRss(system.worker.pid, 10_000);
    const cached = await cachedWorkflows(system.workerMetricsUrl).catch(() => expected);
    const point = { cacheSize, cached, workerAfterRestartMb, workerMb, serverMb: rssMb(system.devServerPid), wakeSeconds };
    points.push(point);
    log(`cache ${cacheSize}: worker ${workerAfterRestartMb.toFixed(0)} MB after restart, ${workerMb.toFixed(0)} MB with ${point.cached} cached (woken in ${wakeSeconds.toFixed(1)} s); server ${point.serverMb.toFixed(0)} MB`);
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
    projected10kAtDefaultMb: intercept + slope * Math.min(10_000, defaultCacheSize),
    projected10kAtRecommendedMb: intercept + slope * Math.min(10_000, recommended),
  };
}

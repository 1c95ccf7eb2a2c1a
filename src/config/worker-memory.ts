/**
 * How many customers' workflows a worker keeps cached, from the memory it may use (WORKER_MEMORY_BUDGET).
 *
 * A worker's memory is its own (Node, the SDK, Temporal Core, the activities, the workflow bundle loaded in its
 * workflow thread) plus the customers it keeps cached; a customer that is not cached costs it nothing (it replays its
 * short history when it wakes). Both figures are measured by `npm run bench:fleet` (docs/performance.md, "Worker
 * sizing"): the cache is what fits in the budget once the worker's own memory is taken out.
 */

/**
 * Resident memory of a worker with an empty cache once it has done some work: 286 MB on the line through (cached,
 * RSS) measured under tsx on the cluster, less the 28 MB tsx costs over a compiled worker (a fresh worker reads
 * 231–272 MB under tsx: the heap its first tasks grow is the difference).
 */
export const WORKER_BASE_MB = 260;
/**
 * Resident memory per cached parked customer: the slope of RSS against cached customers, 0.43–0.65 MB on the
 * cluster with two workers (0.3–0.45 MB in issue 11's single-worker runs; V8 grows its heap in steps, so a
 * small cache costs more per customer than the long-run line): the upper end, so a budget is not overrun.
 */
export const CACHED_CUSTOMER_MB = 0.6;
/** Below this a worker would replay on nearly every task: a budget that leaves less is refused. */
export const MIN_CACHED_WORKFLOWS = 10;
export const DEFAULT_MEMORY_BUDGET_MB = 300;

/** The smallest budget that leaves room for MIN_CACHED_WORKFLOWS. */
export const MIN_MEMORY_BUDGET_MB = Math.ceil(WORKER_BASE_MB + MIN_CACHED_WORKFLOWS * CACHED_CUSTOMER_MB);

/** The cache a budget pays for: what is left after the worker's own memory, one cached customer at a time. */
export function cachedWorkflowsFor(budgetMb: number): number {
  if (budgetMb < MIN_MEMORY_BUDGET_MB) throw new RangeError(`a worker needs at least ${MIN_MEMORY_BUDGET_MB} MB`);
  return Math.floor((budgetMb - WORKER_BASE_MB) / CACHED_CUSTOMER_MB);
}

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

/**
 * V8's old-generation limit for each of a worker's isolates (`--max-old-space-size`, in MB), from its memory budget.
 *
 * Without it V8 sizes the heap from the machine (about 4 GB on a 24 GB machine) and lets a burst of work grow the
 * heap far past the budget, then keeps it: measured, a worker with the default cache of 66 held 456–467 MB right
 * after a parking burst and 400 MB after waking its cache, though the same cache, filled after a restart, needs
 * 277 MB. The flag applies to every isolate in the process (the main thread and the SDK's workflow thread) and a
 * smaller limit also makes V8 grow each heap in smaller steps. It is a ceiling, not the budget: the workflow
 * thread's live heap is the cache plus the workflow bundle, and running out of heap is a crash, so it is
 * HEAP_HEADROOM times what the budget's cache can hold live, and never under MIN_HEAP_LIMIT_MB.
 */
export const HEAP_PER_CACHED_CUSTOMER_MB = 0.5;
export const WORKFLOW_HEAP_BASE_MB = 60;
const HEAP_HEADROOM = 2;
const MIN_HEAP_LIMIT_MB = 256;

export function heapLimitMbFor(budgetMb: number): number {
  const liveAtFullCache = WORKFLOW_HEAP_BASE_MB + cachedWorkflowsFor(budgetMb) * HEAP_PER_CACHED_CUSTOMER_MB;
  return Math.max(MIN_HEAP_LIMIT_MB, Math.ceil((HEAP_HEADROOM * liveAtFullCache) / 16) * 16);
}

/** The Node options a worker process is started with for a budget: they must be given at start, V8 fixes them then. */
export function workerNodeFlagsFor(budgetMb: number): string[] {
  return [`--max-old-space-size=${heapLimitMbFor(budgetMb)}`];
}

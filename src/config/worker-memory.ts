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
 * The V8 heap limits of each of a worker's isolates, from its memory budget. Node's options apply to every isolate in
 * the process: the main thread's (activities, the SDK, the clients) and the SDK's workflow thread's (the workflow
 * bundle and the cached customers). Without them V8 sizes its heaps from the machine (about 4 GB on a 24 GB machine),
 * grows them up to four times their live size between collections and gives each isolate a young generation of up
 * to 48 MB: after a burst of work a worker with the default cache held 361 MB with 2,000 parked and 415 MB once they
 * had all woken, though the same cache, filled after a restart, needs about 265 MB (docs/performance.md).
 *
 * The old-generation limit is a ceiling, not the budget: running out of heap is a crash. Below 2 GB V8 also grows
 * the heap in smaller steps the lower the limit. The largest live heaps measured after a full collection (parking
 * 2,000, then waking them all through a cache of 66) were 63 MB on the main thread, which does not grow with the
 * cache, and 39 MB on the workflow thread. The workflow thread's is taken as WORKFLOW_HEAP_BASE_MB plus
 * CACHED_CUSTOMER_MB per cached customer (the RSS slope: 80 MB at 66, twice what was measured), the limit as
 * HEAP_HEADROOM times that at a full cache, and never under MIN_HEAP_LIMIT_MB (four times the main thread's peak).
 */
export const WORKFLOW_HEAP_BASE_MB = 40;
export const HEAP_HEADROOM = 2;
export const MIN_HEAP_LIMIT_MB = 256;
/**
 * The young generation: each isolate keeps up to three semi-spaces of this size. V8's own 16 MB left a default
 * worker's two busy isolates about 40 MB more committed heap after a burst than 4 MB did. A 75th of the budget each,
 * so the young generations of both isolates stay within 8% of it; smaller semi-spaces mean more scavenges
 * (docs/performance.md, "Worker sizing", has what they cost).
 */
const SEMI_SPACE_SHARE = 1 / 75;
const MIN_SEMI_SPACE_MB = 1;
const MAX_SEMI_SPACE_MB = 16;

/** What a worker's heap flags follow from: its budget, and its cache (what the budget pays for, unless set apart). */
export interface WorkerMemory {
  budgetMb: number;
  cachedWorkflows: number;
}

/** The memory of a worker whose cache is sized from its budget. */
export const fromBudget = (budgetMb: number): WorkerMemory => ({ budgetMb, cachedWorkflows: cachedWorkflowsFor(budgetMb) });

/**
 * `--max-old-space-size` for a cache, in MB (a multiple of 16): from the cache, not the budget, so a cache set with
 * WORKER_MAX_CACHED_WORKFLOWS beyond what the budget pays for still fits in the heap.
 */
export function heapLimitMbFor(cachedWorkflows: number): number {
  const liveAtFullCache = WORKFLOW_HEAP_BASE_MB + cachedWorkflows * CACHED_CUSTOMER_MB;
  return Math.max(MIN_HEAP_LIMIT_MB, Math.ceil((HEAP_HEADROOM * liveAtFullCache) / 16) * 16);
}

/** `--max-semi-space-size` for a budget, in MB. */
export function semiSpaceMbFor(budgetMb: number): number {
  return Math.min(MAX_SEMI_SPACE_MB, Math.max(MIN_SEMI_SPACE_MB, Math.floor(budgetMb * SEMI_SPACE_SHARE)));
}

/** The Node options a worker process is started with: they must be given at start, V8 fixes them then. */
export function workerNodeFlagsFor({ budgetMb, cachedWorkflows }: WorkerMemory): string[] {
  return [`--max-old-space-size=${heapLimitMbFor(cachedWorkflows)}`, `--max-semi-space-size=${semiSpaceMbFor(budgetMb)}`];
}

/**
 * The environment a worker process is started with beside its Node options. glibc gives each thread that allocates
 * its own malloc arena, and the native threads of Temporal Core and Node keep 47–79 MB in them, growing with the
 * customers a worker has parked (docs/performance.md); two arenas held 28 MB with no CPU cost the bench could see.
 * Read by glibc when the process starts, so, like the heap limit, it is the launcher's to set.
 */
export const WORKER_PROCESS_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/** How to start a compiled worker by hand with both (the image sets WORKER_PROCESS_ENV for every process instead). */
export const WORKER_LAUNCH_COMMAND = 'flags=$(node dist/worker/node-flags.js) && MALLOC_ARENA_MAX=2 exec node $flags dist/worker.js';

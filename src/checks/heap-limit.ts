/**
 * Is the worker's V8 heap limit the one its memory budget derives (src/config/worker-memory.ts)? Node fixes the limit
 * when the process starts, so a worker launched by hand as `node dist/worker.js` runs with V8's own, sized from the
 * machine: it works, but the heap a burst grows is kept and the worker outgrows WORKER_MEMORY_BUDGET. A warning, not
 * a failure: nothing stalls, memory only grows.
 */
import { getHeapStatistics } from 'node:v8';
import { heapLimitMbFor, WORKER_LAUNCH_COMMAND, workerNodeFlagsFor, type WorkerMemory } from '../config/worker-memory.js';
import { ok, warn, type Check, type CheckOutcome } from './run.js';

/**
 * How far V8's reported limit may exceed the derived old-generation limit: the report adds the young generation
 * (a few tens of MB), and a partner may give a little more on purpose. Beyond it the limit was not set from the budget.
 */
const TOLERATED_RATIO = 1.5;

export function heapLimitOutcome(memory: WorkerMemory, heapSizeLimitBytes: number): CheckOutcome {
  const limitMb = Math.round(heapSizeLimitBytes / 2 ** 20);
  const derivedMb = heapLimitMbFor(memory.cachedWorkflows);
  const flags = workerNodeFlagsFor(memory).join(' ');
  const settings = `WORKER_MEMORY_BUDGET=${memory.budgetMb}, ${memory.cachedWorkflows} cached`;
  if (limitMb > derivedMb * TOLERATED_RATIO) {
    return warn(
      `V8 heap limit ${limitMb} MB, far above the ${derivedMb} MB ${settings} derives: the heap a burst grows is kept and the worker outgrows its budget`,
      `start the worker with ${flags} (${WORKER_LAUNCH_COMMAND}), or set NODE_OPTIONS=${flags}`,
    );
  }
  return ok(`V8 heap limit ${limitMb} MB (${settings} derives ${flags})`);
}

export function heapLimit(memory: WorkerMemory): Check {
  return { name: 'heap_limit', run: async () => heapLimitOutcome(memory, getHeapStatistics().heap_size_limit) };
}

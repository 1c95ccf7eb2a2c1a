import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { heapLimit, heapLimitOutcome } from '../../src/checks/heap-limit.js';
import { loadWorkerConfig, loadWorkerNodeFlags } from '../../src/config/worker.js';
import {
  CACHED_CUSTOMER_MB,
  cachedWorkflowsFor,
  DEFAULT_MEMORY_BUDGET_MB,
  fromBudget,
  HEAP_HEADROOM,
  heapLimitMbFor,
  MIN_CACHED_WORKFLOWS,
  MIN_HEAP_LIMIT_MB,
  MIN_MEMORY_BUDGET_MB,
  semiSpaceMbFor,
  WORKER_BASE_MB,
  WORKER_PROCESS_ENV,
  WORKFLOW_HEAP_BASE_MB,
  workerNodeFlagsFor,
} from '../../src/config/worker-memory.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { problemsOf } from '../support/config-problems.js';

describe('worker cache from its memory budget', () => {
  it('fills the budget left after the worker’s own memory with cached customers, and no more', () => {
    for (let budget = MIN_MEMORY_BUDGET_MB; budget <= 4_000; budget++) {
      const cache = cachedWorkflowsFor(budget);
      expect(WORKER_BASE_MB + cache * CACHED_CUSTOMER_MB).toBeLessThanOrEqual(budget + 1e-9);
      expect(WORKER_BASE_MB + (cache + 1) * CACHED_CUSTOMER_MB).toBeGreaterThan(budget);
    }
  });

  it('leaves at least the minimum cache at the smallest budget, and refuses less', () => {
    expect(cachedWorkflowsFor(MIN_MEMORY_BUDGET_MB)).toBeGreaterThanOrEqual(MIN_CACHED_WORKFLOWS);
    expect(() => cachedWorkflowsFor(MIN_MEMORY_BUDGET_MB - 1)).toThrow(new RegExp(`at least ${MIN_MEMORY_BUDGET_MB} MB`));
  });

  it('sizes a default worker’s cache from the default 300 MB budget', () => {
    expect(DEFAULT_MEMORY_BUDGET_MB).toBe(300);
    const { worker } = loadWorkerConfig({});
    expect(worker.memoryBudgetMb).toBe(300);
    expect(worker.maxCachedWorkflows).toBe(cachedWorkflowsFor(300));
    expect(worker.cacheSizeFrom).toBe('WORKER_MEMORY_BUDGET');
  });

  it('grows the cache with WORKER_MEMORY_BUDGET', () => {
    const small = loadWorkerConfig({ WORKER_MEMORY_BUDGET: '300' }).worker.maxCachedWorkflows;
    const large = loadWorkerConfig({ WORKER_MEMORY_BUDGET: '1000' }).worker.maxCachedWorkflows;
    expect(large).toBe(cachedWorkflowsFor(1000));
    expect(large).toBeGreaterThan(small);
  });

  it('refuses a budget below its minimum or not a whole number, naming WORKER_MEMORY_BUDGET and the rule', () => {
    expect(problemsOf(() => loadWorkerConfig({ WORKER_MEMORY_BUDGET: String(MIN_MEMORY_BUDGET_MB - 1) })).join('\n')).toMatch(
      new RegExp(`WORKER_MEMORY_BUDGET: must be at least ${MIN_MEMORY_BUDGET_MB} \\(MB`),
    );
    expect(problemsOf(() => loadWorkerConfig({ WORKER_MEMORY_BUDGET: '300MB' })).join('\n')).toMatch(/WORKER_MEMORY_BUDGET: must be a number/);
    expect(problemsOf(() => loadWorkerConfig({ WORKER_MEMORY_BUDGET: String(MIN_MEMORY_BUDGET_MB) }))).toEqual([]);
  });

  it('takes WORKER_MAX_CACHED_WORKFLOWS over the budget when it is set, and says so', () => {
    const { worker } = loadWorkerConfig({ WORKER_MEMORY_BUDGET: '1000', WORKER_MAX_CACHED_WORKFLOWS: '37' });
    expect(worker.maxCachedWorkflows).toBe(37);
    expect(worker.cacheSizeFrom).toBe('WORKER_MAX_CACHED_WORKFLOWS');
    expect(loadWorkerConfig({ WORKER_MAX_CACHED_WORKFLOWS: '' }).worker.cacheSizeFrom).toBe('WORKER_MEMORY_BUDGET');
    expect(problemsOf(() => loadWorkerConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).join('\n')).toMatch(/WORKER_MAX_CACHED_WORKFLOWS: must be > 0/);
  });

  it('docs/performance.md’s sizing table follows from the formulas (cache and Node options)', () => {
    const doc = readFileSync(new URL('../../docs/performance.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^ *\| (\d+)(?: \(default\))? \| (\d+) \| (\d+) MB \| `([^`]+)` \|$/gm)].map((m) => ({
      budget: Number(m[1]),
      cache: Number(m[2]),
      rss: Number(m[3]),
      flags: m[4],
    }));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.map(({ budget }) => budget)).toContain(DEFAULT_MEMORY_BUDGET_MB);
    for (const { budget, cache, rss, flags } of rows) {
      expect(cache).toBe(cachedWorkflowsFor(budget));
      expect(rss).toBe(Math.round(WORKER_BASE_MB + cache * CACHED_CUSTOMER_MB));
      expect(flags).toBe(workerNodeFlagsFor(fromBudget(budget)).join(' '));
    }
  });
});

describe('worker heap limit from its memory budget', () => {
  it('gives every cache a heap limit that holds it twice over (and the main thread\'s heap), growing with the cache', () => {
    let previous = 0;
    for (let cache = 1; cache <= 12_000; cache += 7) {
      const limit = heapLimitMbFor(cache);
      // The live heap of the workflow thread at a full cache (its bundle and every cached customer), with the headroom.
      expect(limit).toBeGreaterThanOrEqual(HEAP_HEADROOM * (WORKFLOW_HEAP_BASE_MB + cache * CACHED_CUSTOMER_MB));
      expect(limit).toBeGreaterThanOrEqual(MIN_HEAP_LIMIT_MB);
      expect(limit).toBeGreaterThanOrEqual(previous);
      previous = limit;
    }
    expect(heapLimitMbFor(cachedWorkflowsFor(8_000))).toBeGreaterThan(heapLimitMbFor(cachedWorkflowsFor(DEFAULT_MEMORY_BUDGET_MB)));
  });

  it('keeps the default worker’s heap limit far below V8’s own (about 4 GB on a 24 GB machine)', () => {
    const limit = heapLimitMbFor(cachedWorkflowsFor(DEFAULT_MEMORY_BUDGET_MB));
    expect(limit).toBeLessThanOrEqual(DEFAULT_MEMORY_BUDGET_MB);
    expect(workerNodeFlagsFor(fromBudget(DEFAULT_MEMORY_BUDGET_MB))).toEqual([`--max-old-space-size=${limit}`, '--max-semi-space-size=4']);
  });

  it('keeps both isolates’ young generations (three semi-spaces each) within 8% of the budget, between 1 and 16 MB', () => {
    for (let budget = MIN_MEMORY_BUDGET_MB; budget <= 8_000; budget += 7) {
      const semi = semiSpaceMbFor(budget);
      expect(semi).toBeGreaterThanOrEqual(1);
      expect(semi).toBeLessThanOrEqual(16);
      if (semi > 1) expect(2 * 3 * semi).toBeLessThanOrEqual(0.08 * budget);
    }
    expect(semiSpaceMbFor(8_000)).toBe(16);
  });

  it('derives the launch flags from WORKER_MEMORY_BUDGET, refused as the worker refuses it', () => {
    expect(loadWorkerNodeFlags({})).toEqual(workerNodeFlagsFor(fromBudget(DEFAULT_MEMORY_BUDGET_MB)));
    expect(loadWorkerNodeFlags({ WORKER_MEMORY_BUDGET: '1024' })).toEqual(workerNodeFlagsFor(fromBudget(1024)));
    expect(problemsOf(() => loadWorkerNodeFlags({ WORKER_MEMORY_BUDGET: String(MIN_MEMORY_BUDGET_MB - 1) })).join('\n')).toMatch(
      new RegExp(`WORKER_MEMORY_BUDGET: must be at least ${MIN_MEMORY_BUDGET_MB} \\(MB`),
    );
    expect(problemsOf(() => loadWorkerNodeFlags({ WORKER_MEMORY_BUDGET: '300MB' })).join('\n')).toMatch(/WORKER_MEMORY_BUDGET: must be a number/);
  });

  it('bounds glibc\'s malloc arenas wherever a worker process is started: the image, npm run worker, the local stacks and the tests\' worker processes', () => {
    expect(WORKER_PROCESS_ENV).toEqual({ MALLOC_ARENA_MAX: '2' });
    const read = (file: string) => readFileSync(`${PROJECT_ROOT}/${file}`, 'utf8');
    expect(read('Dockerfile')).toMatch(/^ENV [^\n]*(?:\\\n[^\n]*)*MALLOC_ARENA_MAX=2/m);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.worker).toContain('&& MALLOC_ARENA_MAX=2 exec node $flags ');
    expect(read('dev/stack.ts')).toMatch(/workerEnv: NodeJS\.ProcessEnv = \{\n\s+\.\.\.WORKER_PROCESS_ENV,/);
    expect(read('test/support/worker-process.ts')).toContain('...WORKER_PROCESS_ENV, ...options.env');
  });

  it('sizes the heap for a cache set with WORKER_MAX_CACHED_WORKFLOWS beyond what the budget pays for', () => {
    const flags = loadWorkerNodeFlags({ WORKER_MEMORY_BUDGET: '300', WORKER_MAX_CACHED_WORKFLOWS: '2000' });
    expect(flags).toEqual([`--max-old-space-size=${heapLimitMbFor(2_000)}`, '--max-semi-space-size=4']);
    expect(heapLimitMbFor(2_000)).toBeGreaterThanOrEqual(2 * 2_000 * CACHED_CUSTOMER_MB);
    expect(problemsOf(() => loadWorkerNodeFlags({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).join('\n')).toMatch(/WORKER_MAX_CACHED_WORKFLOWS: must be > 0/);
  });
});

describe('heap_limit: was the worker started with the heap limit its budget derives?', () => {
  const MB = 2 ** 20;
  const defaults = fromBudget(300);

  it('warns on V8’s own limit, naming the flags to pass and how', () => {
    const outcome = heapLimitOutcome(defaults, 4_144 * MB);
    const derived = heapLimitMbFor(defaults.cachedWorkflows);
    expect(outcome.status).toBe('warn');
    expect(outcome.detail).toContain(`V8 heap limit 4144 MB, far above the ${derived} MB WORKER_MEMORY_BUDGET=300, 66 cached derives`);
    expect(outcome.fix).toContain(`--max-old-space-size=${derived} --max-semi-space-size=4`);
    expect(outcome.fix).toContain('node dist/worker/node-flags.js');
  });

  it('is ok with the derived limit (V8 adds its young generation to what it reports), or a smaller one', () => {
    for (const memory of [fromBudget(MIN_MEMORY_BUDGET_MB), defaults, fromBudget(1024), fromBudget(4096), { budgetMb: 300, cachedWorkflows: 2_000 }]) {
      const reported = heapLimitMbFor(memory.cachedWorkflows) + 48;
      expect(heapLimitOutcome(memory, reported * MB)).toEqual({
        status: 'ok',
        detail: `V8 heap limit ${reported} MB (WORKER_MEMORY_BUDGET=${memory.budgetMb}, ${memory.cachedWorkflows} cached derives ${workerNodeFlagsFor(memory).join(' ')})`,
      });
    }
    expect(heapLimitOutcome(defaults, 100 * MB).status).toBe('ok');
  });

  it('reads the limit this process runs with', async () => {
    const outcome = await heapLimit(defaults).run({ signal: new AbortController().signal, deadline: Date.now() + 1_000 });
    expect(outcome.detail).toContain(`V8 heap limit ${Math.round(getHeapStatistics().heap_size_limit / MB)} MB`);
  });
});

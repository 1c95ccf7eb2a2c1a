import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { heapLimit, heapLimitOutcome } from '../../src/checks/heap-limit.js';
import { loadWorkerConfig, loadWorkerNodeFlags } from '../../src/config/worker.js';
import {
  CACHED_CUSTOMER_MB,
  cachedWorkflowsFor,
  DEFAULT_MEMORY_BUDGET_MB,
  HEAP_HEADROOM,
  heapLimitMbFor,
  MIN_CACHED_WORKFLOWS,
  MIN_HEAP_LIMIT_MB,
  MIN_MEMORY_BUDGET_MB,
  semiSpaceMbFor,
  WORKER_BASE_MB,
  WORKFLOW_HEAP_BASE_MB,
  workerNodeFlagsFor,
} from '../../src/config/worker-memory.js';
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
      expect(flags).toBe(workerNodeFlagsFor(budget).join(' '));
    }
  });
});

describe('worker heap limit from its memory budget', () => {
  it('gives every budget a heap limit that holds its full cache twice over (and the main thread\'s heap), growing with the budget', () => {
    let previous = 0;
    for (let budget = MIN_MEMORY_BUDGET_MB; budget <= 8_000; budget += 7) {
      const limit = heapLimitMbFor(budget);
      // The live heap of the workflow thread at a full cache (its bundle and every cached customer), with the headroom.
      expect(limit).toBeGreaterThanOrEqual(HEAP_HEADROOM * (WORKFLOW_HEAP_BASE_MB + cachedWorkflowsFor(budget) * CACHED_CUSTOMER_MB));
      expect(limit).toBeGreaterThanOrEqual(MIN_HEAP_LIMIT_MB);
      expect(limit).toBeGreaterThanOrEqual(previous);
      previous = limit;
    }
    expect(heapLimitMbFor(8_000)).toBeGreaterThan(heapLimitMbFor(DEFAULT_MEMORY_BUDGET_MB));
  });

  it('keeps the default worker’s heap limit far below V8’s own (about 4 GB on a 24 GB machine)', () => {
    expect(heapLimitMbFor(DEFAULT_MEMORY_BUDGET_MB)).toBeLessThanOrEqual(DEFAULT_MEMORY_BUDGET_MB);
    expect(workerNodeFlagsFor(DEFAULT_MEMORY_BUDGET_MB)).toEqual([`--max-old-space-size=${heapLimitMbFor(DEFAULT_MEMORY_BUDGET_MB)}`, '--max-semi-space-size=4']);
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
    expect(loadWorkerNodeFlags({})).toEqual(workerNodeFlagsFor(DEFAULT_MEMORY_BUDGET_MB));
    expect(loadWorkerNodeFlags({ WORKER_MEMORY_BUDGET: '1024' })).toEqual(workerNodeFlagsFor(1024));
    expect(problemsOf(() => loadWorkerNodeFlags({ WORKER_MEMORY_BUDGET: String(MIN_MEMORY_BUDGET_MB - 1) })).join('\n')).toMatch(
      new RegExp(`WORKER_MEMORY_BUDGET: must be at least ${MIN_MEMORY_BUDGET_MB} \\(MB`),
    );
    expect(problemsOf(() => loadWorkerNodeFlags({ WORKER_MEMORY_BUDGET: '300MB' })).join('\n')).toMatch(/WORKER_MEMORY_BUDGET: must be a number/);
  });
});

describe('heap_limit: was the worker started with the heap limit its budget derives?', () => {
  const MB = 2 ** 20;

  it('warns on V8’s own limit, naming the flag to pass and how', () => {
    const outcome = heapLimitOutcome(300, 4_144 * MB);
    expect(outcome.status).toBe('warn');
    expect(outcome.detail).toContain(`V8 heap limit 4144 MB, far above the ${heapLimitMbFor(300)} MB WORKER_MEMORY_BUDGET=300 derives`);
    expect(outcome.fix).toContain(`--max-old-space-size=${heapLimitMbFor(300)}`);
    expect(outcome.fix).toContain('node dist/worker/node-flags.js');
  });

  it('is ok with the derived limit (V8 adds its young generation to what it reports), or a smaller one', () => {
    for (const budget of [MIN_MEMORY_BUDGET_MB, 300, 1024, 4096]) {
      const outcome = heapLimitOutcome(budget, (heapLimitMbFor(budget) + 48) * MB);
      expect(outcome).toEqual({ status: 'ok', detail: `V8 heap limit ${heapLimitMbFor(budget) + 48} MB (WORKER_MEMORY_BUDGET=${budget} derives ${workerNodeFlagsFor(budget).join(' ')})` });
    }
    expect(heapLimitOutcome(300, 100 * MB).status).toBe('ok');
  });

  it('reads the limit this process runs with', async () => {
    const outcome = await heapLimit(300).run({ signal: new AbortController().signal, deadline: Date.now() + 1_000 });
    expect(outcome.detail).toContain(`V8 heap limit ${Math.round(getHeapStatistics().heap_size_limit / MB)} MB`);
  });
});

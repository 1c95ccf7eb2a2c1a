import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../src/config/worker.js';
import { CACHED_CUSTOMER_MB, cachedWorkflowsFor, DEFAULT_MEMORY_BUDGET_MB, MIN_CACHED_WORKFLOWS, MIN_MEMORY_BUDGET_MB, WORKER_BASE_MB } from '../../src/config/worker-memory.js';
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

  it('docs/performance.md’s sizing table follows from the formula', () => {
    const doc = readFileSync(new URL('../../docs/performance.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^ *\| (\d+)(?: \(default\))? \| (\d+) \| (\d+) MB \|$/gm)].map((m) => m.slice(1).map(Number));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.map(([budget]) => budget)).toContain(DEFAULT_MEMORY_BUDGET_MB);
    for (const [budget, cache, rss] of rows) {
      expect(cache).toBe(cachedWorkflowsFor(budget!));
      expect(rss).toBe(Math.round(WORKER_BASE_MB + cache! * CACHED_CUSTOMER_MB));
    }
  });
});

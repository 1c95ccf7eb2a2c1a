// The partner's Vobiz rate budget shared by the worker processes (WORKER_REPLICAS): each paces its even share, so
// together they send no more than VOBIZ_MAX_REQUESTS_PER_SECOND (the fleet bench measures it at the sandbox).
import { describe, expect, it } from 'vitest';
import { withRequestShare } from '../../src/config/vobiz.js';
import { loadWorkerConfig } from '../../src/config/worker.js';
import { problemsOf } from '../support/config-problems.js';

describe('the rate budget across worker processes', () => {
  it('gives one worker the whole budget by default', () => {
    const config = loadWorkerConfig({ VOBIZ_MAX_REQUESTS_PER_SECOND: '10' });
    expect(config.worker.replicas).toBe(1);
    expect(withRequestShare(config.vobiz, config.worker.replicas).maxRequestsPerSecond).toBe(10);
  });

  it('gives each of N replicas 1/N of the budget, which adds up to the budget', () => {
    for (const replicas of [2, 3, 7]) {
      const config = loadWorkerConfig({ VOBIZ_MAX_REQUESTS_PER_SECOND: '10', WORKER_REPLICAS: String(replicas) });
      const share = withRequestShare(config.vobiz, config.worker.replicas).maxRequestsPerSecond!;
      expect(share * replicas).toBeCloseTo(10, 9);
      expect(config.vobiz.maxRequestsPerSecond).toBe(10); // the task queue's rate stays the partner's budget
    }
  });

  it('refuses a replica count that is not a whole number above 0, naming the setting', () => {
    expect(problemsOf(() => loadWorkerConfig({ WORKER_REPLICAS: '0' }))).toEqual([expect.stringMatching(/^WORKER_REPLICAS: must be > 0/)]);
    expect(problemsOf(() => loadWorkerConfig({ WORKER_REPLICAS: '1.5' }))).toEqual([expect.stringMatching(/^WORKER_REPLICAS: must be a whole number/)]);
  });
});

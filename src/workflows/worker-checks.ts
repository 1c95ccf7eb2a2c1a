/**
 * `workerChecks`: the doctor asks a worker to run its start-up checks now and report (`npm run cli -- doctor`).
 * One activity on the workflow's own task queue (it makes one Vobiz read: outside the Vobiz queue's rate budget,
 * so a throttled fleet still answers), tried once: a check's failure is its result, not an error. That a worker
 * ran it at all says it decodes what the doctor's codec keys encrypted.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { WorkerCheckActivities } from '../activities/types.js';
import type { WorkerCheckReport, WorkerCheckRequest } from '../checks/results.js';

const { runWorkerChecks } = proxyActivities<WorkerCheckActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
  summary: 'Run the start-up checks',
});

export async function workerChecks(request: WorkerCheckRequest = {}): Promise<WorkerCheckReport> {
  return runWorkerChecks(request);
}

/**
 * `runWorkerChecks`: the worker's start-up checks, run again when the doctor asks (its `workerChecks` workflow).
 * It opens the doctor's sealed probe only to say whether it opened: it returns no plaintext, and the probe's
 * purpose is bound into its seal, so a sealed password sent in its place does not open.
 */
import { workerCheckReport, type WorkerCheckDeps } from '../checks/worker.js';
import type { WorkerCheckActivities } from './types.js';

export function workerCheckActivities(deps: WorkerCheckDeps): WorkerCheckActivities {
  return {
    runWorkerChecks: (request) => workerCheckReport(deps, request),
  };
}

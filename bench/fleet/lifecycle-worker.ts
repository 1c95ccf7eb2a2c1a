/**
 * The lifecycle worker the fleet bench measures: `runWorker()` of src/worker.ts as it is (both task queues, the KYC
 * sweep's schedule and activities, settings from the environment), on the workflow bundle the bench built
 * (WORKER_WORKFLOW_BUNDLE). It is told it runs in production only so that it takes that prebuilt bundle, as a
 * production worker does: bundling from source would leave webpack's heap in the very process whose memory is
 * measured, and take a minute at every restart. Everything else (keys, credentials) stays the development setup.
 */
import { loadOrExit } from '../../src/config/problems.js';
import { loadWorkerConfig } from '../../src/config/worker.js';
import { runWorker } from '../../src/worker.js';

const config = loadOrExit(loadWorkerConfig);
runWorker({ ...config, env: 'production' }).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

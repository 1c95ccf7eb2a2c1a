/**
 * The worker as a child of `npm start` / `npm run demo`. It is `runWorker()` from src/worker.ts (settings from the
 * environment the orchestrator hands over), plus one rule: when the orchestrator goes away (the IPC channel
 * closes, even after a SIGKILL), the worker shuts itself down gracefully, so it never lingers as an orphan.
 *
 * A separate process because the worker installs Temporal's Runtime, which owns SIGINT/SIGTERM handling and
 * native threads for the life of the process; the orchestrator stops it with one SIGTERM, at the right moment.
 */
import { loadConfigOrExit } from '../config.js';
import { runWorker } from '../worker.js';

process.once('disconnect', () => {
  // The Runtime's signal handler turns this into a graceful worker shutdown.
  process.kill(process.pid, 'SIGTERM');
});

runWorker(loadConfigOrExit()).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`Worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

/**
 * The worker as a child of `npm start` / `npm run demo`. It is `runWorker()` from src/worker.ts (settings from the
 * environment the orchestrator hands over), plus one rule: when the orchestrator goes away (the IPC channel
 * closes, even after a SIGKILL), the worker shuts itself down gracefully, so it never lingers as an orphan.
 *
 * A separate process because the worker installs Temporal's Runtime, which owns SIGINT/SIGTERM handling and
 * native threads for the life of the process; the orchestrator stops it with one SIGTERM, at the right moment.
 */
import { closeSync, openSync } from 'node:fs';
import { loadSettingsOrExit } from '../src/config/dotenv.js';
import { loadWorkerConfig, WORKER_PROCESS } from '../src/config/worker.js';
import { runWorker } from '../src/worker.js';

const config = loadSettingsOrExit(WORKER_PROCESS, loadWorkerConfig);

process.once('disconnect', () => {
  // Our stdout/stderr were pipes to the orchestrator, which is gone: a log line written there fails with EPIPE,
  // and the logger's flush at exit would retry it forever. Point both at /dev/null first (the lowest free
  // descriptor is reused, so closing 1 then opening gives 1 again).
  for (const fd of [1, 2]) {
    try {
      closeSync(fd);
      openSync('/dev/null', 'w');
    } catch {
      // nothing better to do: the deadline below still ends the process
    }
  }
  // Graceful: the Runtime's signal handler stops polling and lets running activities finish.
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), config.worker.shutdownGraceTimeMs + 10_000).unref();
});

runWorker(config).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`Worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

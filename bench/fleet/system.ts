/**
 * The stack the fleet bench measures: the local stack (dev/stack.ts) with each piece its own process so that each
 * one's memory can be read — the Temporal dev server, the Vobiz sandbox and the bridge (their `npm run` entry
 * points), the production worker (src/worker.ts on a prebuilt bundle: bundling from source would leave webpack's
 * heap in the very process whose memory is measured) — and beside it the floor worker (bench/fleet/floor-worker.ts).
 * State and logs in one temporary folder; every piece is stopped on any exit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort, Piece, type StackPiece } from '../../dev/pieces.js';
import { developmentPieceEnv } from '../../dev/processes.js';
import { startStack } from '../../dev/stack.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { createLogger } from '../../src/logging.js';
import { durationMs } from '../../src/workflows/duration.js';
import { accountsNeeded, type FleetBenchOptions } from './options.js';

export const BENCH_API_TOKEN = 'bench-api-token';
export const BENCH_PARTNER = { authId: 'PA_BENCH01', authToken: 'bench-partner-token-not-a-secret' };
export const TASK_QUEUE = 'bench-fleet';
export const FLOOR_TASK_QUEUE = 'bench-fleet-floor';
/** Webhook attempts per event at the sandbox: few, so a delivery made while the bridge is down is lost in seconds. */
const SANDBOX_WEBHOOK_ATTEMPTS = 3;

export interface FleetSystem {
  temporalAddress: string;
  namespace: string;
  sandboxUrl: string;
  bridgeUrl: string;
  /** The lifecycle worker's Prometheus endpoint (WORKER_METRICS_ADDRESS): its workflow cache size is read there. */
  workerMetricsUrl: string;
  devServerPid: number | undefined;
  sandbox: StackPiece;
  bridge: StackPiece;
  worker: Piece;
  floorWorker: Piece;
  /** Stops the lifecycle worker and starts it again with this cache size (WORKER_MAX_CACHED_WORKFLOWS). */
  restartWorker(maxCachedWorkflows: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startFleetSystem(options: FleetBenchOptions, dataDir: string, log: (line: string) => void): Promise<FleetSystem> {
  // The pieces use the development codec and secrets keys (the bench seals passwords and decodes with them).
  const env = { ...developmentPieceEnv(options.logLevel), TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: TASK_QUEUE };
  const metricsPort = await freePort();
  const floorBundle = buildFloorBundle(dataDir);
  floorBundle.catch(() => undefined); // awaited below; a failure then is the stack's to report first
  const stack = await startStack({
    dataDir,
    env,
    temporal: { devServer: { port: await freePort(), uiPort: await freePort() } },
    sandbox: {
      placement: 'process',
      env: {
        SANDBOX_HOST: '127.0.0.1',
        SANDBOX_PORT: String(await freePort()),
        SANDBOX_PARTNER_AUTH_ID: BENCH_PARTNER.authId,
        SANDBOX_PARTNER_AUTH_TOKEN: BENCH_PARTNER.authToken,
        SANDBOX_PARTNER_BALANCE: String(1_000_000_000),
        SANDBOX_WEBHOOK_MAX_ATTEMPTS: String(SANDBOX_WEBHOOK_ATTEMPTS),
        // Vobiz's documented cap (1,000 accounts) would stop a larger fleet: raised to what the run creates.
        SANDBOX_MAX_ACCOUNTS: String(Math.max(1_000, accountsNeeded(options))),
      },
    },
    bridge: {
      placement: 'process',
      env: {
        BRIDGE_HOST: '127.0.0.1',
        BRIDGE_PORT: String(await freePort()),
        BRIDGE_METRICS: 'false', // its own listener on a fixed port otherwise; the bench reads the worker's
        BRIDGE_API_TOKENS: BENCH_API_TOKEN,
      },
    },
    workers: {
      count: 1,
      prebuiltBundle: true,
      env: {
        WORKER_MAX_CACHED_WORKFLOWS: process.env.WORKER_MAX_CACHED_WORKFLOWS ?? '500',
        WORKER_SHUTDOWN_GRACE_TIME: '5s',
        VOBIZ_MAX_REQUESTS_PER_SECOND: String(options.vobizRps),
        KYC_SWEEP_INTERVAL: `${Math.round(durationSeconds(options.sweepInterval))}s`,
        WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      },
    },
    output: 'files',
    progress: log,
    logger: createLogger({ level: 'warn', name: 'bench' }), // only what goes wrong while stopping
  });
  const worker = stack.workers[0]!;

  let floorWorker: Piece | undefined;
  try {
    const address = stack.temporal.address;
    floorWorker = new Piece({
      name: 'floor worker',
      entry: 'bench/fleet/floor-worker.ts',
      output: join(dataDir, 'floor-worker.log'),
      env: { ...env, TEMPORAL_ADDRESS: address, FLOOR_TASK_QUEUE, WORKER_WORKFLOW_BUNDLE: await floorBundle, WORKER_MAX_CACHED_WORKFLOWS: worker.spec.env.WORKER_MAX_CACHED_WORKFLOWS },
      ready: () => polls(address, floorWorker!.pid, FLOOR_TASK_QUEUE),
      readyTimeoutMs: 180_000,
    });
    await floorWorker.start();
    log(`floor worker (pid ${floorWorker.pid}) on ${FLOOR_TASK_QUEUE}`);
  } catch (err) {
    await floorWorker?.stop(10_000);
    await stack.stop();
    throw err;
  }

  return {
    temporalAddress: stack.temporal.address,
    namespace: stack.namespace,
    sandboxUrl: stack.vobizUrl,
    bridgeUrl: stack.bridge.url,
    workerMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    devServerPid: stack.temporal.pid,
    sandbox: stack.sandbox!.piece,
    bridge: stack.bridge.piece!,
    worker,
    floorWorker,
    async restartWorker(maxCachedWorkflows: number) {
      await worker.stop(15_000);
      worker.spec.env.WORKER_MAX_CACHED_WORKFLOWS = String(maxCachedWorkflows);
      await worker.start();
    },
    async stop() {
      await floorWorker.stop(10_000);
      floorWorker.close();
      await stack.stop();
    },
  };
}

/** The floor workflow's bundle, built once by the bench (the floor worker starts in seconds and holds no webpack heap). */
async function buildFloorBundle(dataDir: string): Promise<string> {
  const path = join(dataDir, 'floor-bundle.js');
  const quiet = () => undefined;
  const floor = await bundleWorkflowCode({ workflowsPath: join(PROJECT_ROOT, 'bench', 'fleet', 'floor-workflow.ts'), logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet } });
  writeFileSync(path, floor.code);
  return path;
}

async function polls(address: string, pid: number | undefined, taskQueue: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue } });
    return pollers.some((p) => p.identity?.startsWith(`${pid}@`));
  } finally {
    await connection.close();
  }
}

export function durationSeconds(text: string): number {
  return durationMs(text) / 1000;
}

/**
 * The stack the fleet bench measures, each piece its own process so that each one's memory can be read: the
 * Temporal dev server (dev/dev-server.ts, from .tools), the Vobiz sandbox and the bridge (their `npm run`
 * entry points), the production worker (src/worker.ts, on the prebuilt bundle WORKER_WORKFLOW_BUNDLE names) and the
 * floor worker (bench/fleet/floor-worker.ts), as `npm start` and the chaos runner start them. State in one
 * temporary folder; every piece is stopped on any exit.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter.js';
import { freePort, httpOk, Piece, trackChild } from '../../dev/chaos/pieces.js';
import { developmentPieceEnv } from '../../dev/processes.js';
import { startDevServer, type RunningDevServer } from '../../dev/dev-server.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { durationMs } from '../../src/workflows/duration.js';
import { accountsNeeded, type FleetBenchOptions } from './options.js';

export const BENCH_API_TOKEN = 'bench-api-token';
export const BENCH_PARTNER = { authId: 'PA_BENCH01', authToken: 'bench-partner-token-not-a-secret' };
export const TASK_QUEUE = 'bench-fleet';
export const FLOOR_TASK_QUEUE = 'bench-fleet-floor';
const NAMESPACE = 'default';
/** Webhook attempts per event at the sandbox: few, so a delivery made while the bridge is down is lost in seconds. */
const SANDBOX_WEBHOOK_ATTEMPTS = 3;

export interface FleetSystem {
  temporalAddress: string;
  namespace: string;
  sandboxUrl: string;
  bridgeUrl: string;
  /** The lifecycle worker's Prometheus endpoint (WORKER_METRICS_ADDRESS): its workflow cache size is read there. */
  workerMetricsUrl: string;
  devServerPid: number;
  sandbox: Piece;
  bridge: Piece;
  worker: Piece;
  floorWorker: Piece;
  /** Stops the lifecycle worker and starts it again with this cache size (WORKER_MAX_CACHED_WORKFLOWS). */
  restartWorker(maxCachedWorkflows: number): Promise<void>;
  stop(): Promise<void>;
}

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined };

export async function startFleetSystem(options: FleetBenchOptions, dataDir: string, log: (line: string) => void): Promise<FleetSystem> {
  // The pieces use the development codec and secrets keys (the bench seals passwords and decodes with them).
  const baseEnv = developmentPieceEnv(options.logLevel);
  const pieces: Piece[] = [];
  let devServer: RunningDevServer | undefined;
  const stop = async () => {
    for (const piece of [...pieces].reverse()) {
      await piece.stop(10_000).catch(() => undefined);
      piece.close();
    }
    await devServer?.stop().catch(() => undefined);
  };

  try {
    const [port, uiPort, sandboxPort, bridgePort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    devServer = await startDevServer({
      dataDir,
      port,
      uiPort,
      namespace: NAMESPACE,
      logLevel: 'error',
      output: createWriteStream(join(dataDir, 'temporal.log'), { flags: 'a' }),
      env: baseEnv,
      startTimeoutMs: 60_000,
    });
    trackChild(devServer.child);
    const temporalAddress = devServer.address;
    log(`temporal dev server ${temporalAddress} (pid ${devServer.pid}), web UI http://localhost:${uiPort}`);

    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const bridgeUrl = `http://127.0.0.1:${bridgePort}`;
    const temporalEnv = { TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: NAMESPACE, TEMPORAL_TASK_QUEUE: TASK_QUEUE };
    const sandbox = new Piece({
      name: 'sandbox',
      entry: 'sandbox/main.ts',
      logFile: join(dataDir, 'sandbox.log'),
      env: {
        ...baseEnv,
        SANDBOX_HOST: '127.0.0.1',
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_DB_PATH: join(dataDir, 'sandbox.sqlite'),
        SANDBOX_PARTNER_AUTH_ID: BENCH_PARTNER.authId,
        SANDBOX_PARTNER_AUTH_TOKEN: BENCH_PARTNER.authToken,
        SANDBOX_PARTNER_BALANCE: String(1_000_000_000),
        SANDBOX_WEBHOOK_MAX_ATTEMPTS: String(SANDBOX_WEBHOOK_ATTEMPTS),
        // Vobiz's documented cap (1,000 accounts) would stop a larger fleet: raised to what the run creates.
        SANDBOX_MAX_ACCOUNTS: String(Math.max(1_000, accountsNeeded(options))),
      },
      ready: () => httpOk(`${sandboxUrl}/_sandbox/health`),
    });
    const bridge = new Piece({
      name: 'bridge',
      entry: 'src/bridge/main.ts',
      logFile: join(dataDir, 'bridge.log'),
      env: {
        ...baseEnv,
        ...temporalEnv,
        BRIDGE_HOST: '127.0.0.1',
        BRIDGE_PORT: String(bridgePort),
        BRIDGE_METRICS: 'false', // its own listener on a fixed port otherwise; the bench reads the worker's
        BRIDGE_API_TOKENS: BENCH_API_TOKEN,
        BRIDGE_WEBHOOK_SECRETS: BENCH_PARTNER.authToken,
        VOBIZ_PARTNER_AUTH_TOKEN: BENCH_PARTNER.authToken,
      },
      ready: () => httpOk(`${bridgeUrl}/healthz`),
    });
    pieces.push(sandbox, bridge);
    const bundles = buildBundles(dataDir);
    await Promise.all([sandbox.start(), bridge.start()]);
    log(`sandbox ${sandboxUrl}, bridge ${bridgeUrl}`);
    const { lifecycleBundle, floorBundle } = await bundles;

    const polls = async (piece: Piece, taskQueue: string) => {
      const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 2_000 });
      try {
        const { pollers } = await connection.workflowService.describeTaskQueue({ namespace: NAMESPACE, taskQueue: { name: taskQueue } });
        return pollers.some((p) => p.identity?.startsWith(`${piece.pid}@`));
      } finally {
        await connection.close();
      }
    };
    const workerEnv = {
      ...baseEnv,
      ...temporalEnv,
      WORKER_WORKFLOW_BUNDLE: lifecycleBundle,
      WORKER_MAX_CACHED_WORKFLOWS: process.env.WORKER_MAX_CACHED_WORKFLOWS ?? '500',
      WORKER_SHUTDOWN_GRACE_TIME: '5s',
      VOBIZ_BASE_URL: sandboxUrl,
      VOBIZ_PARTNER_AUTH_ID: BENCH_PARTNER.authId,
      VOBIZ_PARTNER_AUTH_TOKEN: BENCH_PARTNER.authToken,
      VOBIZ_MAX_REQUESTS_PER_SECOND: String(options.vobizRps),
      KYC_SWEEP_INTERVAL: `${Math.round(durationSeconds(options.sweepInterval))}s`,
      BRIDGE_PUBLIC_URL: bridgeUrl,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    };
    const worker: Piece = new Piece({
      name: 'worker',
      entry: 'src/worker.ts',
      logFile: join(dataDir, 'worker.log'),
      env: workerEnv,
      ready: () => polls(worker, TASK_QUEUE),
      readyTimeoutMs: 180_000,
    });
    const floorWorker: Piece = new Piece({
      name: 'floor worker',
      entry: 'bench/fleet/floor-worker.ts',
      logFile: join(dataDir, 'floor-worker.log'),
      env: { ...baseEnv, ...temporalEnv, FLOOR_TASK_QUEUE, WORKER_WORKFLOW_BUNDLE: floorBundle, WORKER_MAX_CACHED_WORKFLOWS: workerEnv.WORKER_MAX_CACHED_WORKFLOWS },
      ready: () => polls(floorWorker, FLOOR_TASK_QUEUE),
      readyTimeoutMs: 180_000,
    });
    pieces.push(worker, floorWorker);
    await Promise.all([worker.start(), floorWorker.start()]);
    log(`worker (pid ${worker.pid}) on ${TASK_QUEUE} and ${TASK_QUEUE}-vobiz, floor worker (pid ${floorWorker.pid}) on ${FLOOR_TASK_QUEUE}`);

    return {
      temporalAddress,
      namespace: NAMESPACE,
      sandboxUrl,
      bridgeUrl,
      workerMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      devServerPid: devServer.pid,
      sandbox,
      bridge,
      worker,
      floorWorker,
      async restartWorker(maxCachedWorkflows: number) {
        await worker.stop(15_000);
        worker.spec.env.WORKER_MAX_CACHED_WORKFLOWS = String(maxCachedWorkflows);
        await worker.start();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Both workflow bundles, built once by the bench (the workers start in seconds and hold no webpack heap). */
async function buildBundles(dataDir: string): Promise<{ lifecycleBundle: string; floorBundle: string }> {
  const lifecycleBundle = join(dataDir, 'workflow-bundle.js');
  const floorBundle = join(dataDir, 'floor-bundle.js');
  const lifecycle = await bundleWorkflowCode({ workflowsPath: join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'), failureConverterPath: FAILURE_CONVERTER_PATH, logger: { ...quiet, error: () => undefined } });
  writeFileSync(lifecycleBundle, lifecycle.code);
  const floor = await bundleWorkflowCode({ workflowsPath: join(PROJECT_ROOT, 'bench', 'fleet', 'floor-workflow.ts'), logger: { ...quiet, error: () => undefined } });
  writeFileSync(floorBundle, floor.code);
  return { lifecycleBundle, floorBundle };
}

export function durationSeconds(text: string): number {
  return durationMs(text) / 1000;
}

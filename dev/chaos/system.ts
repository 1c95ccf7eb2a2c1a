/**
 * The system under test for `npm run chaos`: every piece as its own process on free ports, state in one temporary
 * folder — the Temporal dev server on a SQLite file (dev/dev-server.ts), the Vobiz sandbox, the codec server,
 * the bridge (src/*\/main.ts, as `npm run sandbox|codec-server|bridge` run them) and N production workers
 * (src/worker.ts, on a workflow bundle built once: WORKER_WORKFLOW_BUNDLE). Pieces given as URLs/addresses (an existing
 * deployment) are used as they are and never killed.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter.js';
import { startDevServer, type RunningDevServer } from '../dev-server.js';
import { developmentPieceEnv } from '../processes.js';
import { PROJECT_ROOT } from '../temporal-binaries.js';
import type { ChaosOptions } from './options.js';
import { freePort, httpOk, Piece, trackChild } from './pieces.js';

export const CHAOS_API_TOKEN = 'chaos-api-token';
export const CHAOS_PARTNER = { authId: 'PA_CHAOS01', authToken: 'chaos-partner-token-not-a-secret' };

export interface ChaosSystem {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  sandboxUrl: string;
  bridgeUrl: string;
  apiToken: string;
  dataDir: string;
  /** Owned pieces (undefined when the deployment provides it). */
  devServer?: { restart(downMs: number): Promise<void> };
  bridge?: Piece;
  workers: Piece[];
  /** Kills one worker (round robin) and starts its replacement. */
  killWorker?: () => Promise<void>;
  /** Resolves once every worker replacement has started (or failed to). */
  waitForWorkers: () => Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosSystem(options: ChaosOptions, dataDir: string, log: (line: string) => void): Promise<ChaosSystem> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const namespace = 'default';
  const taskQueue = options.taskQueue;
  // The pieces it starts use the development codec and secrets keys (the runner seals and decodes with them).
  const baseEnv = developmentPieceEnv(options.logLevel);
  const pieces: Piece[] = [];
  let devServer: RunningDevServer | undefined;
  const stopAll = async () => {
    for (const piece of [...pieces].reverse()) {
      await piece.stop(5_000).catch(() => undefined);
      piece.close();
    }
    await devServer?.stop().catch(() => undefined);
  };

  try {
    // Temporal.
    let temporalAddress = options.temporalAddress;
    let restartDevServer: ChaosSystem['devServer'];
    if (!temporalAddress) {
      const [port, uiPort] = [await freePort(), await freePort()];
      const output = createWriteStream(join(dataDir, 'temporal.log'), { flags: 'a' });
      const start = async () => {
        const server = await startDevServer({ dataDir, port, uiPort, namespace, logLevel: 'error', output, env: baseEnv, startTimeoutMs: 60_000 });
        trackChild(server.child);
        return server;
      };
      devServer = await start();
      temporalAddress = devServer.address;
      restartDevServer = {
        async restart(downMs: number) {
          // SIGKILL: no shutdown, whatever was in flight is cut; then the same file and port again.
          devServer!.child.kill('SIGKILL');
          await new Promise((resolve) => devServer!.child.once('exit', resolve));
          await new Promise((resolve) => setTimeout(resolve, downMs));
          devServer = await start();
        },
      };
      log(`temporal dev server ${temporalAddress} (state ${join(dataDir, 'temporal.sqlite')}), web UI http://localhost:${uiPort}`);
    }

    // Sandbox, codec server and bridge start side by side (each takes seconds to load), as does the bundling.
    const starting: Promise<unknown>[] = [];
    let sandboxUrl = options.sandboxUrl;
    if (!sandboxUrl) {
      const port = await freePort();
      sandboxUrl = `http://127.0.0.1:${port}`;
      const sandbox = new Piece({
        name: 'sandbox',
        entry: 'sandbox/main.ts',
        logFile: join(dataDir, 'sandbox.log'),
        env: {
          ...baseEnv,
          SANDBOX_HOST: '127.0.0.1',
          SANDBOX_PORT: String(port),
          SANDBOX_DB_PATH: join(dataDir, 'sandbox.sqlite'),
          SANDBOX_PARTNER_AUTH_ID: CHAOS_PARTNER.authId,
          SANDBOX_PARTNER_AUTH_TOKEN: CHAOS_PARTNER.authToken,
          // Enough for every opening transfer of the run, so the partner wallet never stalls a customer.
          SANDBOX_PARTNER_BALANCE: String(10_000_000),
          SANDBOX_WEBHOOK_MAX_ATTEMPTS: '12',
        },
        ready: () => httpOk(`${sandboxUrl}/_sandbox/health`),
      });
      pieces.push(sandbox);
      const url = sandboxUrl;
      starting.push(sandbox.start().then(() => log(`sandbox ${url} (state ${join(dataDir, 'sandbox.sqlite')})`)));
    }

    // Codec server (the Web UI decodes payloads through it).
    let codecUrl: string | undefined;
    if (!options.temporalAddress) {
      const port = await freePort();
      codecUrl = `http://127.0.0.1:${port}`;
      const codec = new Piece({
        name: 'codec server',
        entry: 'src/codec/main.ts',
        logFile: join(dataDir, 'codec.log'),
        env: { ...baseEnv, CODEC_SERVER_HOST: '127.0.0.1', CODEC_SERVER_PORT: String(port) },
        ready: async () => {
          try {
            await fetch(codecUrl!, { signal: AbortSignal.timeout(2_000) });
            return true; // any answer: it listens
          } catch {
            return false;
          }
        },
      });
      pieces.push(codec);
      starting.push(codec.start().then(() => log(`codec server ${codecUrl}`)));
    }

    // Bridge.
    let bridgeUrl = options.bridgeUrl;
    let bridge: Piece | undefined;
    const temporalEnv = { TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: namespace, TEMPORAL_TASK_QUEUE: taskQueue };
    let publicBridgeUrl = bridgeUrl;
    if (!bridgeUrl) {
      const port = await freePort();
      bridgeUrl = publicBridgeUrl = `http://127.0.0.1:${port}`;
      bridge = new Piece({
        name: 'bridge',
        entry: 'src/bridge/main.ts',
        logFile: join(dataDir, 'bridge.log'),
        env: {
          ...baseEnv,
          ...temporalEnv,
          BRIDGE_HOST: '127.0.0.1',
          BRIDGE_PORT: String(port),
          BRIDGE_METRICS: 'false', // its own listener on a fixed port otherwise; the runner reads the sandbox's ledger
          BRIDGE_API_TOKENS: CHAOS_API_TOKEN,
          BRIDGE_WEBHOOK_SECRETS: options.sandboxUrl ? (process.env.BRIDGE_WEBHOOK_SECRETS ?? '') : CHAOS_PARTNER.authToken,
          VOBIZ_PARTNER_AUTH_TOKEN: CHAOS_PARTNER.authToken,
        },
        ready: () => httpOk(`${bridgeUrl}/healthz`),
      });
      pieces.push(bridge);
      const url = bridgeUrl;
      starting.push(bridge.start().then(() => log(`bridge ${url}`)));
    }

    // Workers, on one bundle built here.
    const workers: Piece[] = [];
    let killWorker: ChaosSystem['killWorker'];
    let waitForWorkers: ChaosSystem['waitForWorkers'] = async () => undefined;
    if (options.workers > 0) {
      await Promise.all(starting);
      const bundlePath = join(dataDir, 'workflow-bundle.js');
      const { code } = await bundleWorkflowCode({
        workflowsPath: join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'),
        failureConverterPath: FAILURE_CONVERTER_PATH,
        logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => log(m) },
      });
      writeFileSync(bundlePath, code);
      const workerEnv = {
        ...baseEnv,
        ...temporalEnv,
        WORKER_WORKFLOW_BUNDLE: bundlePath,
        VOBIZ_BASE_URL: sandboxUrl,
        VOBIZ_PARTNER_AUTH_ID: options.sandboxUrl ? (process.env.VOBIZ_PARTNER_AUTH_ID ?? '') : CHAOS_PARTNER.authId,
        VOBIZ_PARTNER_AUTH_TOKEN: options.sandboxUrl ? (process.env.VOBIZ_PARTNER_AUTH_TOKEN ?? '') : CHAOS_PARTNER.authToken,
        BRIDGE_PUBLIC_URL: publicBridgeUrl,
        WORKER_SHUTDOWN_GRACE_TIME: '5s',
      };
      const { Connection } = await import('@temporalio/client');
      const polls = async (piece: Piece) => {
        const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 2_000 });
        try {
          const { pollers } = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue } });
          return pollers.some((p) => p.identity?.startsWith(`${piece.pid}@`));
        } finally {
          await connection.close();
        }
      };
      for (let i = 0; i < options.workers; i++) {
        const worker: Piece = new Piece({
          name: `worker ${i + 1}`,
          entry: 'src/worker.ts',
          logFile: join(dataDir, `worker-${i + 1}.log`),
          env: workerEnv,
          ready: () => polls(worker),
          readyTimeoutMs: 180_000,
        });
        workers.push(worker);
        pieces.push(worker);
      }
      await Promise.all(workers.map((w) => w.start()));
      log(`${workers.length} worker(s), task queue ${taskQueue}`);
      // The replacement starts in the background (it takes seconds to poll), so the schedule keeps its pace; a
      // worker is killed again only once its previous replacement is up.
      let next = 0;
      const replacing = new Map<Piece, Promise<void>>();
      killWorker = async () => {
        const victim = workers[next++ % workers.length]!;
        await replacing.get(victim);
        await victim.kill();
        replacing.set(victim, startWithRetries(victim, log));
      };
      waitForWorkers = async () => {
        await Promise.all(replacing.values());
      };
    }

    await Promise.all(starting);
    return {
      temporalAddress,
      namespace,
      taskQueue,
      sandboxUrl,
      bridgeUrl,
      apiToken: options.bridgeUrl ? (options.apiToken ?? '') : CHAOS_API_TOKEN,
      dataDir,
      ...(restartDevServer ? { devServer: restartDevServer } : {}),
      ...(bridge ? { bridge } : {}),
      workers,
      ...(killWorker ? { killWorker } : {}),
      waitForWorkers,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** A replacement worker can die on start-up while the dev server is down: try again, a few times. */
async function startWithRetries(piece: Piece, log: (line: string) => void, tries = 10): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await piece.start();
      return;
    } catch (err) {
      if (i >= tries) {
        log(`${piece.spec.name} did not come back after ${tries} tries: ${(err as Error).message.split('\n')[0]}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

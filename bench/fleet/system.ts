/**
 * The fleet bench's system, started as `npm start` starts its own (dev/stack.ts): Temporal (the dev server on
 * SQLite, or with --cluster the self-hosted server on PostgreSQL), the Vobiz sandbox, B bridges and W production
 * workers (src/worker.ts) as processes of their own on free ports, state and logs in the bench's data folder; and
 * beside them the floor workflow's worker (bench/fleet/floor-worker.ts) on its own task queue. Every process can be
 * measured (/proc), and the workers restarted with other settings.
 *
 * Several bridges share the webhooks as a load balancer would: worker i gives Vobiz bridge i mod B as its KYC
 * webhook URL (BRIDGE_PUBLIC_URL), so each bridge receives the webhooks of the sessions its workers opened, and the
 * bench sends its start-API requests and webhooks to the bridges in turn. With --deploy the workers run as build v1
 * of a Worker Deployment made current at start, so a rolling deploy can promote a new build (bench/fleet/deploy.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort, Piece, type StackPiece } from '../../dev/pieces.js';
import { developmentPieceEnv } from '../../dev/processes.js';
import { freeClusterBase } from '../../dev/cluster/temporal-server.js';
import { startStack, type TemporalChoice } from '../../dev/stack.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { createLogger } from '../../src/logging.js';
import { durationMs } from '../../src/workflows/duration.js';
import { accountsNeeded, type FleetBenchOptions } from './options.js';
import type { Meters } from './process-usage.js';

export const BENCH_API_TOKEN = 'bench-api-token';
export const BENCH_PARTNER = { authId: 'PA_BENCH01', authToken: 'bench-partner-token-not-a-secret' };
export const TASK_QUEUE = 'bench-fleet';
export const FLOOR_TASK_QUEUE = 'bench-fleet-floor';
/** Webhook attempts per event at the sandbox: few, so a delivery made while the bridge is down is lost in seconds. */
const SANDBOX_WEBHOOK_ATTEMPTS = 3;
/** The server's dynamic config as compose runs it: without the development-only forced search-attribute refresh. */
const PRODUCTION_DYNAMIC_CONFIG = join(PROJECT_ROOT, 'deploy', 'dynamicconfig', 'production.yaml');

/** How the workers are (re)started: settings over the run's, and Node's own options (a heap limit, a CPU profile). */
export interface WorkerChange {
  env?: NodeJS.ProcessEnv;
  nodeArgs?: readonly string[];
  /** These workers only (default: all). */
  only?: readonly Piece[];
}

export interface FleetSystem {
  kind: 'dev server' | 'cluster';
  temporalAddress: string;
  namespace: string;
  sandboxUrl: string;
  bridgeUrls: string[];
  /** The bridges in turn: the n-th request goes to bridge n mod B. */
  bridgeUrl: (n: number) => string;
  /** Each bridge's own Prometheus endpoint (BRIDGE_METRICS_ADDRESS): its KYC webhooks are counted there. */
  bridgeMetricsUrls: string[];
  /** Each lifecycle worker's Prometheus endpoint (WORKER_METRICS_ADDRESS): cache size and task slots are read there. */
  workerMetricsUrls: string[];
  /** The Temporal server's process (the dev server, or the cluster's server). */
  temporalPid(): number | undefined;
  /** The cluster's PostgreSQL: its postmaster, its data folder and the two databases' sizes. */
  postgres?: { pid(): number | undefined; dataDir: string; port: number };
  sandbox: StackPiece;
  bridges: Piece[];
  workers: Piece[];
  floorWorker: Piece;
  /** The processes whose CPU and memory the phases read, by name. */
  meters: Meters;
  /** The Worker Deployment the workers run as (with --deploy), and the build they are. */
  deployment?: { deploymentName: string; buildId: string };
  /** The workers' environment as started (their own settings included). */
  workerEnv(index: number): NodeJS.ProcessEnv;
  /** Stops the lifecycle workers and starts them again with `change` over their settings (an empty value unsets one). */
  restartWorkers(change?: WorkerChange): Promise<void>;
  /** Starts `count` more lifecycle workers with `env` over the run's settings (a new build, in a deploy). */
  addWorkers(count: number, env: NodeJS.ProcessEnv): Promise<Piece[]>;
  /** Stops these workers for good (the old build, once a deploy has promoted the new one). */
  retireWorkers(pieces: readonly Piece[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startFleetSystem(options: FleetBenchOptions, runId: string, dataDir: string, log: (line: string) => void): Promise<FleetSystem> {
  // The pieces use the development codec and secrets keys (the bench seals passwords and decodes with them).
  const env = { ...developmentPieceEnv(options.logLevel), TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: TASK_QUEUE };
  const bridgePorts = await distinctFreePorts(options.bridges);
  const bridgeUrls = bridgePorts.map((p) => `http://127.0.0.1:${p}`);
  const metricsPorts = await distinctFreePorts(options.workers);
  const bridgeMetricsPorts = await distinctFreePorts(options.bridges, [...bridgePorts, ...metricsPorts]);
  const deployment = options.deploy ? { deploymentName: `bench-fleet-${runId}`, buildId: 'v1' } : undefined;
  const temporal: TemporalChoice = options.cluster
    ? { cluster: { port: await freeClusterBase(), uiPort: await freePort(), postgresPort: await freePort(), dynamicConfigPath: PRODUCTION_DYNAMIC_CONFIG } }
    : { devServer: { port: await freePort(), uiPort: await freePort() } };
  const floorBundle = buildFloorBundle(dataDir);
  floorBundle.catch(() => undefined); // awaited below; a failure then is the stack's to report first
  const workerSettings: NodeJS.ProcessEnv = {
    WORKER_SHUTDOWN_GRACE_TIME: '5s',
    VOBIZ_MAX_REQUESTS_PER_SECOND: String(options.vobizRps),
    WORKER_REPLICAS: String(options.workers), // the workers share the budget, as a partner's replicas are told to
    KYC_SWEEP_INTERVAL: `${Math.round(durationMs(options.sweepInterval) / 1000)}s`,
    ...(deployment ? { WORKER_DEPLOYMENT_NAME: deployment.deploymentName, WORKER_BUILD_ID: deployment.buildId } : {}),
  };
  // Worker i: its own metrics port, and the bridge its customers' webhooks go to.
  const ownSettings = (i: number, metricsPort: number): NodeJS.ProcessEnv => ({
    WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    BRIDGE_PUBLIC_URL: bridgeUrls[i % bridgeUrls.length],
  });
  const stack = await startStack({
    dataDir,
    env,
    temporal,
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
        BRIDGE_PORT: String(bridgePorts[0]),
        // Each bridge's own listener: the webhooks each one took are read there (spread over the bridges or not).
        BRIDGE_METRICS_ADDRESS: `127.0.0.1:${bridgeMetricsPorts[0]}`,
        BRIDGE_API_TOKENS: BENCH_API_TOKEN,
      },
    },
    workers: {
      count: options.workers,
      prebuiltBundle: true,
      env: workerSettings,
      envFor: (i) => ownSettings(i, metricsPorts[i]!),
      nodeArgs: options.workerNodeOptions,
    },
    output: 'files',
    progress: log,
    logger: createLogger({ level: 'warn', name: 'bench' }), // only what goes wrong while stopping
  });

  const firstBridge = stack.bridge.piece as Piece;
  const bridges: Piece[] = [firstBridge];
  const workers: Piece[] = [...stack.workers];
  const retired: Piece[] = [];
  let floorWorker: Piece | undefined;
  // What the stack did not start: it stops its own pieces (the first bridge, the first workers) itself.
  const stopOwn = async () => {
    for (const w of [...workers, ...retired].filter((p) => !stack.workers.includes(p))) await w.stop(15_000).finally(() => w.close());
    await floorWorker?.stop(10_000).finally(() => floorWorker?.close());
    for (const b of bridges.slice(1)) await b.stop(10_000).finally(() => b.close());
  };
  const address = stack.temporal.address;
  // Each worker's own Node options as first started (the stack's heap limit): a restart adds to them, never drops them.
  const startedWith = new WeakMap<Piece, readonly string[]>();
  const addWorkers = async (count: number, extra: NodeJS.ProcessEnv) => {
    const template = stack.workers[0]!.spec;
    const added: Piece[] = [];
    for (let k = 0; k < count; k++) {
      const i = workers.length;
      const [metricsPort] = await distinctFreePorts(1, [...metricsPorts]);
      metricsPorts.push(metricsPort!);
      const name = `worker ${i + 1}`;
      const piece: Piece = new Piece({
        ...template,
        name,
        env: { ...template.env, ...extra, ...ownSettings(i, metricsPort!) },
        output: join(dataDir, `${name.replace(/\s+/g, '-')}.log`),
        ready: () => polls(address, piece.pid, TASK_QUEUE),
      });
      added.push(piece);
      workers.push(piece);
    }
    await Promise.all(added.map((w) => w.start()));
    log(`${added.length === 1 ? 'worker' : `${added.length} workers`} (pid ${added.map((w) => w.pid).join(', ')}) on ${TASK_QUEUE}${extra.WORKER_BUILD_ID ? `, build ${extra.WORKER_BUILD_ID}` : ''}`);
    return added;
  };

  try {
    for (let i = 1; i < bridgePorts.length; i++) {
      const bridge = new Piece({ ...firstBridge.spec, name: `bridge ${i + 1}`, env: { ...firstBridge.spec.env, BRIDGE_PORT: String(bridgePorts[i]), BRIDGE_METRICS_ADDRESS: `127.0.0.1:${bridgeMetricsPorts[i]}` }, output: join(dataDir, `bridge-${i + 1}.log`) });
      const url = bridgeUrls[i]!;
      bridge.spec.ready = () => fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      await bridge.start();
      bridges.push(bridge);
      log(`bridge ${url}`);
    }
    if (deployment) await setCurrentVersion(address, deployment.deploymentName, deployment.buildId);
    floorWorker = new Piece({
      name: 'floor worker',
      entry: 'bench/fleet/floor-worker.ts',
      output: join(dataDir, 'floor-worker.log'),
      env: { ...env, TEMPORAL_ADDRESS: address, FLOOR_TASK_QUEUE, WORKER_WORKFLOW_BUNDLE: await floorBundle },
      ready: () => polls(address, floorWorker!.pid, FLOOR_TASK_QUEUE),
      readyTimeoutMs: 180_000,
    });
    await floorWorker.start();
    log(`floor worker (pid ${floorWorker.pid}) on ${FLOOR_TASK_QUEUE}`);
    if ('cluster' in temporal) {
      // production.yaml keeps the server's search-attribute cache (refreshed every minute), so a start naming
      // VobizStage is refused until the cache has read what the namespace job added: wait that minute out.
      log('waiting 61 s for the server to pick up the search attributes (production dynamic config)');
      await sleep(61_000);
    }
  } catch (err) {
    await stopOwn();
    await stack.stop();
    throw err;
  }

  const postgresDir = join(dataDir, 'cluster', 'postgres');
  const postgres =
    'cluster' in temporal
      ? {
          dataDir: postgresDir,
          port: temporal.cluster.postgresPort,
          pid: () => {
            try {
              return Number(readFileSync(join(postgresDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
            } catch {
              return undefined;
            }
          },
        }
      : undefined;
  const meters: Meters = {
    worker: { pids: () => workers.map((w) => w.pid) },
    bridge: { pids: () => bridges.map((b) => b.pid) },
    temporal: { pids: () => [stack.temporal.pid] },
    ...(postgres ? { postgres: { pids: () => [postgres.pid()], tree: true } } : {}),
    sandbox: { pids: () => [stack.sandbox!.piece.pid] },
    floorWorker: { pids: () => [floorWorker.pid] },
  };

  return {
    kind: options.cluster ? 'cluster' : 'dev server',
    temporalAddress: address,
    namespace: stack.namespace,
    sandboxUrl: stack.vobizUrl,
    bridgeUrls,
    bridgeUrl: (n) => bridgeUrls[n % bridgeUrls.length]!,
    bridgeMetricsUrls: bridgeMetricsPorts.map((p) => `http://127.0.0.1:${p}/metrics`),
    get workerMetricsUrls() {
      return workers.map((w) => `http://${w.spec.env.WORKER_METRICS_ADDRESS}/metrics`);
    },
    temporalPid: () => stack.temporal.pid,
    ...(postgres ? { postgres } : {}),
    sandbox: stack.sandbox!.piece,
    bridges,
    workers,
    floorWorker,
    meters,
    ...(deployment ? { deployment } : {}),
    workerEnv: (i) => workers[i]!.spec.env,
    async restartWorkers(change: WorkerChange = {}) {
      const chosen = change.only ?? workers;
      await Promise.all(chosen.map((w) => w.stop(15_000)));
      for (const w of chosen) {
        if (!startedWith.has(w)) startedWith.set(w, w.spec.nodeArgs ?? []);
        w.spec.env = Object.fromEntries(Object.entries({ ...w.spec.env, ...change.env }).filter(([, v]) => v !== ''));
        w.spec.nodeArgs = [...startedWith.get(w)!, ...(change.nodeArgs ?? [])];
      }
      await Promise.all(chosen.map((w) => w.start()));
    },
    addWorkers,
    async retireWorkers(pieces) {
      for (const piece of pieces) {
        await piece.stop(15_000);
        workers.splice(workers.indexOf(piece), 1);
        retired.push(piece);
      }
    },
    async stop() {
      await stopOwn();
      await stack.stop();
    },
  };
}

/** `count` free ports, none of them among `taken` or each other. */
async function distinctFreePorts(count: number, taken: readonly number[] = []): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (!taken.includes(port)) ports.add(port);
  }
  return [...ports];
}

/** Makes `buildId` the deployment's current version (`temporal worker deployment set-current-version`), once it polls. */
export async function setCurrentVersion(address: string, deploymentName: string, buildId: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await connection.workflowService.setWorkerDeploymentCurrentVersion({ namespace: 'default', deploymentName, buildId, identity: 'bench-fleet' });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await connection.close();
  }
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

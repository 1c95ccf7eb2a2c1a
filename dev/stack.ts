/**
 * The whole local system, started in dependency order and stopped in reverse: Temporal dev server → codec server →
 * Vobiz sandbox → bridge → worker. Used by `npm start` (dev/start.ts) and `npm run demo` (dev/demo.ts).
 *
 * What runs where:
 *  - the Temporal dev server and the worker are child processes, each in its own process group (a terminal's Ctrl-C
 *    reaches only the orchestrator, which stops them in order); the worker is a separate process because it
 *    installs Temporal's Runtime (signal handling, native threads) for the life of its process;
 *  - the codec server, the sandbox and the bridge run inside the orchestrator's process.
 *
 * Parts are skipped by configuration: TEMPORAL_ADDRESS set in the environment → no dev server (that address is
 * used as is); VOBIZ_BASE_URL set → no sandbox (real Vobiz, or a sandbox running elsewhere).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { startBridge } from '../src/bridge/server.js';
import { startCodecServer } from '../src/codec/server.js';
import type { LocalConfig } from './config.js';
import { ensurePrivateDir } from '../src/config/private-files.js';
import type { Logger } from '../src/logging.js';
import { sandboxOptionsFromConfig, startSandbox } from '../sandbox/server.js';
import { connectClient } from '../src/temporal/connection.js';
import { startCluster } from './cluster/cluster.js';
import { startDevServer } from './dev-server.js';
import { assertPortFree, hasExited, killNow, pipeLines, sleep, stopChild, waitForExit } from './processes.js';
import { PROJECT_ROOT } from './temporal-binaries.js';

export interface StackOptions {
  /** Folder for temporal.sqlite, sandbox.sqlite and the dev server's pid file (created if missing). */
  dataDir: string;
  /** Start a Temporal dev server on these ports; undefined: use config.temporal.address as given. */
  devServer?: { port: number; uiPort: number };
  /** Instead of the dev server: the self-hosted cluster on PostgreSQL (dev/cluster), state in <dataDir>/cluster. */
  cluster?: { port: number; uiPort: number; postgresPort: number };
  /** Start the Vobiz sandbox; false: config.vobiz.baseUrl is used as given. */
  sandbox: boolean;
  /** Default: <dataDir>/sandbox.sqlite. */
  sandboxDbPath?: string;
  /** Temporal Web UI base URL for links (default: the dev server's UI, else config.bridge.webUiUrl). */
  webUiUrl?: string;
  logger: Logger;
  /** Environment the worker child starts from (default process.env); the stack adds the addresses it chose. */
  env?: NodeJS.ProcessEnv;
  /** Where child processes' output goes (default: process.stdout / process.stderr). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Aborting during start-up stops what has started and rejects with StackAbortedError. */
  signal?: AbortSignal;
  /** How long the worker may take to start polling (default 120 s; it bundles the workflow code first). */
  workerStartTimeoutMs?: number;
}

export interface RunningStack {
  /** The configuration the parts actually run with (addresses filled in). */
  config: LocalConfig;
  temporal: { address: string; managed: boolean; uiUrl: string; pid?: number; kind: 'dev server' | 'cluster' | 'external'; description?: string };
  codecUrl: string;
  sandbox?: { url: string; dbPath: string };
  bridgeUrl: string;
  worker: { pid: number };
  dataDir: string;
  /** Resolves if a child process dies on its own (the orchestrator should then stop the rest). */
  childExited: Promise<string>;
  /** Stops every part in reverse start order and waits for the child processes to exit. */
  stop(): Promise<void>;
  /** SIGKILLs the child processes now (second Ctrl-C). */
  kill(): void;
}

export class StackAbortedError extends Error {
  constructor() {
    super('start-up interrupted');
    this.name = 'StackAbortedError';
  }
}

interface Part {
  name: string;
  stop(): Promise<unknown>;
  child?: ChildProcess;
}

function dialHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/** The stack's options from config (DATA_DIR, TEMPORAL_DEV_PORT/_UI_PORT, and whether TEMPORAL_ADDRESS or
 * VOBIZ_BASE_URL point elsewhere), the same for `npm start` and `npm run demo`. */
export function stackOptionsFromConfig(config: LocalConfig, logger: Logger, env: NodeJS.ProcessEnv = process.env, { cluster = false }: { cluster?: boolean } = {}): StackOptions {
  const { dev } = config;
  const ports = { port: dev.temporalPort, uiPort: dev.temporalUiPort };
  return {
    dataDir: resolve(dev.dataDir),
    ...(dev.externalTemporal ? {} : cluster ? { cluster: { ...ports, postgresPort: dev.clusterPostgresPort } } : { devServer: ports }),
    sandbox: !dev.externalVobiz,
    sandboxDbPath: resolve(config.sandbox.dbPath),
    webUiUrl: config.bridge.webUiUrl,
    logger,
    env,
  };
}

export async function startStack(config: LocalConfig, options: StackOptions): Promise<RunningStack> {
  const logger = options.logger;
  const parts: Part[] = [];
  const checkAbort = () => {
    if (options.signal?.aborted) throw new StackAbortedError();
  };
  const stopAll = async () => {
    for (const part of [...parts].reverse()) {
      try {
        await part.stop();
      } catch (err) {
        logger.error({ err, part: part.name }, 'error while stopping');
      }
    }
    parts.length = 0;
  };
  const killAll = () => {
    for (const part of parts) killNow(part.child);
  };

  try {
    // Customers' data and the history live here: readable by this user only.
    ensurePrivateDir(options.dataDir);
    const codecHost = dialHost(config.codecServer.host);
    const codecUrl = `http://${codecHost}:${config.codecServer.port}`;

    // 1. Temporal.
    let temporal: RunningStack['temporal'] = { address: config.temporal.address, managed: false, uiUrl: options.webUiUrl ?? config.bridge.webUiUrl, kind: 'external' };
    if (options.cluster) {
      const cluster = await startCluster({
        dataDir: options.dataDir,
        port: options.cluster.port,
        uiPort: options.cluster.uiPort,
        postgresPort: options.cluster.postgresPort,
        namespace: config.temporal.namespace,
        codecEndpoint: codecUrl,
        log: (message) => logger.info(message),
        ...(options.stderr ? { output: options.stderr } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      for (const part of [cluster.postgres, cluster.server, cluster.ui]) {
        const name = cluster.children.find((c) => c.child === part.child)?.name ?? 'cluster';
        parts.push({ name, stop: () => part.stop(), child: part.child });
      }
      temporal = { address: cluster.address, managed: true, uiUrl: options.webUiUrl ?? cluster.uiUrl, pid: cluster.server.pid, kind: 'cluster', description: cluster.description };
    } else if (options.devServer) {
      const devServer = await startDevServer({
        dataDir: options.dataDir,
        port: options.devServer.port,
        uiPort: options.devServer.uiPort,
        namespace: config.temporal.namespace,
        codecEndpoint: codecUrl,
        logLevel: 'warn',
        ...(options.stderr ? { output: options.stderr } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
      parts.push({ name: 'temporal dev server', stop: () => devServer.stop(), child: devServer.child });
      temporal = { address: devServer.address, managed: true, uiUrl: options.webUiUrl ?? devServer.uiUrl, pid: devServer.pid, kind: 'dev server' };
      logger.info({ address: devServer.address, pid: devServer.pid }, 'temporal dev server ready');
    }
    checkAbort();

    // 2. Codec server (the Web UI decodes payloads through it). The dev server's UI origin is allowed too when it
    //    runs on a port other than the default.
    const uiPort = temporal.managed ? (options.devServer ?? options.cluster)?.uiPort : undefined;
    const uiOrigins = uiPort ? [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`] : [];
    const codecServer = await startCodecServer({
      host: config.codecServer.host,
      port: config.codecServer.port,
      keys: config.codec.keys,
      corsOrigins: [...new Set([...config.codecServer.corsOrigins, ...uiOrigins])],
      logger,
      ...(config.codecServer.token ? { token: config.codecServer.token } : {}),
      ...(config.codecServer.oidc ? { oidc: config.codecServer.oidc } : {}),
    });
    parts.push({ name: 'codec server', stop: () => codecServer.close() });
    checkAbort();

    // 3. Vobiz sandbox.
    let vobiz = config.vobiz;
    let webhookSecrets = config.bridge.webhookSecrets;
    let sandboxInfo: RunningStack['sandbox'];
    if (options.sandbox) {
      const s = config.sandbox;
      const dbPath = options.sandboxDbPath ?? join(options.dataDir, 'sandbox.sqlite');
      const sandbox = await startSandbox(sandboxOptionsFromConfig(s, logger.child({ component: 'sandbox' }), { dbPath }));
      parts.push({ name: 'sandbox', stop: () => sandbox.close() });
      sandboxInfo = { url: sandbox.url, dbPath };
      // The worker talks to this sandbox with its partner credentials, and the bridge accepts its signatures.
      vobiz = { ...config.vobiz, baseUrl: sandbox.url, partnerAuthId: s.partnerAuthId, partnerAuthToken: s.partnerAuthToken };
      webhookSecrets = [...new Set([...webhookSecrets, s.partnerAuthToken])];
    }
    checkAbort();

    const effective: LocalConfig = {
      ...config,
      temporal: { ...config.temporal, address: temporal.address },
      vobiz,
      bridge: { ...config.bridge, webhookSecrets, webUiUrl: temporal.uiUrl },
    };

    // 4. Bridge (start API + KYC webhooks → signals), with an encrypting Temporal client.
    let client: Client;
    try {
      client = await connectClient(effective.temporal, effective.codec);
    } catch (err) {
      throw new Error(`cannot connect to Temporal at ${effective.temporal.address}: ${(err as Error).message}`);
    }
    parts.push({ name: 'temporal client', stop: () => client.connection.close() });
    const bridge = await startBridge({ config: effective, client, logger });
    parts.push({ name: 'bridge', stop: () => bridge.close() });
    checkAbort();

    // 5. Worker (child process), stopped first.
    const worker = await startWorkerChild(effective, client, options);
    parts.push({ name: 'worker', stop: () => stopChild(worker, effective.worker.shutdownGraceTimeMs + 15_000), child: worker });

    const children = parts.filter((p): p is Part & { child: ChildProcess } => Boolean(p.child));
    const childExited = Promise.race(children.map((p) => waitForExit(p.child).then((code) => `${p.name} exited (${code})`)));

    let stopping: Promise<void> | undefined;
    return {
      config: effective,
      temporal,
      codecUrl,
      ...(sandboxInfo ? { sandbox: sandboxInfo } : {}),
      bridgeUrl: bridge.url,
      worker: { pid: worker.pid ?? -1 },
      dataDir: options.dataDir,
      childExited,
      stop: () => (stopping ??= stopAll()),
      kill: killAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Spawns dev/worker-child.ts with the stack's addresses in its environment and waits until it polls the task
 * queue (its poller identity starts with its pid), so callers know workflows will make progress.
 */
async function startWorkerChild(config: LocalConfig, client: Client, options: StackOptions): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    VOBIZ_BASE_URL: config.vobiz.baseUrl,
    VOBIZ_PARTNER_AUTH_ID: config.vobiz.partnerAuthId,
    VOBIZ_PARTNER_AUTH_TOKEN: config.vobiz.partnerAuthToken,
    BRIDGE_PUBLIC_URL: config.bridge.publicUrl,
    LOG_LEVEL: config.logLevel,
  };
  if (config.worker.metricsAddress) {
    const [host = '127.0.0.1', port = '0'] = config.worker.metricsAddress.split(':');
    await assertPortFree(host, Number(port), 'worker metrics', 'Unset WORKER_METRICS_ADDRESS or pick another port.');
  }
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'dev', 'worker-child.ts')], {
    cwd: PROJECT_ROOT,
    env,
    detached: true, // own process group: stopped by us, after the bridge, not by the terminal's Ctrl-C
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'], // the IPC channel closing tells the worker we are gone
  });
  pipeLines(child.stdout, options.stdout ?? process.stdout, '');
  const stderrTail = pipeLines(child.stderr, options.stderr ?? process.stderr, '');

  const deadline = Date.now() + (options.workerStartTimeoutMs ?? 120_000);
  const identityPrefix = `${child.pid}@`;
  try {
    while (Date.now() < deadline) {
      if (options.signal?.aborted) throw new StackAbortedError();
      if (hasExited(child)) {
        throw new Error(`the worker exited during start-up (${child.exitCode ?? child.signalCode})\n${stderrTail().slice(-10).join('\n')}`);
      }
      try {
        const { pollers } = await client.workflowService.describeTaskQueue({
          namespace: config.temporal.namespace,
          taskQueue: { name: config.temporal.taskQueue },
        });
        if (pollers.some((p) => p.identity?.startsWith(identityPrefix))) return child;
      } catch {
        // Temporal busy or restarting: ask again
      }
      await sleep(500);
    }
    throw new Error(`the worker did not poll task queue ${config.temporal.taskQueue} within ${Math.round((options.workerStartTimeoutMs ?? 120_000) / 1000)} s`);
  } catch (err) {
    await stopChild(child, 5_000);
    throw err;
  }
}

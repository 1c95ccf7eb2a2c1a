/**
 * The local system, started one way for every tool that runs it: `npm start`, `npm run demo` and `npm run cluster`
 * (dev/start.ts, dev/demo.ts), the chaos runner (dev/chaos/system.ts) and the fleet bench (bench/fleet/system.ts).
 * Temporal first (a dev server it starts, the self-hosted cluster on PostgreSQL, or a server given by address),
 * then the codec server, the Vobiz sandbox and the bridge side by side, then the workers; stopped in reverse.
 *
 * Every piece reads its settings from an environment with its own loader, as its `npm run` entry point does: the
 * caller's environment, the piece's own variables from the caller, and where the other pieces are, which the
 * stack adds (Temporal's address for all; the sandbox's URL and partner for the workers and its signing key for
 * the bridge; the bridge's public URL for the workers; the Web UI's origin for the codec server). So the codec
 * server, the sandbox and the bridge run alike in this process (`npm start`: one process to watch) or each as a
 * process of its own (the chaos runner and the bench: each can be stopped, killed or measured). Workers are always
 * processes: the production worker (src/worker.ts) installs Temporal's Runtime, which owns signal handling and
 * native threads for the life of its process. A sandbox or bridge given by URL is used as it is, never stopped.
 *
 * Child processes run in their own process groups, so a terminal's Ctrl-C reaches only the orchestrator, which
 * then stops them in order: the dev server never dies while a worker is still finishing its activities.
 *
 * One stack per data folder: before anything starts, the ports every piece will listen on are checked against each
 * other and against what already listens (dev/stack-ports.ts), and the folder is locked for this process
 * (dev/stack-lock.ts); only under that lock are a dead stack's leftovers stopped. The lock is given back last.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSandboxConfig } from '../sandbox/config.js';
import { sandboxOptionsFromConfig, startSandbox } from '../sandbox/server.js';
import { startBridge } from '../src/bridge/server.js';
import { startCodecServer } from '../src/codec/server.js';
import { KYC_WEBHOOK_PATH } from '../src/config/bridge-address.js';
import { loadBridgeConfig } from '../src/config/bridge.js';
import { loadCodecServerConfig } from '../src/config/codec-server.js';
import { ensurePrivateDir } from '../src/config/private-files.js';
import { loadTemporalClientConfig } from '../src/config/temporal-client.js';
import { loadWorkerConfig, loadWorkerNodeFlags, type WorkerProcessConfig } from '../src/config/worker.js';
import { WORKER_PROCESS_ENV } from '../src/config/worker-memory.js';
import type { Logger } from '../src/logging.js';
import { connectClient } from '../src/temporal/connection.js';
import { bundleLifecycleWorkflows } from '../src/worker/workflow-bundle.js';
import { startCluster, stopClusterLeftovers } from './cluster/cluster.js';
import { startDevServer, stopLeftoverDevServer, type RunningDevServer } from './dev-server.js';
import { httpAnswers, httpOk, Piece, trackChild, type StackPiece } from './pieces.js';
import { killNow, sleep, waitForExit } from './processes.js';
import { lockDataFolder } from './stack-lock.js';
import { assertNoPortClash, assertPortsFree, stackListeners } from './stack-ports.js';

type Placement = 'in-process' | 'process';

/** A piece the stack runs: where, and its own settings over the stack's environment. */
export interface RunPiece {
  placement: Placement;
  env?: NodeJS.ProcessEnv;
}

/** A piece that runs elsewhere: used as it is, never stopped. */
export interface GivenPiece {
  url: string;
}

export type TemporalChoice =
  /** A dev server on a SQLite file in the data folder, on these ports. */
  | { devServer: { port: number; uiPort: number } }
  /** The self-hosted Temporal server on PostgreSQL (dev/cluster), its state in <dataDir>/cluster. */
  | { cluster: { port: number; uiPort: number; postgresPort: number; dynamicConfigPath?: string } }
  /** A server that runs already (its Web UI, if known, for links). */
  | { address: string; uiUrl?: string };

export interface WorkerChoice {
  count: number;
  /**
   * Bundle the workflow code once into <dataDir>/workflow-bundle.js and run every worker on it
   * (WORKER_WORKFLOW_BUNDLE): a restarted worker then polls in seconds instead of bundling first.
   */
  prebuiltBundle?: boolean;
  /**
   * Run dev/worker-child.ts: the production worker that shuts itself down gracefully when the orchestrator goes
   * away, even after a SIGKILL (`npm start`, where the orchestrator is a terminal's foreground process).
   */
  orphanGuard?: boolean;
  /** The workers' own settings (WORKER_*, KYC_SWEEP_*, VOBIZ_MAX_REQUESTS_PER_SECOND, …). */
  env?: NodeJS.ProcessEnv;
  /** One worker's settings over `env` (index from 0): its own metrics port, its own bridge, … */
  envFor?: (index: number) => NodeJS.ProcessEnv;
  /** Node options for every worker process (a heap setting to compare, a CPU profile). */
  nodeArgs?: readonly string[];
  /** How long a worker may take to poll (default 180 s: bundling from source takes a minute on a busy machine). */
  readyTimeoutMs?: number;
}

export interface StackOptions {
  /** Folder for state (temporal.sqlite, sandbox.sqlite, the cluster) and, with output 'files', the logs (created 0700). */
  dataDir: string;
  /** The environment every piece starts from; TEMPORAL_NAMESPACE and TEMPORAL_TASK_QUEUE in it say where workflows run. */
  env: NodeJS.ProcessEnv;
  temporal: TemporalChoice;
  /** The codec server the Web UI decodes payloads through; none when absent. */
  codecServer?: RunPiece;
  sandbox: RunPiece | GivenPiece;
  bridge: RunPiece | GivenPiece;
  workers: WorkerChoice;
  /** Child processes' output: the terminal, or a log file per piece in the data folder. */
  output: 'terminal' | 'files';
  /** One line per piece once it is up. */
  progress: (line: string) => void;
  /** In-process pieces log here. */
  logger: Logger;
  /** Aborting during start-up stops what has started and rejects with StackAbortedError. */
  signal?: AbortSignal;
  /** What runs the stack (`npm start`, …), told to a second start on the same data folder. */
  command?: string;
}

export interface RunningStack {
  namespace: string;
  taskQueue: string;
  temporal: {
    address: string;
    uiUrl?: string;
    kind: 'dev server' | 'cluster' | 'external';
    pid?: number;
    description?: string;
    /** A dev server the stack runs: SIGKILL (whatever was in flight is cut), `downMs` later the same file and ports again. */
    restart?: (downMs: number) => Promise<void>;
  };
  codecServer?: { url: string; piece: StackPiece };
  sandbox?: { url: string; dbPath: string; partnerAuthId: string; piece: StackPiece };
  /** Where the workers reach Vobiz: the sandbox this stack runs, or the one given. */
  vobizUrl: string;
  bridge: { url: string; kycWebhookUrl: string; piece?: StackPiece };
  workers: Piece[];
  dataDir: string;
  /** Resolves if a child process started with the stack dies on its own (the orchestrator should then stop the rest). */
  childExited: Promise<string>;
  /** Stops every piece in reverse start order and waits for the child processes to exit. */
  stop: () => Promise<void>;
  /** SIGKILLs the child processes now (a second Ctrl-C). */
  kill: () => void;
}

export class StackAbortedError extends Error {
  constructor() {
    super('start-up interrupted');
    this.name = 'StackAbortedError';
  }
}

/** What the stack stops, in reverse order. */
interface Part {
  name: string;
  stop(): Promise<unknown>;
  /** Its processes, for `kill()` and `childExited`. */
  children(): ChildProcess[];
}

function dialHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

const given = (piece: RunPiece | GivenPiece): piece is GivenPiece => 'url' in piece;

/** A piece run inside this process: started from its settings, stopped by closing it. */
class InProcessPiece implements StackPiece {
  readonly pid = undefined;
  private running: { close(): Promise<unknown> } | undefined;

  constructor(
    readonly name: string,
    private readonly begin: () => Promise<{ close(): Promise<unknown> }>,
  ) {}

  async start(): Promise<void> {
    this.running = await this.begin();
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.close();
  }
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { dataDir, logger, progress } = options;
  const parts: Part[] = [];
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
  const kill = () => {
    for (const part of parts) for (const child of part.children()) killNow(child);
  };
  const checkAbort = () => {
    if (options.signal?.aborted) throw new StackAbortedError();
  };
  // A piece of our own as a process: its output to the terminal or to <dataDir>/<name>.log.
  const processPiece = (name: string, entry: string, env: NodeJS.ProcessEnv, ready: () => Promise<boolean>, more: Partial<Piece['spec']> = {}) =>
    new Piece({
      name,
      entry,
      env,
      ready,
      output: options.output === 'files' ? join(dataDir, `${name.replace(/\s+/g, '-')}.log`) : { stdout: process.stdout, stderr: process.stderr },
      ...more,
    });
  const addPiece = (piece: StackPiece, graceMs?: number) => {
    parts.push({
      name: piece.name,
      stop: async () => {
        await piece.stop(graceMs);
        if (piece instanceof Piece) piece.close();
      },
      children: () => (piece instanceof Piece && piece.child ? [piece.child] : []),
    });
    return piece;
  };

  try {
    ensurePrivateDir(dataDir);
    // Nothing binds before every port is known to be its setting's alone and free, and the folder is ours.
    const listeners = stackListeners(options);
    assertNoPortClash(listeners);
    const lock = lockDataFolder(dataDir, { command: options.command ?? process.argv.slice(1).join(' '), ports: listeners.map((l) => `${l.setting} ${l.port}`) }, progress);
    parts.push({ name: 'data folder lock', stop: async () => lock.release(), children: () => [] });
    // A dead stack's Temporal processes outlive it (their own process groups); holding the lock, we know it is gone.
    await stopLeftoverDevServer(dataDir, options.env);
    await stopClusterLeftovers(dataDir);
    await assertPortsFree(listeners);
    checkAbort();

    const { temporal: temporalSettings } = loadTemporalClientConfig(options.env);
    const { namespace, taskQueue } = temporalSettings;
    const managedUiPort = 'address' in options.temporal ? undefined : ('devServer' in options.temporal ? options.temporal.devServer : options.temporal.cluster).uiPort;

    // The codec server's address comes first: the Web UI is told it when Temporal starts.
    let codec: { env: NodeJS.ProcessEnv; url: string } | undefined;
    if (options.codecServer) {
      const own = withoutWorkerSecrets({ ...options.env, ...options.codecServer.env });
      const { server } = loadCodecServerConfig(own);
      // The Web UI of a server we run is an origin of its own when it is not on the default port.
      const uiOrigins = managedUiPort ? [`http://localhost:${managedUiPort}`, `http://127.0.0.1:${managedUiPort}`] : [];
      codec = { env: { ...own, CODEC_CORS_ORIGINS: [...new Set([...server.corsOrigins, ...uiOrigins])].join(',') }, url: `http://${dialHost(server.host)}:${server.port}` };
    }

    // 1. Temporal.
    const temporal = await startTemporal(options, namespace, codec?.url, parts);
    checkAbort();
    const temporalEnv = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: namespace, TEMPORAL_TASK_QUEUE: taskQueue };
    const uiUrl = options.env.BRIDGE_WEB_UI_URL || temporal.uiUrl;

    // 2. Codec server, sandbox and bridge side by side (a process takes seconds to load), and the workflow bundle.
    const starting: Promise<unknown>[] = [];
    let codecServer: RunningStack['codecServer'];
    if (options.codecServer && codec) {
      const { env, url } = codec;
      const piece =
        options.codecServer.placement === 'process'
          ? processPiece('codec server', 'src/codec/main.ts', env, () => httpAnswers(url))
          : new InProcessPiece('codec server', () => {
              const config = loadCodecServerConfig(env);
              const { token, oidc } = config.server;
              return startCodecServer({ host: config.server.host, port: config.server.port, keys: config.codec.keys, corsOrigins: config.server.corsOrigins, logger, ...(token ? { token } : {}), ...(oidc ? { oidc } : {}) });
            });
      codecServer = { url, piece: addPiece(piece) };
      starting.push(piece.start().then(() => progress(`codec server ${url}`)));
    }

    let sandbox: RunningStack['sandbox'];
    let vobizEnv: NodeJS.ProcessEnv;
    let sandboxToken: string | undefined;
    if (given(options.sandbox)) {
      vobizEnv = { VOBIZ_BASE_URL: options.sandbox.url };
    } else {
      const own = { ...options.env, ...options.sandbox.env };
      const env = { ...own, SANDBOX_DB_PATH: resolve(own.SANDBOX_DB_PATH || join(dataDir, 'sandbox.sqlite')) };
      const config = loadSandboxConfig(env);
      const url = `http://${dialHost(config.sandbox.host)}:${config.sandbox.port}`;
      const piece =
        options.sandbox.placement === 'process'
          ? processPiece('sandbox', 'sandbox/main.ts', env, () => httpOk(`${url}/_sandbox/health`))
          : new InProcessPiece('sandbox', () => startSandbox(sandboxOptionsFromConfig(config.sandbox, logger.child({ component: 'sandbox' }))));
      sandbox = { url, dbPath: config.sandbox.dbPath, partnerAuthId: config.sandbox.partnerAuthId, piece: addPiece(piece) };
      // The workers talk to this sandbox with its partner credentials, and the bridge accepts its signatures.
      sandboxToken = config.sandbox.partnerAuthToken;
      vobizEnv = { VOBIZ_BASE_URL: url, VOBIZ_PARTNER_AUTH_ID: config.sandbox.partnerAuthId, VOBIZ_PARTNER_AUTH_TOKEN: sandboxToken };
      starting.push(piece.start().then(() => progress(`sandbox ${url} (state ${config.sandbox.dbPath})`)));
    }

    let bridge: RunningStack['bridge'];
    let bridgePublicUrl: string;
    if (given(options.bridge)) {
      bridge = { url: options.bridge.url, kycWebhookUrl: `${options.bridge.url}${KYC_WEBHOOK_PATH}` };
      bridgePublicUrl = options.bridge.url;
    } else {
      const own = { ...options.env, ...temporalEnv, ...(uiUrl ? { BRIDGE_WEB_UI_URL: uiUrl } : {}), ...options.bridge.env };
      const env = sandboxToken ? withWebhookSecret(own, sandboxToken) : own;
      const config = loadBridgeConfig(env);
      const url = `http://${dialHost(config.bridge.host)}:${config.bridge.port}`;
      const piece =
        options.bridge.placement === 'process'
          ? processPiece('bridge', 'src/bridge/main.ts', env, () => httpOk(`${url}/healthz`))
          : new InProcessPiece('bridge', async () => {
              // Start API + KYC webhooks → the workflow, with an encrypting Temporal client.
              const client = await connectClient(config.temporal, config.codec).catch((err: unknown) => {
                throw new Error(`cannot connect to Temporal at ${config.temporal.address}: ${(err as Error).message}`);
              });
              const running = await startBridge({ config, client, logger }).catch(async (err: unknown) => {
                await client.connection.close();
                throw err;
              });
              return { close: async () => void (await running.close(), await client.connection.close()) };
            });
      bridge = { url, kycWebhookUrl: config.bridge.kycWebhookUrl, piece: addPiece(piece) };
      bridgePublicUrl = config.bridge.publicUrl;
      starting.push(piece.start().then(() => progress(`bridge ${url}`)));
    }

    const bundlePath = options.workers.prebuiltBundle ? join(dataDir, 'workflow-bundle.js') : undefined;
    if (bundlePath) starting.push(buildWorkflowBundle(bundlePath, logger));
    const settled = await Promise.allSettled(starting);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    checkAbort();

    // 3. Workers, each its own process, ready once Temporal sees it poll the task queue.
    const workerEnv: NodeJS.ProcessEnv = {
      ...WORKER_PROCESS_ENV,
      ...options.env,
      ...temporalEnv,
      ...vobizEnv,
      BRIDGE_PUBLIC_URL: bridgePublicUrl,
      ...(bundlePath ? { WORKER_WORKFLOW_BUNDLE: bundlePath } : {}),
      ...options.workers.env,
    };
    const workerConfig = loadWorkerConfig(workerEnv);
    const workers: Piece[] = [];
    for (let i = 0; i < options.workers.count; i++) {
      const name = options.workers.count === 1 ? 'worker' : `worker ${i + 1}`;
      const env = { ...workerEnv, ...options.workers.envFor?.(i) };
      const worker: Piece = processPiece(
        name,
        options.workers.orphanGuard ? 'dev/worker-child.ts' : 'src/worker.ts',
        env,
        () => pollsTaskQueue(workerConfig, worker.pid),
        // The heap limit its memory budget derives, as in production; a caller's own options after it, so they win.
        { readyTimeoutMs: options.workers.readyTimeoutMs ?? 180_000, ipc: options.workers.orphanGuard ?? false, nodeArgs: [...loadWorkerNodeFlags(env), ...(options.workers.nodeArgs ?? [])] },
      );
      workers.push(worker);
      // Stopped first: running activities get their grace time while Temporal and the pieces they call still run.
      addPiece(worker, workerConfig.worker.shutdownGraceTimeMs + 15_000);
    }
    await Promise.all(workers.map((w) => w.start(options.signal)));
    if (workers.length > 0) progress(`${workers.length === 1 ? 'worker' : `${workers.length} workers`} (pid ${workers.map((w) => w.pid).join(', ')}), task queue ${taskQueue}`);
    checkAbort();

    const children = parts.flatMap((part) => part.children().map((child) => ({ name: part.name, child })));
    let stopping: Promise<void> | undefined;
    return {
      namespace,
      taskQueue,
      temporal: { ...temporal, ...(uiUrl ? { uiUrl } : {}) },
      ...(codecServer ? { codecServer } : {}),
      ...(sandbox ? { sandbox } : {}),
      vobizUrl: vobizEnv.VOBIZ_BASE_URL!,
      bridge,
      workers,
      dataDir,
      childExited: Promise.race(children.map(({ name, child }) => waitForExit(child).then((code) => `${name} exited (${code})`))),
      stop: () => (stopping ??= stopAll()),
      kill,
    };
  } catch (err) {
    await stopAll();
    if (options.signal?.aborted) throw new StackAbortedError();
    throw err;
  }
}

/** Starts (or finds) Temporal and adds what it started to `parts`. */
async function startTemporal(options: StackOptions, namespace: string, codecEndpoint: string | undefined, parts: Part[]): Promise<RunningStack['temporal']> {
  const { dataDir, progress } = options;
  const choice = options.temporal;
  if ('address' in choice) return { address: choice.address, kind: 'external', ...(choice.uiUrl ? { uiUrl: choice.uiUrl } : {}) };
  const toTerminal = options.output === 'terminal';
  const output = toTerminal ? process.stderr : createWriteStream(join(dataDir, 'temporal.log'), { flags: 'a' });
  if ('cluster' in choice) {
    const cluster = await startCluster({
      dataDir,
      ...choice.cluster,
      namespace,
      ...(codecEndpoint ? { codecEndpoint } : {}),
      log: progress,
      output,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for (const part of [cluster.postgres, cluster.server, cluster.ui]) {
      const name = cluster.children.find((c) => c.child === part.child)?.name ?? 'cluster';
      parts.push({ name, stop: () => part.stop(), children: () => [part.child] });
    }
    return { address: cluster.address, uiUrl: cluster.uiUrl, kind: 'cluster', pid: cluster.server.pid, description: cluster.description };
  }
  const start = async () => {
    const server = await startDevServer({
      dataDir,
      ...choice.devServer,
      namespace,
      ...(codecEndpoint ? { codecEndpoint } : {}),
      logLevel: toTerminal ? 'warn' : 'error',
      output,
      env: options.env,
      startTimeoutMs: 60_000,
    });
    trackChild(server.child);
    return server;
  };
  let devServer: RunningDevServer = await start();
  parts.push({ name: 'temporal dev server', stop: () => devServer.stop(), children: () => [devServer.child] });
  progress(`temporal dev server ${devServer.address} (pid ${devServer.pid}, state ${join(dataDir, 'temporal.sqlite')}), web UI ${devServer.uiUrl}`);
  return {
    address: devServer.address,
    uiUrl: devServer.uiUrl,
    kind: 'dev server',
    pid: devServer.pid,
    restart: async (downMs: number) => {
      devServer.child.kill('SIGKILL');
      await waitForExit(devServer.child);
      await sleep(downMs);
      devServer = await start();
    },
  };
}

/** True once a worker process `pid` polls the task queue (its poller identity starts with its pid). */
async function pollsTaskQueue(config: WorkerProcessConfig, pid: number | undefined): Promise<boolean> {
  const client = await connectClient(config.temporal, config.codec, { connectTimeoutMs: 2_000 });
  try {
    const { pollers } = await client.workflowService.describeTaskQueue({ namespace: config.temporal.namespace, taskQueue: { name: config.temporal.taskQueue } });
    return pollers.some((p) => p.identity?.startsWith(`${pid}@`));
  } finally {
    await client.connection.close();
  }
}

/** The workflow code bundled as `npm run build` does, written to `path`. */
async function buildWorkflowBundle(path: string, logger: Logger): Promise<void> {
  writeFileSync(path, await bundleLifecycleWorkflows(logger));
}

/** The bridge's environment with `secret` among the signing secrets it accepts, beside those it has. */
function withWebhookSecret(env: NodeJS.ProcessEnv, secret: string): NodeJS.ProcessEnv {
  const { webhookSecrets } = loadBridgeConfig(env).bridge;
  const { BRIDGE_WEBHOOK_SECRETS_FILE: _file, ...rest } = env;
  return { ...rest, BRIDGE_WEBHOOK_SECRETS: [...new Set([...webhookSecrets, secret])].join(',') };
}

/** The secrets private keys open sealed passwords: the account-creating worker's alone, never the codec server's. */
function withoutWorkerSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { SECRETS_KEYS: _keys, SECRETS_KEYS_FILE: _file, ...rest } = env;
  return rest;
}


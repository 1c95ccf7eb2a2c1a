/**
 * The self-hosted Temporal server (`temporal-server`, all four services in one process) on PostgreSQL, configured
 * from the server module's own config/development-postgres12.yaml with only its ports, the database address and
 * the dynamic-config path changed (to deploy/dynamicconfig/development.yaml, the file the compose deployment
 * mounts). Schema and namespace are set up by the same scripts the compose deployment runs
 * (deploy/temporal/setup-schema.sh and create-namespace.sh), with our binaries on their PATH.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes.js';
import { assertPortFree, hasExited, pipeLines, sleep, stopChild, stopStrayProcess } from '../processes.js';
import { PROJECT_ROOT, temporalCliPath } from '../temporal-binaries.js';
import type { ClusterBinaries } from './binaries.js';
import { filtered } from './output.js';

const run = promisify(execFile);

const DYNAMIC_CONFIG = join(PROJECT_ROOT, 'deploy', 'dynamicconfig', 'development.yaml');

/** Every port the server binds (on 127.0.0.1). */
export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  /** The server's own Prometheus metrics (/metrics). */
  metrics: number;
}

/**
 * The upstream layout, shifted to `frontend`: with 7233 these are exactly the ports of development-postgres12.yaml
 * (7234 history, 7235 matching, 7239 worker, 7243 HTTP, 6933-6939 membership, 8000 metrics).
 */
export function serverPortsFrom(frontend: number): ServerPorts {
  return {
    frontend,
    frontendHttp: frontend + 10,
    frontendMembership: frontend - 300,
    history: frontend + 1,
    historyMembership: frontend - 299,
    matching: frontend + 2,
    matchingMembership: frontend - 298,
    worker: frontend + 6,
    workerMembership: frontend - 294,
    metrics: frontend + 767,
  };
}

/**
 * A frontend port whose whole upstream-shaped block (frontend-300 … frontend+767) is free and below 32768: the
 * server keeps its services' ports in a smallint column, so the OS's ephemeral ports (32768+) cannot be used.
 */
export async function freeClusterBase(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const base = 10_300 + Math.floor(Math.random() * 21_000);
    try {
      for (const port of Object.values(serverPortsFrom(base)) as number[]) await assertPortFree('127.0.0.1', port, 'probe', '');
      return base;
    } catch {
      // taken: try another block
    }
  }
  throw new Error('no free port block below 32768 for the cluster');
}

export interface DatabaseSettings {
  port: number;
  user: string;
  password: string;
}

/** Replaces `from` with `to` exactly `count` times, or fails naming the line: the upstream file changed. */
function replaceExactly(text: string, from: string, to: string, count = 1): string {
  const found = text.split(from).length - 1;
  if (found !== count) throw new Error(`server config template: expected ${count} × "${from}", found ${found} (did the server version change?)`);
  return text.split(from).join(to);
}

/** development-postgres12.yaml with our ports, database and dynamic config. */
function renderServerConfig(template: string, ports: ServerPorts, db: DatabaseSettings, dynamicConfigPath: string): string {
  let c = template;
  c = replaceExactly(c, 'connectAddr: "127.0.0.1:5432"', `connectAddr: "127.0.0.1:${db.port}"`, 2);
  c = replaceExactly(c, 'user: "temporal"', `user: ${JSON.stringify(db.user)}`, 2);
  c = replaceExactly(c, 'password: "temporal"', `password: ${JSON.stringify(db.password)}`, 2);
  c = replaceExactly(c, 'port: 7936', 'port: 0'); // pprof off
  c = replaceExactly(c, 'listenAddress: "127.0.0.1:8000"', `listenAddress: "127.0.0.1:${ports.metrics}"`);
  for (const [grpc, membership, g, m] of [
    [7233, 6933, ports.frontend, ports.frontendMembership],
    [7235, 6935, ports.matching, ports.matchingMembership],
    [7234, 6934, ports.history, ports.historyMembership],
    [7239, 6939, ports.worker, ports.workerMembership],
  ] as const) {
    c = replaceExactly(c, `grpcPort: ${grpc}\n`, `grpcPort: ${g}\n`);
    c = replaceExactly(c, `membershipPort: ${membership}\n`, `membershipPort: ${m}\n`);
  }
  c = replaceExactly(c, 'httpPort: 7243', `httpPort: ${ports.frontendHttp}`);
  c = replaceExactly(c, 'rpcAddress: "localhost:7233"', `rpcAddress: "127.0.0.1:${ports.frontend}"`);
  c = replaceExactly(c, 'filepath: "config/dynamicconfig/development-sql.yaml"', `filepath: ${JSON.stringify(resolve(dynamicConfigPath))}`);
  return c;
}

async function runScript(script: string, env: NodeJS.ProcessEnv, what: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('sh', [script], { env, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${what} failed (${script}): ${e.message.split('\n')[0]}\n${out}`);
  }
}

/** deploy/temporal/setup-schema.sh: creates both databases if missing and brings both schemas up to date. */
export function setupSchema(binaries: ClusterBinaries, db: DatabaseSettings): Promise<string> {
  return runScript(
    join(PROJECT_ROOT, 'deploy', 'temporal', 'setup-schema.sh'),
    {
      ...process.env,
      PATH: `${dirname(binaries.sqlTool)}:${process.env.PATH ?? ''}`,
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(db.port),
      POSTGRES_USER: db.user,
      POSTGRES_PWD: db.password,
      SCHEMA_ROOT: binaries.schemaRoot,
    },
    'schema setup',
  );
}

/** deploy/temporal/create-namespace.sh: the namespace and the workflow's search attributes (idempotent). */
export function createNamespace(address: string, namespace: string, retention = '72h'): Promise<string> {
  return runScript(
    join(PROJECT_ROOT, 'deploy', 'temporal', 'create-namespace.sh'),
    {
      ...process.env,
      PATH: `${dirname(temporalCliPath())}:${process.env.PATH ?? ''}`,
      TEMPORAL_ADDRESS: address,
      NAMESPACE: namespace,
      NAMESPACE_RETENTION: retention,
      SEARCH_ATTRIBUTES: SEARCH_ATTRIBUTES.map((k) => k.name).join(' '),
    },
    'namespace setup',
  );
}

interface TemporalServerOptions {
  binaries: ClusterBinaries;
  /** Folder for the rendered config and the pid file. */
  dir: string;
  ports: ServerPorts;
  db: DatabaseSettings;
  dynamicConfigPath?: string;
  output?: NodeJS.WritableStream;
  startTimeoutMs?: number;
}

export interface RunningTemporalServer {
  address: string;
  pid: number;
  child: ChildProcess;
  /** SIGTERM (graceful: the server drains), SIGKILL after 20 s; or `SIGKILL` at once (a crash). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

const CONFIG_FILE = 'temporal-server.yaml';
const PID_FILE = 'temporal-server.pid';

/** A server left behind in `dir` by an orchestrator that was SIGKILLed: stopped, if it is ours (same binary and config). */
export async function stopLeftoverTemporalServer(dir: string, binary: string): Promise<void> {
  const pidFile = join(resolve(dir), PID_FILE);
  const configFile = join(resolve(dir), CONFIG_FILE);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  let cmdline: string[];
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return;
  }
  if (cmdline[0] !== binary || !cmdline.includes(configFile)) return;
  process.stderr.write(`Stopping a Temporal server left over from an earlier run (pid ${pid})\n`);
  await stopStrayProcess(pid, 'SIGTERM', 20_000);
}

export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporalServer> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const configFile = join(dir, CONFIG_FILE);
  const pidFile = join(dir, PID_FILE);
  await stopLeftoverTemporalServer(dir, options.binaries.server);
  writeFileSync(configFile, renderServerConfig(readFileSync(options.binaries.configTemplate, 'utf8'), options.ports, options.db, options.dynamicConfigPath ?? DYNAMIC_CONFIG));
  // Cluster membership stores each service's gRPC port in a PostgreSQL smallint column: above 32767 the server dies.
  const tooHigh = Object.entries(options.ports).filter(([name, port]) => name !== 'metrics' && (port as number) > 32_767);
  if (tooHigh.length > 0) {
    throw new Error(`Temporal server ports must be below 32768 (they are stored as smallint): ${tooHigh.map(([n, p]) => `${n} ${p}`).join(', ')}; pick a lower TEMPORAL_DEV_PORT`);
  }
  const hint = 'Is `npm run cluster` (or `npm start`) already running? Stop it, or pick another TEMPORAL_DEV_PORT.';
  for (const [name, port] of Object.entries(options.ports) as [string, number][]) await assertPortFree('127.0.0.1', port, `Temporal server (${name})`, hint);

  const child = spawn(options.binaries.server, ['--config-file', configFile, '--allow-no-auth', 'start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`);
  let stopping = false;
  const output = options.output ?? process.stderr;
  // The server logs JSON at info level; only warnings and errors are worth a terminal line.
  const interesting = (line: string) => !/"level":"(info|debug)"/.test(line);
  const tail = pipeLines(child.stdout, filtered(output, interesting), '[temporal-server] ', 30, () => stopping);
  const errTail = pipeLines(child.stderr, filtered(output, interesting), '[temporal-server] ', 30, () => stopping);
  const address = `127.0.0.1:${options.ports.frontend}`;
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    stopping = true;
    await stopChild(child, signal === 'SIGKILL' ? 5_000 : 20_000, signal);
    rmSync(pidFile, { force: true });
  };

  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    if (hasExited(child)) {
      await stop();
      throw new Error(`the Temporal server exited during start-up (${child.exitCode ?? child.signalCode}):\n${[...tail(), ...errTail()].slice(-15).join('\n')}`);
    }
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.healthService.check({});
      break;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await connection?.close().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Temporal server did not answer on ${address} within ${Math.round(timeoutMs / 1000)} s (last error: ${lastError}):\n${[...tail(), ...errTail()].slice(-15).join('\n')}`);
    }
    await sleep(500);
  }
  return { address, pid: child.pid ?? -1, child, stop };
}

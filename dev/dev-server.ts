/**
 * The Temporal dev server (`temporal server start-dev`) as a child process of `npm start` / `npm run demo`: the
 * binary from `temporalCliPath()` (never a download), state in a SQLite file so workflows survive restarts, the
 * project's search attributes registered, and the Web UI told where the codec server is so it shows decrypted
 * payloads.
 *
 * The child runs in its own process group and its pid is written next to the database: if a previous orchestrator
 * was killed hard (SIGKILL) and left the server behind, the next start stops that server (after checking it is
 * ours: same binary, same database file) instead of failing on a busy port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../src/workflows/search-attributes.js';
import { assertPortFree, hasExited, pipeLines, sleep, stopChild, stopStrayProcess } from './processes.js';
import { temporalCliPath } from './temporal-binaries.js';

const PID_FILE = 'temporal-dev.pid';

interface DevServerOptions {
  /** Folder for temporal.sqlite and the pid file; created if missing. */
  dataDir: string;
  ip?: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** The codec server's URL, for the Web UI (`--ui-codec-endpoint`). */
  codecEndpoint?: string;
  /** Dev server log level (default warn). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the server to answer (default 30 s). */
  startTimeoutMs?: number;
  /** Where the server's own log lines go (default: stderr). */
  output?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  pid: number;
  child: ChildProcess;
  /** SIGTERM, wait (SIGKILL after 10 s); resolves once the process is gone. */
  stop(): Promise<void>;
}

class DevServerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevServerStartError';
  }
}

function devServerArgs(options: DevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    options.ip ?? '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    join(options.dataDir, 'temporal.sqlite'),
    '--namespace',
    options.namespace,
    ...searchAttributeFlags(),
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
    '--log-level',
    options.logLevel ?? 'warn',
  ];
}

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const cli = temporalCliPath(options.env); // MissingTemporalBinaryError names `npm run setup`
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pidFile = join(dataDir, PID_FILE);
  const ip = options.ip ?? '127.0.0.1';
  await stopLeftoverDevServer(dataDir, options.env);

  const hint = 'Is `npm start` already running? Stop it, or set TEMPORAL_ADDRESS to use that server, or pick other ports with TEMPORAL_DEV_PORT / TEMPORAL_DEV_UI_PORT.';
  await assertPortFree(ip, options.port, 'Temporal dev server (gRPC)', hint);
  await assertPortFree(ip, options.uiPort, 'Temporal Web UI', hint);

  const child = spawn(cli, devServerArgs({ ...options, dataDir }), {
    detached: true, // own process group: Ctrl-C reaches the orchestrator only; it stops us last
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  const spawnFailed = new Promise<Error>((resolveError) => child.once('error', resolveError));
  const output = options.output ?? process.stderr;
  // Once we stop it, the server's own complaints about its frontend going away are noise.
  let stopping = false;
  const stdoutTail = pipeLines(child.stdout, output, '[temporal] ', 20, () => stopping);
  const stderrTail = pipeLines(child.stderr, output, '[temporal] ', 20, () => stopping);
  if (child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`);

  const stop = async () => {
    stopping = true;
    await stopChild(child, 10_000);
    rmSync(pidFile, { force: true });
  };
  const address = `${ip}:${options.port}`;
  try {
    await waitUntilReady(address, options.namespace, child, spawnFailed, options.startTimeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    const tail = [...stdoutTail(), ...stderrTail()].slice(-10).join('\n');
    throw new DevServerStartError(
      `Temporal dev server (${cli}) did not start on ${address}: ${(err as Error).message}` +
        (tail ? `\nIts last output:\n${tail}` : '') +
        '\nIf the binary is broken or missing, run `npm run setup` (or set TEMPORAL_CLI to a working binary).',
    );
  }
  return { address, uiUrl: `http://localhost:${options.uiPort}`, pid: child.pid ?? -1, child, stop };
}

/** Polls until the frontend answers and the namespace exists; bounded, and gives up as soon as the child dies. */
async function waitUntilReady(address: string, namespace: string, child: ChildProcess, spawnFailed: Promise<Error>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  let failure: Error | undefined;
  void spawnFailed.then((err) => {
    failure = err;
  });
  while (Date.now() < deadline) {
    if (failure) throw new Error(`could not run the binary (${failure.message})`);
    if (hasExited(child)) throw new Error(`the process exited (${child.exitCode ?? child.signalCode})`);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await connection?.close().catch(() => undefined);
    }
    await sleep(250);
  }
  throw new Error(`no answer within ${Math.round(timeoutMs / 1000)} s (last error: ${lastError})`);
}

/**
 * Stops a dev server left behind on `dataDir` by an orchestrator that was killed hard — only if it is ours (same
 * binary and database file). The caller makes sure no live stack uses the folder (dev/stack-lock.ts).
 */
export async function stopLeftoverDevServer(dataDir: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const pidFile = join(resolve(dataDir), PID_FILE);
  if (!existsSync(pidFile)) return;
  const cli = temporalCliPath(env);
  const dbFile = join(resolve(dataDir), 'temporal.sqlite');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline: string[];
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return; // gone (or no /proc): nothing to do
  }
  if (cmdline[0] !== cli || !cmdline.includes('start-dev') || !cmdline.includes(dbFile)) return;
  process.stderr.write(`Stopping a Temporal dev server left over from an earlier run (pid ${pid})\n`);
  await stopStrayProcess(pid, 'SIGTERM', 10_000);
}

/**
 * A private PostgreSQL for the local cluster: Debian's server binaries, its own data folder and port, listening on
 * 127.0.0.1 only (no Unix socket), started as a child process (own process group) and stopped with a fast
 * shutdown. The first start runs initdb with the `temporal` superuser the server's config expects.
 *
 * PostgreSQL refuses to run as root: when we are root, initdb and postgres run as the `postgres` user Debian's
 * package creates, which owns the data folder and must be able to reach it (every parent folder world-executable).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { assertPortFree, hasExited, pipeLines, sleep, stopChild, stopStrayProcess } from '../processes.js';
import { postgresBinDir } from './binaries.js';
import { filtered } from './output.js';

interface PostgresOptions {
  /** The data folder (created and initialised on first start). */
  dir: string;
  port: number;
  /** Superuser created by initdb; also what Temporal connects as. */
  user: string;
  password: string;
  /** Where the server's log lines go (default: stderr). */
  output?: NodeJS.WritableStream;
  startTimeoutMs?: number;
}

export interface RunningPostgres {
  port: number;
  pid: number;
  child: ChildProcess;
  /** `postgres://user:password@127.0.0.1:port/<db>` for psql and tests. */
  url(database: string): string;
  /** Fast shutdown (SIGINT: open transactions roll back, then a clean checkpoint); SIGKILL after 30 s. */
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** As root: the `postgres` system user; otherwise ourselves (undefined). */
function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error('PostgreSQL refuses to run as root and there is no `postgres` user (apt-get install postgresql creates it)');
  return { uid: Number(uid), gid: Number(gid), name: 'postgres' };
}

/** The postgres user must traverse every parent of the data folder. */
function assertReachable(dir: string, user: RunAs): void {
  for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) {
    const { mode, uid } = statSync(d);
    if (uid !== user.uid && (mode & 0o001) === 0) {
      throw new Error(`PostgreSQL runs as user ${user.name} (it refuses root) and cannot enter ${d}: chmod o+x ${d}, or set DATA_DIR elsewhere`);
    }
  }
}

function initdb(dir: string, options: PostgresOptions, as: RunAs | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pwfile = join(dirname(dir), '.pg-initdb-password');
  writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
  if (as) {
    chownSync(dir, as.uid, as.gid);
    chownSync(pwfile, as.uid, as.gid);
  }
  try {
    execFileSync(
      join(postgresBinDir(), 'initdb'),
      ['-D', dir, '-U', options.user, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=peer', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions'],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(as ? { uid: as.uid, gid: as.gid } : {}) },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true }); // half-initialised: start over next time
    throw new Error(`initdb failed for ${dir}: ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message)}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** A postgres left running on this data folder by an orchestrator that was SIGKILLed: stopped (fast shutdown). */
export async function stopLeftoverPostgres(dir: string): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // not running: postgres removes a stale pid file itself
  }
  if (!cmdline.split('\0').includes(dir)) return;
  process.stderr.write(`Stopping a PostgreSQL left over from an earlier run (pid ${pid})\n`);
  await stopStrayProcess(pid, 'SIGINT', 30_000);
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const dir = resolve(options.dir);
  const as = runAs();
  if (as) assertReachable(dir, as);
  if (!existsSync(join(dir, 'PG_VERSION'))) initdb(dir, options, as);
  await stopLeftoverPostgres(dir);
  await assertPortFree('127.0.0.1', options.port, 'PostgreSQL', 'Set CLUSTER_POSTGRES_PORT to a free port.');

  const bin = postgresBinDir();
  const child = spawn(
    join(bin, 'postgres'),
    // Temporal's services share one process and open up to ~90 connections between them.
    ['-D', dir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...(as ? { uid: as.uid, gid: as.gid } : {}) },
  );
  let stopping = false;
  // Routine LOG lines (start-up, checkpoints) stay out of the terminal; warnings and errors are shown.
  const output = filtered(options.output ?? process.stderr, (line) => !/\] LOG: {2}|^\[postgres\] \t/.test(line));
  const tail = pipeLines(child.stderr, output, '[postgres] ', 20, () => stopping);
  pipeLines(child.stdout, output, '[postgres] ', 20, () => stopping);
  const stop = async () => {
    stopping = true;
    await stopChild(child, 30_000, 'SIGINT');
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (hasExited(child)) throw new Error(`PostgreSQL exited during start-up (${child.exitCode ?? child.signalCode}):\n${tail().join('\n')}`);
    try {
      execFileSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(options.port)], { stdio: 'ignore' });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`PostgreSQL did not accept connections on 127.0.0.1:${options.port} within ${Math.round((options.startTimeoutMs ?? 60_000) / 1000)} s:\n${tail().join('\n')}`);
      }
      await sleep(200);
    }
  }
  return {
    port: options.port,
    pid: child.pid ?? -1,
    child,
    url: (database) => `postgres://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`,
    stop,
  };
}

/** psql from the same PostgreSQL installation (for the tests and the docs' examples). */
export function psqlPath(): string {
  const path = join(postgresBinDir(), 'psql');
  accessSync(path, constants.X_OK);
  return path;
}

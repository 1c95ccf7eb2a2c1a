/**
 * Each piece of the system as its own process, for the chaos runner and the bridge fuzzer: started with
 * `node --import tsx <entry>` (the same entry points as `npm run sandbox|bridge|codec-server`) and an environment
 * that says where everything is, its output appended to a log file, and able to be stopped (SIGTERM), killed
 * (SIGKILL: a real crash) and started again on the same ports and state. Every piece ever started is tracked, so
 * one call stops them all on any exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { hasExited, sleep, stopChild, waitForExit } from '../processes.js';
import { PROJECT_ROOT } from '../temporal-binaries.js';

export { freePort } from '../processes.js';

export interface PieceSpec {
  name: string;
  /** Entry file relative to the project root, e.g. src/bridge/main.ts. */
  entry: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Resolves once the piece is ready (polled every 250 ms until `readyTimeoutMs`). */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export class Piece {
  child: ChildProcess | undefined;
  private log: WriteStream;
  starts = 0;

  constructor(readonly spec: PieceSpec) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return Boolean(this.child && !hasExited(this.child));
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, this.spec.entry)], {
      cwd: PROJECT_ROOT,
      env: this.spec.env,
      detached: true, // own process group: the terminal's Ctrl-C reaches the runner only, which stops us
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    live.add(this);
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 120_000);
    while (Date.now() < deadline) {
      if (hasExited(child)) throw new Error(`${this.spec.name} exited during start-up (${child.exitCode ?? child.signalCode}); its log: ${this.spec.logFile}\n${this.tail()}`);
      if (await this.spec.ready().catch(() => false)) return;
      await sleep(250);
    }
    await this.kill();
    throw new Error(`${this.spec.name} was not ready within ${Math.round((this.spec.readyTimeoutMs ?? 120_000) / 1000)} s; its log: ${this.spec.logFile}\n${this.tail()}`);
  }

  /** SIGKILL: dies mid-whatever, no shutdown. Resolves once it has exited. */
  async kill(): Promise<void> {
    if (!this.child || hasExited(this.child)) return;
    this.child.kill('SIGKILL');
    await waitForExit(this.child);
  }

  /** SIGTERM (SIGKILL after `graceMs`); resolves once it has exited. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.child || hasExited(this.child)) return;
    await stopChild(this.child, graceMs);
  }

  /** Resident memory in kB (Linux /proc), or undefined. */
  rssKb(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  tail(lines = 15): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  close(): void {
    this.log.end();
  }
}

const live = new Set<Piece>();
const others = new Set<ChildProcess>();

/** Includes a child started elsewhere (the dev server) in killAllPiecesNow. */
export function trackChild(child: ChildProcess): void {
  others.add(child);
  child.once('exit', () => others.delete(child));
}

/** SIGKILLs every piece still running, synchronously (for process 'exit'). */
export function killAllPiecesNow(): void {
  for (const piece of live) if (piece.child && !hasExited(piece.child)) piece.child.kill('SIGKILL');
  for (const child of others) if (!hasExited(child)) child.kill('SIGKILL');
}

/** True when GET `url` answers 2xx. */
export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

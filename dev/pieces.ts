/**
 * A piece of the local system as its own process (dev/stack.ts, the bridge fuzzer): started with
 * `node --import tsx <entry>` (the same entry points as `npm run worker|sandbox|bridge|codec-server`) in the
 * orchestrator's working directory (so it reads the same ./.env) and an environment that says where everything is,
 * its output copied to a log file or to the terminal, and able to be stopped (SIGTERM), killed (SIGKILL: a real
 * crash) and started again on the same ports and state. Every process ever started here is tracked, so one call
 * kills them all on any exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { hasExited, pipeLines, sleep, stopChild, waitForExit } from './processes.js';
import { PROJECT_ROOT } from './temporal-binaries.js';

export { freePort } from './processes.js';

/** tsx's loader by path: `--import tsx` would resolve it from the working directory, which need not be this project. */
export const TSX_LOADER = createRequire(import.meta.url).resolve('tsx');

/** A piece of the stack, in this process or its own: it can be stopped and started again. */
export interface StackPiece {
  readonly name: string;
  /** The process's id when the piece is a process of its own (its latest, once started). */
  readonly pid: number | undefined;
  start(signal?: AbortSignal): Promise<void>;
  /** Resolves once it has stopped; a process gets `graceMs` after SIGTERM before SIGKILL. */
  stop(graceMs?: number): Promise<void>;
}

interface PieceSpec {
  name: string;
  /** Entry file relative to the project root, e.g. src/bridge/main.ts. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** A log file (appended to), or streams each line is copied to (a terminal). */
  output: string | { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
  /** Resolves once the piece is ready (polled every 250 ms until `readyTimeoutMs`). */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** An IPC channel to the child: its closing tells the child that we are gone, even after our SIGKILL. */
  ipc?: boolean;
  /** Node's own options before the entry (e.g. `--max-old-space-size=256`, `--cpu-prof`). */
  nodeArgs?: readonly string[];
}

export class Piece implements StackPiece {
  child: ChildProcess | undefined;
  private readonly log: WriteStream | undefined;
  private tailLines: () => string[] = () => [];
  starts = 0;

  constructor(readonly spec: PieceSpec) {
    this.log = typeof spec.output === 'string' ? createWriteStream(spec.output, { flags: 'a' }) : undefined;
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return Boolean(this.child && !hasExited(this.child));
  }

  async start(signal?: AbortSignal): Promise<void> {
    const child = spawn(process.execPath, [...(this.spec.nodeArgs ?? []), '--import', TSX_LOADER, join(PROJECT_ROOT, this.spec.entry)], {
      env: this.spec.env,
      detached: true, // own process group: the terminal's Ctrl-C reaches the orchestrator only, which stops us
      stdio: ['ignore', 'pipe', 'pipe', ...(this.spec.ipc ? (['ipc'] as const) : [])],
    });
    this.child = child;
    this.starts++;
    const [stdout, stderr] = typeof this.spec.output === 'string' ? [this.log, this.log] : [this.spec.output.stdout, this.spec.output.stderr];
    const outTail = pipeLines(child.stdout, stdout, '');
    const errTail = pipeLines(child.stderr, stderr, '');
    this.tailLines = () => [...outTail(), ...errTail()];
    live.add(this);
    const timeoutMs = this.spec.readyTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (signal?.aborted) break;
      if (hasExited(child)) throw new Error(`${this.spec.name} exited during start-up (${child.exitCode ?? child.signalCode})${this.whereLogged()}\n${this.tail()}`);
      if (await this.spec.ready().catch(() => false)) return;
      await sleep(250);
    }
    await this.kill();
    if (signal?.aborted) throw signal.reason;
    throw new Error(`${this.spec.name} was not ready within ${Math.round(timeoutMs / 1000)} s${this.whereLogged()}\n${this.tail()}`);
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

  /** Its last lines of output. */
  tail(lines = 15): string {
    return this.tailLines().slice(-lines).join('\n');
  }

  close(): void {
    this.log?.end();
  }

  private whereLogged(): string {
    return typeof this.spec.output === 'string' ? `; its log: ${this.spec.output}` : '';
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

/** True when anything answers at `url` (a server that has no health route). */
export async function httpAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

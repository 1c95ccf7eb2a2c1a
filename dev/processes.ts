/**
 * Child-process helpers for `npm start` and `npm run demo`: stop a child and wait for it, check that a port is
 * free before something binds it, and forward a child's output line by line.
 *
 * Children are started in their own process group (`detached`), so a Ctrl-C in the terminal reaches only the
 * orchestrator, which then stops them one by one in reverse start order. Without that, the terminal would signal
 * every process at once and the dev server could die while the worker is still finishing its activities.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves with the exit code (or the signal name) once the child has exited; at once if it already has. */
export async function waitForExit(child: ChildProcess): Promise<number | string> {
  if (!hasExited(child)) await once(child, 'exit');
  return child.exitCode ?? child.signalCode ?? 0;
}

/**
 * Sends `signal` (SIGTERM by default), waits up to `graceMs`, then SIGKILL and waits again. Resolves once the child
 * is gone: no child outlives the orchestrator.
 */
export async function stopChild(child: ChildProcess, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
  if (hasExited(child)) return child.exitCode ?? child.signalCode ?? 0;
  const exited = waitForExit(child);
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut && !hasExited(child)) child.kill('SIGKILL');
  return exited;
}

/** SIGKILL without waiting: the second Ctrl-C. */
/**
 * Stops a process we did not start in this run (a leftover found by its pid file): `signal`, up to `graceMs` for it
 * to exit, then SIGKILL.
 */
export async function stopStrayProcess(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  process.kill(pid, signal);
  for (let waited = 0; waited < graceMs; waited += 250) {
    await sleep(250);
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  process.kill(pid, 'SIGKILL');
}

export function killNow(child: ChildProcess | undefined): void {
  if (child && !hasExited(child)) child.kill('SIGKILL');
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned: fine on one machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    what: string,
    hint: string,
  ) {
    super(`${what}: ${host}:${port} is already in use. ${hint}`);
    this.name = 'PortInUseError';
  }
}

/** Throws PortInUseError when something already listens on host:port. */
export async function assertPortFree(host: string, port: number, what: string, hint: string): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, port, what, hint);
    throw err;
  } finally {
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Copies a child's output to `to`, line by line with `prefix`, and keeps the last `keep` lines for error messages.
 */
export function pipeLines(
  from: Readable | null,
  to: NodeJS.WritableStream | undefined,
  prefix: string,
  keep = 20,
  muted: () => boolean = () => false,
): () => string[] {
  const tail: string[] = [];
  let partial = '';
  from?.setEncoding('utf8');
  from?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > keep) tail.shift();
      if (!muted()) to?.write(`${prefix}${line}\n`);
    }
  });
  return () => (partial.trim() ? [...tail, partial] : [...tail]);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The environment for pieces a local harness starts (the chaos runner, the fleet bench): this process's environment
 * without any codec or secrets key, so every piece falls back to the development keys the harness seals and
 * decodes with, in development mode, at the harness's log level.
 */
export function developmentPieceEnv(logLevel: string): NodeJS.ProcessEnv {
  const { CODEC_KEYS: _k, CODEC_KEYS_FILE: _f, SECRETS_KEYS: _s, SECRETS_KEYS_FILE: _sf, SECRETS_PUBLIC_KEY: _sp, ...inherited } = process.env;
  return { ...inherited, NODE_ENV: 'development', LOG_LEVEL: logLevel };
}

/**
 * One stack per data folder. A stack takes `<DATA_DIR>/stack.lock` before it starts anything and gives it back once
 * everything has stopped; a second `npm start`, `npm run cluster` or `npm run demo` on a folder whose owner still
 * runs is refused with the owner's pid, since when and its ports, and changes nothing.
 *
 * The lock names its owner by pid *and* the process's start time: a lock whose process is gone, or whose pid now
 * belongs to another program (pids are reused; the start time then differs), is a dead leftover and is taken over.
 * Only then may the stack clean up what a dead stack left behind (a dev server that outlived a SIGKILLed
 * orchestrator, dev/dev-server.ts). proper-lockfile was considered: it tells a dead owner only by the lock's mtime
 * going stale, so it needs a timer refreshing the lock (a busy event loop or a suspended laptop then marks a live
 * stack's lock as compromised), makes a restart right after a crash wait for the stale period, and cannot say who
 * holds the lock; none of that is needed when the owner's identity can be checked directly.
 *
 * The file appears whole or not at all (written aside, then hard-linked into place, which fails if it exists). A
 * dead owner's lock is moved aside before it is removed, and put back if what was moved turns out to be a live
 * stack's that replaced it in between.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'stack.lock';

export interface LockOwner {
  pid: number;
  /** The process's start time as the system tells it (/proc's clock ticks since boot, else `ps`'s lstart). */
  processStart: string;
  /** What runs there, e.g. `npm start`. */
  command: string;
  startedAt: string;
  /** Where it listens, e.g. `BRIDGE_PORT 8787`. */
  ports: string[];
}

export class StackInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `a stack already runs on this data folder (${dataDir}): ${owner.command}, pid ${owner.pid}, since ${owner.startedAt}` +
        (owner.ports.length > 0 ? `, listening on ${owner.ports.join(', ')}` : '') +
        '.\nUse it (`npm run demo` and `npm run cli` find it), stop it first (Ctrl-C in its terminal), or start this one ' +
        'with another DATA_DIR and other ports.',
    );
    this.name = 'StackInUseError';
  }
}

/** Linux tells a process's start time in /proc; elsewhere (macOS) `ps` does. */
const HAS_PROC = existsSync('/proc/self/stat');

/** The start time of process `pid`, or undefined when no such process runs. */
export function processStartTime(pid: number): string | undefined {
  if (HAS_PROC) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (which may hold spaces and parentheses): state is field 3, starttime field 22.
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    } catch {
      return undefined;
    }
  }
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined; // ps exits 1 when no such process runs
  }
}

/** True while the lock's owner runs: the same pid with the same start time. */
function ownerIsLive(owner: LockOwner): boolean {
  return Number.isInteger(owner.pid) && owner.pid > 0 && processStartTime(owner.pid) === owner.processStart;
}

function readOwner(path: string): { raw: string; owner: LockOwner | undefined } | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return { raw, owner: JSON.parse(raw) as LockOwner };
  } catch {
    return { raw, owner: undefined }; // not a lock we wrote whole: nobody's
  }
}

/** Creates `path` holding `content`, atomically; false if it exists. */
function createWhole(path: string, content: string): boolean {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, content, { mode: 0o600 });
  try {
    linkSync(aside, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(aside);
  }
}

/** Removes the lock at `path` if it still is the dead one read as `raw`; a live lock that replaced it stays. */
function removeDead(path: string, raw: string): void {
  const aside = `${path}.dead.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else cleaned it
    throw err;
  }
  if (readFileSync(aside, 'utf8') !== raw) {
    try {
      linkSync(aside, path); // not the dead one: back into place
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  unlinkSync(aside);
}

interface DataFolderLock {
  /** Gives the folder back (only a lock that is still ours is removed). */
  release(): void;
}

/**
 * Takes `<dataDir>/stack.lock` for this process. Throws StackInUseError when a live stack holds it; a dead owner's
 * lock is reported through `notice` and taken over.
 */
export function lockDataFolder(dataDir: string, holder: Pick<LockOwner, 'command' | 'ports'>, notice: (line: string) => void = () => undefined): DataFolderLock {
  const path = join(dataDir, LOCK_FILE);
  const processStart = processStartTime(process.pid);
  if (processStart === undefined) throw new Error('cannot tell this process\'s start time (no /proc and no ps): the data folder lock needs it');
  const mine = JSON.stringify({ pid: process.pid, processStart, startedAt: new Date().toISOString(), ...holder } satisfies LockOwner);
  // A few rounds cover another start taking over the same dead lock at the same moment.
  for (let round = 0; round < 5; round++) {
    if (createWhole(path, mine)) {
      return {
        release: () => {
          if (readOwner(path)?.raw === mine) unlinkSync(path);
        },
      };
    }
    const found = readOwner(path);
    if (!found) continue; // released meanwhile
    if (found.owner && ownerIsLive(found.owner)) throw new StackInUseError(dataDir, found.owner);
    notice(`Taking over ${path}: ${found.owner ? `its stack (pid ${found.owner.pid}, ${found.owner.command}) is gone` : 'it is not a lock file we wrote'}`);
    removeDead(path, found.raw);
  }
  throw new Error(`could not take ${path}: other starts keep changing it`);
}

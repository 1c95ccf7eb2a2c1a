/**
 * What each process of the stack costs, from Linux's /proc: CPU time (user + system) and memory. A piece that is a
 * tree of processes (PostgreSQL: a postmaster and a backend per connection) is counted whole: its live
 * descendants' CPU plus what its reaped children used (cutime/cstime), and its memory as proportional set size (PSS),
 * so the shared buffers every backend maps are counted once.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { rssMb } from './stats.js';

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  ppid: number;
  /** Own user + system time, in clock ticks. */
  own: number;
  /** Reaped children's user + system time, in clock ticks. */
  children: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields that follow start after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    return { ppid: Number(fields[1]), own: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined;
  }
}

/** Every live process whose ancestry reaches `pid`. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parents.set(stat.ppid, [...(parents.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [...(parents.get(pid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    found.push(next);
    queue.push(...(parents.get(next) ?? []));
  }
  return found;
}

/** CPU seconds `pid` has used so far (its tree's with `tree`); NaN when it is gone. */
function cpuSeconds(pid: number | undefined, tree = false): number {
  if (pid === undefined) return Number.NaN;
  const root = readStat(pid);
  if (!root) return Number.NaN;
  let ticks = root.own + (tree ? root.children : 0);
  if (tree) for (const child of descendants(pid)) ticks += readStat(child)?.own ?? 0;
  return ticks / clockTicks;
}

function pssKb(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size of `pid` and its live descendants, in MB (memory shared between them counted once). */
export function treePssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + pssKb(p), 0) / 1024;
}

/** The processes a phase reads, by name: their pids now (several workers or bridges are summed), and whether each is a tree. */
export type Meters = Record<string, { pids: () => ReadonlyArray<number | undefined>; tree?: boolean }>;

/** CPU seconds of each process, and this process's own (`bench`: the driver competes for the same cores). */
export function cpuSnapshot(meters: Meters): Record<string, number> {
  const own = process.cpuUsage();
  const snapshot: Record<string, number> = { bench: (own.user + own.system) / 1e6 };
  for (const [name, m] of Object.entries(meters)) snapshot[name] = m.pids().reduce<number>((sum, pid) => sum + cpuSeconds(pid, m.tree), 0);
  return snapshot;
}

/** Seconds each process used between two snapshots. */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((name) => [name, (after[name] ?? Number.NaN) - (before[name] ?? Number.NaN)]));
}

/** Memory of each process now, in MB: RSS, or PSS summed over a tree. */
export function memorySnapshot(meters: Meters): Record<string, number> {
  return Object.fromEntries(Object.entries(meters).map(([name, m]) => [name, m.pids().reduce<number>((sum, pid) => sum + (m.tree ? treePssMb(pid) : rssMb(pid)), 0)]));
}

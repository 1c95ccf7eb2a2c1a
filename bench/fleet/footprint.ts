/**
 * What the parked fleet costs the processes that keep it: memory (RSS; PostgreSQL's processes as one PSS sum), CPU
 * time and disk, read before and after parking and divided by the customers parked. Disk is the Temporal dev
 * server's SQLite file (with its write-ahead log), or the cluster's PostgreSQL: its data folder and the two
 * databases' own sizes (`temporal`, `temporal_visibility`).
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLUSTER_DB_PASSWORD, CLUSTER_DB_USER } from '../../dev/cluster/cluster.js';
import { psqlPath } from '../../dev/cluster/postgres.js';
import { cpuSnapshot, cpuSpent, memorySnapshot } from './process-usage.js';
import type { FleetSystem } from './system.js';

const run = promisify(execFile);

interface DiskFigures {
  /** The store's files on disk (the SQLite file and its WAL, or PostgreSQL's data folder), MB. */
  filesMb: number;
  /** PostgreSQL's databases, MB (pg_database_size). */
  temporalDbMb?: number;
  visibilityDbMb?: number;
}

export interface FootprintSnapshot {
  memoryMb: Record<string, number>;
  cpuSeconds: Record<string, number>;
  disk: DiskFigures;
}

export interface FootprintFigures {
  before: FootprintSnapshot;
  after: FootprintSnapshot;
  parked: number;
  /** (after − before) / parked: memory and disk in KB, CPU in ms, per parked customer. */
  perParked: { memoryKb: Record<string, number>; cpuMs: Record<string, number>; disk: Record<string, number> };
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    try {
      total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
    } catch {
      // a file PostgreSQL removed meanwhile
    }
  }
  return total;
}

async function disk(system: FleetSystem, dataDir: string): Promise<DiskFigures> {
  if (!system.postgres) {
    const sqlite = readdirSync(dataDir).filter((f) => f.startsWith('temporal.sqlite'));
    return { filesMb: sqlite.reduce((sum, f) => sum + statSync(join(dataDir, f)).size, 0) / 2 ** 20 };
  }
  const { stdout } = await run(
    psqlPath(),
    ['-h', '127.0.0.1', '-p', String(system.postgres.port), '-U', CLUSTER_DB_USER, '-d', 'temporal', '-At', '-c', "select pg_database_size('temporal'), pg_database_size('temporal_visibility')"],
    { env: { ...process.env, PGPASSWORD: CLUSTER_DB_PASSWORD } },
  );
  const [temporal, visibility] = stdout.trim().split('|').map(Number) as [number, number];
  // As root the folder is PostgreSQL's own user's (0700): then only the databases' sizes are known.
  let filesMb = Number.NaN;
  try {
    filesMb = folderBytes(system.postgres.dataDir) / 2 ** 20;
  } catch {
    // unreadable
  }
  return { filesMb, temporalDbMb: temporal / 2 ** 20, visibilityDbMb: visibility / 2 ** 20 };
}

export async function footprint(system: FleetSystem, dataDir: string): Promise<FootprintSnapshot> {
  return { memoryMb: memorySnapshot(system.meters), cpuSeconds: cpuSnapshot(system.meters), disk: await disk(system, dataDir) };
}

export function perParked(before: FootprintSnapshot, after: FootprintSnapshot, parked: number): FootprintFigures {
  const per = (a: Record<string, number>, b: Record<string, number>, scale: number) =>
    Object.fromEntries(Object.keys(b).filter((k) => Number.isFinite(b[k]! - a[k]!)).map((k) => [k, ((b[k]! - a[k]!) * scale) / parked]));
  const diskOf = (d: DiskFigures): Record<string, number> => ({ files: d.filesMb, ...(d.temporalDbMb !== undefined ? { temporalDb: d.temporalDbMb, visibilityDb: d.visibilityDbMb! } : {}) });
  return {
    before,
    after,
    parked,
    perParked: {
      memoryKb: per(before.memoryMb, after.memoryMb, 1024),
      cpuMs: Object.fromEntries(Object.entries(cpuSpent(before.cpuSeconds, after.cpuSeconds)).filter(([, s]) => Number.isFinite(s)).map(([k, s]) => [k, (s * 1000) / parked])),
      disk: per(diskOf(before.disk), diskOf(after.disk), 1024),
    },
  };
}

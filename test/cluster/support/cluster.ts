/**
 * A cluster of the test's own: a private PostgreSQL and the self-hosted Temporal server on free ports with a
 * temporary data folder, set up by the same code as `npm run cluster` (dev/cluster). Each part can be killed
 * and started again on the same state and ports, and psql reads the databases directly.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { ensureClusterBinaries, type ClusterBinaries } from '../../../dev/cluster/binaries.js';
import { CLUSTER_DB_PASSWORD, CLUSTER_DB_USER } from '../../../dev/cluster/cluster.js';
import { psqlPath, startPostgres, type RunningPostgres } from '../../../dev/cluster/postgres.js';
import { createNamespace, freeClusterBase, serverPortsFrom, setupSchema, startTemporalServer, type DatabaseSettings, type RunningTemporalServer, type ServerPorts } from '../../../dev/cluster/temporal-server.js';
import { dataConverter } from '../../support/lifecycle.js';
import { freePort } from '../../support/crash.js';

const run = promisify(execFile);

export interface TestCluster {
  dataDir: string;
  address: string;
  namespace: string;
  ports: ServerPorts;
  db: DatabaseSettings;
  postgres: RunningPostgres;
  server: RunningTemporalServer;
  /** An encrypting client (development key) on a connection that reconnects across server restarts. */
  client: Client;
  /** Runs one statement with psql; rows as `|`-separated lines. */
  psql(database: 'temporal' | 'temporal_visibility', sql: string): Promise<string[]>;
  /** Stops the server (SIGKILL: a crash) and starts it again on the same ports and databases. */
  restartServer(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Stops PostgreSQL (fast shutdown) and starts it again on the same data; `whileDown` runs in between. */
  restartPostgres(whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Clusters still running when the test process exits (a failed or interrupted run) die with it. */
const liveClusters = new Set<TestCluster>();
process.once('exit', () => {
  for (const cluster of liveClusters) {
    for (const child of [cluster.server.child, cluster.postgres.child]) if (child.exitCode === null) child.kill('SIGKILL');
  }
});

export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** A temporary folder PostgreSQL can enter when it runs as its own user (we are root on the CI machines). */
export function clusterDataDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export async function startTestCluster({ namespace = 'default' }: { namespace?: string } = {}): Promise<TestCluster> {
  const binaries: ClusterBinaries = ensureClusterBinaries();
  const dataDir = clusterDataDir('vobiz-cluster-');
  const [pg] = (await freePorts(1)) as [number];
  const ports: ServerPorts = serverPortsFrom(await freeClusterBase());
  const db: DatabaseSettings = { port: pg, user: CLUSTER_DB_USER, password: CLUSTER_DB_PASSWORD };
  const output = { write: () => true } as unknown as NodeJS.WritableStream; // quiet; failures carry the last lines
  const startPg = () => startPostgres({ dir: join(dataDir, 'postgres'), port: pg, user: db.user, password: db.password, output });
  const startServer = () => startTemporalServer({ binaries, dir: dataDir, ports, db, output });

  const postgres = await startPg();
  let server: RunningTemporalServer | undefined;
  let connection: Connection | undefined;
  try {
    await setupSchema(binaries, db);
    server = await startServer();
    await createNamespace(server.address, namespace);
    connection = await Connection.connect({ address: server.address });
  } catch (err) {
    await server?.stop('SIGKILL');
    await postgres.stop();
    throw err;
  }
  const cluster: TestCluster = {
    dataDir,
    address: server.address,
    namespace,
    ports,
    db,
    postgres,
    server,
    client: new Client({ connection, namespace, dataConverter }),
    async psql(database, sql) {
      const { stdout } = await run(psqlPath(), ['-h', '127.0.0.1', '-p', String(pg), '-U', db.user, '-d', database, '-At', '-c', sql], {
        env: { ...process.env, PGPASSWORD: db.password },
      });
      return stdout.split('\n').filter(Boolean);
    },
    async restartServer(signal) {
      await cluster.server.stop(signal);
      cluster.server = await startServer();
    },
    async restartPostgres(whileDown) {
      await cluster.postgres.stop();
      await whileDown?.();
      cluster.postgres = await startPg();
    },
    async close() {
      liveClusters.delete(cluster);
      await connection?.close().catch(() => undefined);
      await cluster.server.stop();
      await cluster.postgres.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  liveClusters.add(cluster);
  return cluster;
}

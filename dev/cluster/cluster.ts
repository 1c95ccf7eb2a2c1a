/**
 * The production-shaped Temporal for `npm run cluster` / `npm run demo -- --cluster`: a private PostgreSQL, the
 * schema jobs, the self-hosted server with the compose deployment's dynamic config, the namespace job, and the
 * Web UI server — each started in dependency order, stopped in reverse. State lives under <DATA_DIR>/cluster/
 * (postgres/ holds the databases), so a restart keeps every workflow.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clusterBinaries, ensureClusterBinaries, TEMPORAL_SERVER_VERSION } from './binaries.js';
import { startPostgres, stopLeftoverPostgres, type RunningPostgres } from './postgres.js';
import { createNamespace, serverPortsFrom, setupSchema, startTemporalServer, stopLeftoverTemporalServer, type DatabaseSettings, type RunningTemporalServer, type ServerPorts } from './temporal-server.js';
import { startUiServer, type RunningUiServer } from './ui-server.js';

/** Local-only credentials of the private PostgreSQL (it listens on 127.0.0.1), as in the server's dev config. */
export const CLUSTER_DB_USER = 'temporal';
export const CLUSTER_DB_PASSWORD = 'temporal';

interface ClusterOptions {
  /** <DATA_DIR>/cluster is the cluster's folder. */
  dataDir: string;
  /** Frontend gRPC port; the server's other ports follow the upstream layout (serverPortsFrom). */
  port: number;
  ports?: ServerPorts;
  uiPort: number;
  postgresPort: number;
  namespace: string;
  /** The server's dynamic config (default deploy/dynamicconfig/development.yaml; the fleet bench runs production.yaml). */
  dynamicConfigPath?: string;
  /** For the Web UI. */
  codecEndpoint?: string;
  output?: NodeJS.WritableStream;
  /** Progress lines ("schema up to date", …). */
  log?: (message: string) => void;
  signal?: AbortSignal;
}

interface RunningCluster {
  address: string;
  uiUrl: string;
  postgres: RunningPostgres;
  server: RunningTemporalServer;
  ui: RunningUiServer;
  dir: string;
  description: string;
  children: { name: string; child: ChildProcess }[];
  stop(): Promise<void>;
}

class ClusterAbortedError extends Error {
  constructor() {
    super('cluster start-up interrupted');
    this.name = 'ClusterAbortedError';
  }
}

/**
 * The Temporal server and PostgreSQL a dead stack left running on `dataDir` (an orchestrator SIGKILLed), stopped.
 * The caller makes sure no live stack uses the folder (dev/stack-lock.ts).
 */
export async function stopClusterLeftovers(dataDir: string): Promise<void> {
  const dir = join(resolve(dataDir), 'cluster');
  await stopLeftoverTemporalServer(dir, clusterBinaries().server);
  await stopLeftoverPostgres(join(dir, 'postgres'));
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const log = options.log ?? (() => undefined);
  const dir = join(resolve(options.dataDir), 'cluster');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root and must enter this folder
  // ... and DATA_DIR above it, which is otherwise this user's only (0700): enter, not list.
  if (process.getuid?.() === 0) chmodSync(resolve(options.dataDir), 0o711);
  const binaries = ensureClusterBinaries();
  const db: DatabaseSettings = { port: options.postgresPort, user: CLUSTER_DB_USER, password: CLUSTER_DB_PASSWORD };
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  const checkAbort = () => {
    if (options.signal?.aborted) throw new ClusterAbortedError();
  };
  try {
    const postgres = await startPostgres({ dir: join(dir, 'postgres'), port: options.postgresPort, user: db.user, password: db.password, ...(options.output ? { output: options.output } : {}) });
    stops.push(() => postgres.stop());
    log(`PostgreSQL ready on 127.0.0.1:${postgres.port} (pid ${postgres.pid})`);
    checkAbort();
    await setupSchema(binaries, db);
    log('schemas of temporal and temporal_visibility up to date (deploy/temporal/setup-schema.sh)');
    checkAbort();
    const ports = options.ports ?? serverPortsFrom(options.port);
    const server = await startTemporalServer({
      binaries,
      dir,
      ports,
      db,
      ...(options.dynamicConfigPath ? { dynamicConfigPath: options.dynamicConfigPath } : {}),
      ...(options.output ? { output: options.output } : {}),
    });
    stops.push(() => server.stop());
    log(`Temporal server ${TEMPORAL_SERVER_VERSION} ready on ${server.address} (pid ${server.pid})`);
    checkAbort();
    await createNamespace(server.address, options.namespace);
    log(`namespace ${options.namespace} and search attributes registered (deploy/temporal/create-namespace.sh)`);
    checkAbort();
    const ui = await startUiServer({
      binary: binaries.uiServer,
      dir: join(dir, 'ui'),
      temporalAddress: server.address,
      port: options.uiPort,
      namespace: options.namespace,
      ...(options.codecEndpoint ? { codecEndpoint: options.codecEndpoint } : {}),
      ...(options.output ? { output: options.output } : {}),
    });
    stops.push(() => ui.stop());
    return {
      address: server.address,
      uiUrl: ui.url,
      postgres,
      server,
      ui,
      dir,
      description: `Temporal server ${TEMPORAL_SERVER_VERSION} pid ${server.pid} on PostgreSQL 127.0.0.1:${postgres.port} (pid ${postgres.pid}, data in ${join(dir, 'postgres')})`,
      children: [
        { name: 'postgres', child: postgres.child },
        { name: 'temporal server', child: server.child },
        { name: 'temporal web ui', child: ui.child },
      ],
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

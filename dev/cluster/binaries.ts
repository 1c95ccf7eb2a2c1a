/**
 * Where the self-hosted cluster's programs live: `temporal-server`, `temporal-sql-tool` and the Web UI server,
 * built from the Go module proxy by scripts/build-temporal-server.mjs into .tools/temporal-server-<version>/
 * together with the server module's PostgreSQL config and schema; and Debian's PostgreSQL.
 *
 * `ensureClusterBinaries()` runs that script (idempotent: it returns at once when the build is there), so every
 * entry point — `npm run cluster`, `npm run demo -- --cluster`, the cluster tests — builds on a fresh machine.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import versions from '../../temporal-versions.json' with { type: 'json' };
import { PROJECT_ROOT } from '../temporal-binaries.js';

/** temporal-versions.json: the same as the temporalio/server and admin-tools images in docker-compose.yml (a unit test checks). */
export const TEMPORAL_SERVER_VERSION = versions.server;
/** temporal-versions.json: the same as the temporalio/ui image in docker-compose.yml. */
export const TEMPORAL_UI_VERSION = versions.ui;

export interface ClusterBinaries {
  home: string;
  server: string;
  sqlTool: string;
  uiServer: string;
  /** The server module's config/development-postgres12.yaml. */
  configTemplate: string;
  /** The server module's schema/postgresql/v12 (temporal/ and visibility/). */
  schemaRoot: string;
}

const BUILD_SCRIPT = join(PROJECT_ROOT, 'scripts', 'build-temporal-server.mjs');

export function clusterBinaries(home = join(PROJECT_ROOT, '.tools', `temporal-server-${TEMPORAL_SERVER_VERSION}`)): ClusterBinaries {
  return {
    home,
    server: join(home, 'bin', 'temporal-server'),
    sqlTool: join(home, 'bin', 'temporal-sql-tool'),
    uiServer: join(home, 'bin', 'temporal-ui-server'),
    configTemplate: join(home, 'config', 'development-postgres12.yaml'),
    schemaRoot: join(home, 'schema', 'postgresql', 'v12'),
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Builds (first time, ~10 min) or finds the cluster's binaries; the build's progress goes to our stderr. */
export function ensureClusterBinaries(): ClusterBinaries {
  execFileSync(process.execPath, [BUILD_SCRIPT, '--quiet'], { stdio: ['ignore', process.stderr, process.stderr] });
  const binaries = clusterBinaries();
  for (const path of [binaries.server, binaries.sqlTool, binaries.uiServer]) {
    if (!isExecutable(path)) throw new Error(`${path} is missing after ${BUILD_SCRIPT}; delete ${binaries.home} and run it again`);
  }
  return binaries;
}

/** Debian's PostgreSQL server programs (newest installed major version). */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => isExecutable(join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error(`PostgreSQL is not installed (no ${base}/<version>/bin/postgres): run \`node ${BUILD_SCRIPT}\` or apt-get install postgresql`);
  return join(base, versions[0], 'bin');
}

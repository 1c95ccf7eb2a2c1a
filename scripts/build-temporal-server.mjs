#!/usr/bin/env node
// Builds the self-hosted Temporal server for `npm run cluster` and `npm run test:cluster`: `temporal-server` and
// `temporal-sql-tool` from the Go module go.temporal.io/server at the version docker-compose.yml runs, plus that
// module's PostgreSQL config template and schema files, into the git-ignored .tools/temporal-server-<version>/.
// These machines reach package registries only (no Docker Hub, no GitHub releases), and the Go module proxy is one.
// It also installs Debian's PostgreSQL when missing (run as root), the database the cluster runs on.
//
// Idempotent: with the same version already built it returns at once. A build takes ~8-10 minutes on 2 busy cores
// (run under `nice`); the Go module and build caches (GOPATH, GOCACHE) make a rebuild after `rm -rf .tools` quick.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** temporal-versions.json: the server (and the compose images), and the Web UI server (the temporalio/ui image). */
const versions = JSON.parse(readFileSync(join(root, 'temporal-versions.json'), 'utf8'));
export const TEMPORAL_SERVER_VERSION = versions.server;
export const TEMPORAL_UI_VERSION = versions.ui;
const home = join(root, '.tools', `temporal-server-${TEMPORAL_SERVER_VERSION}`);
const bin = join(home, 'bin');
const marker = join(home, 'installed.json');
const binaries = ['temporal-server', 'temporal-sql-tool', 'temporal-ui-server'].map((b) => join(bin, b));
const quiet = process.argv.includes('--quiet');
const say = (msg) => {
  if (!quiet) process.stdout.write(`${msg}\n`);
};

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function built() {
  if (!existsSync(marker) || !binaries.every(isExecutable)) return false;
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    return m.version === TEMPORAL_SERVER_VERSION && m.ui === TEMPORAL_UI_VERSION;
  } catch {
    return false;
  }
}

/** Debian's PostgreSQL server binaries (initdb, postgres, pg_isready), installed with apt-get when missing. */
function ensurePostgres() {
  const present = () => existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => isExecutable(join('/usr/lib/postgresql', v, 'bin', 'postgres')));
  if (present()) return;
  process.stdout.write('Installing Debian package: postgresql ...\n');
  const asRoot = process.getuid?.() === 0;
  const run = (args) => execFileSync(asRoot ? args[0] : 'sudo', asRoot ? args.slice(1) : args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', 'postgresql']);
  } catch (err) {
    fail(`Could not install postgresql with apt-get (${err.message}). Install it yourself (apt-get install postgresql).`);
  }
  if (!present()) fail('apt-get installed postgresql but no /usr/lib/postgresql/<version>/bin/postgres exists.');
}

function goBinary() {
  for (const candidate of [process.env.GO, 'go', '/usr/local/go/bin/go'].filter(Boolean)) {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // next
    }
  }
  return fail('Go is needed to build the Temporal server (https://go.dev/dl/, or set GO to the go binary).');
}

ensurePostgres();
if (built()) {
  say(`Temporal server ${TEMPORAL_SERVER_VERSION} present in ${home}`);
  process.exit(0);
}

const go = goBinary();
const src = join(home, 'src');
mkdirSync(src, { recursive: true });
mkdirSync(bin, { recursive: true });
// A throwaway module that depends on the server at the pinned version; `go build <package path>` then builds the
// server's own commands with the server's own go.mod constraints.
writeFileSync(join(src, 'go.mod'), 'module localbuild/temporalserver\n\ngo 1.24\n');
writeFileSync(
  join(src, 'tools.go'),
  '//go:build tools\n\npackage tools\n\nimport (\n\t_ "go.temporal.io/server/cmd/server"\n\t_ "go.temporal.io/server/cmd/tools/sql"\n)\n',
);
// GOTOOLCHAIN=auto: a machine Go older than the server's go directive fetches the right toolchain from the proxy.
const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto' };
const goRun = (args) => execFileSync('nice', ['-n', '10', go, ...args], { cwd: src, env, stdio: ['ignore', 'inherit', 'inherit'] });
const started = Date.now();
process.stdout.write(`Building the Temporal server ${TEMPORAL_SERVER_VERSION} (go.temporal.io/server) into ${home}; about 10 minutes the first time ...\n`);
try {
  goRun(['get', `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`]);
  goRun(['build', '-o', binaries[0], 'go.temporal.io/server/cmd/server']);
  goRun(['build', '-o', binaries[1], 'go.temporal.io/server/cmd/tools/sql']);
  // The Web UI server, in a module of its own: it needs ui-server's replace directive, which Go applies only in
  // the main module.
  const uiSrc = join(home, 'src-ui');
  mkdirSync(uiSrc, { recursive: true });
  writeFileSync(
    join(uiSrc, 'go.mod'),
    `module localbuild/temporalui\n\ngo 1.23\n\nreplace github.com/grpc-ecosystem/grpc-gateway => github.com/temporalio/grpc-gateway v1.17.0\n`,
  );
  writeFileSync(join(uiSrc, 'tools.go'), '//go:build tools\n\npackage tools\n\nimport _ "github.com/temporalio/ui-server/v2/cmd/server"\n');
  const goUi = (args) => execFileSync('nice', ['-n', '10', go, ...args], { cwd: uiSrc, env, stdio: ['ignore', 'inherit', 'inherit'] });
  goUi(['get', `github.com/temporalio/ui-server/v2@v${TEMPORAL_UI_VERSION}`]);
  goUi(['build', '-o', binaries[2], 'github.com/temporalio/ui-server/v2/cmd/server']);
} catch (err) {
  fail(`Building the Temporal server failed: ${err.message}`);
}

// The module's own PostgreSQL config (the cluster rewrites its ports) and schema files, kept next to the binaries
// so running never depends on the Go module cache.
const moduleDir = execFileSync(go, ['list', '-m', '-f', '{{.Dir}}', 'go.temporal.io/server'], { cwd: src, env, encoding: 'utf8' }).trim();
rmSync(join(home, 'config'), { recursive: true, force: true });
rmSync(join(home, 'schema'), { recursive: true, force: true });
cpSync(join(moduleDir, 'config', 'development-postgres12.yaml'), join(home, 'config', 'development-postgres12.yaml'));
cpSync(join(moduleDir, 'schema', 'postgresql', 'v12'), join(home, 'schema', 'postgresql', 'v12'), { recursive: true });
execFileSync('chmod', ['-R', 'u+w', join(home, 'config'), join(home, 'schema')]); // module cache files are read-only

writeFileSync(marker, JSON.stringify({ version: TEMPORAL_SERVER_VERSION, ui: TEMPORAL_UI_VERSION, builtInSeconds: Math.round((Date.now() - started) / 1000) }, null, 2) + '\n');
process.stdout.write(`Built temporal-server, temporal-sql-tool ${TEMPORAL_SERVER_VERSION} and temporal-ui-server ${TEMPORAL_UI_VERSION} in ${Math.round((Date.now() - started) / 1000)} s\n`);

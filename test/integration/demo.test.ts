/**
 * `npm run demo` end to end, as a user runs it: a child process that starts its own stack (a second Temporal dev
 * server, codec server, sandbox, bridge, worker) on free ports with a temporary data folder — so it collides
 * neither with the run's shared dev server nor with a developer's `npm start` — takes one customer to `active`
 * with KYC completed in the sandbox widget and delivered by signed webhook, stops everything and exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertPortFree } from '../../dev/processes.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** The parent's environment without anything that would point the demo at another Temporal, Vobiz or bridge. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(TEMPORAL_|VOBIZ_|SANDBOX_|BRIDGE_|CODEC_|WORKER_|DATA_DIR$|DEMO_)/.test(name) && name !== 'TEMPORAL_CLI') delete env[name];
  }
  return env;
}

describe('npm run demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vobiz-demo-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts its own stack, takes one customer to active through the widget and webhook, stops it and exits 0', async () => {
    const [temporalPort, uiPort, codecPort, sandboxPort, bridgePort] = (await freePorts(5)) as [number, number, number, number, number];
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'dev', 'demo.ts')], {
      cwd: PROJECT_ROOT,
      env: {
        ...cleanEnv(),
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        TEMPORAL_DEV_PORT: String(temporalPort),
        TEMPORAL_DEV_UI_PORT: String(uiPort),
        CODEC_SERVER_PORT: String(codecPort),
        SANDBOX_PORT: String(sandboxPort),
        BRIDGE_PORT: String(bridgePort),
        BRIDGE_METRICS: 'false', // its own listener on a fixed port otherwise
        DEMO_TIMEOUT_SECONDS: '80',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));

    expect(code, `demo exited ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr.slice(-4000)}`).toBe(0);
    expect(stdout).toContain(`Temporal 127.0.0.1:${temporalPort}`);
    expect(stdout).toContain('completing it through the sandbox\'s widget page over HTTP');
    expect(stdout).toMatch(/the bridge verified the webhook and signalled the workflow \(events seen: [1-9]/);
    expect(stdout).toMatch(/Customer demo-\d+ is active/);
    expect(stdout).toMatch(/auth id +MA_[A-Z0-9]+/);
    expect(stdout).toMatch(/trunk +\S+ → \S+\.sip\.vobiz\.ai/);
    expect(stdout).toContain(`http://localhost:${uiPort}/namespaces/default/workflows/customer-demo-`);

    // State lives in the data folder, and nothing is left running: every port is free again, no pid file remains.
    expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(true);
    expect(existsSync(join(dataDir, 'sandbox.sqlite'))).toBe(true);
    expect(existsSync(join(dataDir, 'temporal-dev.pid'))).toBe(false);
    const workerPid = Number(/worker pid (\d+)/.exec(stdout)?.[1]);
    expect(workerPid).toBeGreaterThan(1);
    expect(() => process.kill(workerPid, 0), `worker pid ${workerPid} still runs`).toThrow();
    for (const port of [temporalPort, uiPort, codecPort, sandboxPort, bridgePort]) {
      await assertPortFree('127.0.0.1', port, `port ${port} after the demo`, 'something the demo started is still running');
    }
  }, 100_000);
});

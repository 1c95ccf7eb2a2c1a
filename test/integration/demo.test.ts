/**
 * `npm run demo` end to end, as a user runs it: a child process that starts its own stack (a second Temporal dev
 * server, codec server, sandbox, bridge, worker) on free ports with a temporary data folder — so it collides
 * neither with the run's shared dev server nor with a developer's `npm start` — takes one customer to `active`
 * with KYC completed in the sandbox widget and delivered by signed webhook, stops everything and exits 0, printing
 * no link into the stack it stops. With `--keep` it prints the links and leaves the stack up until Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertPortFree } from '../../dev/processes.js';
import { TSX_LOADER } from '../../dev/pieces.js';
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

interface Demo {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  ports: { temporal: number; ui: number; codec: number; sandbox: number; bridge: number };
}

async function startDemo(dataDir: string, args: string[] = []): Promise<Demo> {
  const [temporal, ui, codec, sandbox, bridge] = (await freePorts(5)) as [number, number, number, number, number];
  // Run in the data folder's parent, not the project: a developer's ./.env there must not reach the demo.
  const child = spawn(process.execPath, ['--import', TSX_LOADER, join(PROJECT_ROOT, 'dev', 'demo.ts'), ...args], {
    cwd: dirname(dataDir),
    env: {
      ...cleanEnv(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      TEMPORAL_DEV_PORT: String(temporal),
      TEMPORAL_DEV_UI_PORT: String(ui),
      CODEC_SERVER_PORT: String(codec),
      SANDBOX_PORT: String(sandbox),
      BRIDGE_PORT: String(bridge),
      BRIDGE_METRICS: 'false', // its own listener on a fixed port otherwise
      DEMO_TIMEOUT_SECONDS: '80',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr, ports: { temporal, ui, codec, sandbox, bridge } };
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (c) => resolve(c))));
const report = (demo: Demo, code: number | null) => `demo exited ${code}\n--- stdout\n${demo.stdout()}\n--- stderr\n${demo.stderr().slice(-4000)}`;

function expectActiveCustomer(stdout: string, temporalPort: number): void {
  expect(stdout).toContain(`Temporal 127.0.0.1:${temporalPort}`);
  expect(stdout).toContain('completing it through the sandbox\'s widget page over HTTP');
  expect(stdout).toMatch(/the bridge verified the webhook and signalled the workflow \(events seen: [1-9]/);
  expect(stdout).toMatch(/Customer demo-\d+ is active/);
  expect(stdout).toMatch(/auth id +MA_[A-Z0-9]+/);
  expect(stdout).toMatch(/trunk +\S+ → \S+\.sip\.vobiz\.ai/);
}

/** Nothing the demo started is left running: every port is free again, no pid file or lock remains. */
async function expectAllStopped(demo: Demo, dataDir: string): Promise<void> {
  expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(true);
  expect(existsSync(join(dataDir, 'sandbox.sqlite'))).toBe(true);
  expect(existsSync(join(dataDir, 'temporal-dev.pid'))).toBe(false);
  expect(existsSync(join(dataDir, 'stack.lock'))).toBe(false);
  const workerPid = Number(/worker pid (\d+)/.exec(demo.stdout())?.[1]);
  expect(workerPid).toBeGreaterThan(1);
  expect(() => process.kill(workerPid, 0), `worker pid ${workerPid} still runs`).toThrow();
  for (const port of Object.values(demo.ports)) {
    await assertPortFree('127.0.0.1', port, `port ${port} after the demo`, 'something the demo started is still running');
  }
}

describe('npm run demo', () => {
  const root = mkdtempSync(join(tmpdir(), 'vobiz-demo-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts its own stack, takes one customer to active through the widget and webhook, stops it and exits 0', async () => {
    const dataDir = join(root, 'once');
    const demo = await startDemo(dataDir);
    const code = await exited(demo.child);
    expect(code, report(demo, code)).toBe(0);
    expectActiveCustomer(demo.stdout(), demo.ports.temporal);
    // The stack stops with the demo: no link into it is printed, only how to keep it.
    expect(demo.stdout()).not.toContain(`http://localhost:${demo.ports.ui}`);
    expect(demo.stdout()).not.toContain(`/_sandbox/outbox`);
    expect(demo.stdout()).toContain('`npm run demo -- --keep` leaves it running');
    await expectAllStopped(demo, dataDir);
  }, 100_000);

  it('with --keep, prints the links and leaves the stack running until Ctrl-C', async () => {
    const dataDir = join(root, 'kept');
    const demo = await startDemo(dataDir, ['--keep']);
    for (let waited = 0; !demo.stdout().includes('Ctrl-C stops it'); waited += 250) {
      if (demo.child.exitCode !== null || waited > 100_000) throw new Error(report(demo, demo.child.exitCode));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expectActiveCustomer(demo.stdout(), demo.ports.temporal);
    const workflowLink = new RegExp(`Web UI +(http://localhost:${demo.ports.ui}/namespaces/default/workflows/customer-demo-\\S+)`).exec(demo.stdout())?.[1];
    expect(workflowLink).toBeDefined();
    expect(demo.stdout()).toContain(`KYC e-mails    http://127.0.0.1:${demo.ports.sandbox}/_sandbox/outbox`);

    // Moments later the links still lead somewhere: the Web UI serves the customer's page, the outbox its e-mail.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(demo.child.exitCode).toBeNull();
    expect((await fetch(workflowLink!)).status).toBe(200);
    const outbox = await fetch(`http://127.0.0.1:${demo.ports.sandbox}/_sandbox/outbox`, { headers: { accept: 'text/html' } });
    expect(await outbox.text()).toContain('class="kyc-link"');
    expect((await fetch(`http://127.0.0.1:${demo.ports.bridge}/readyz`)).status).toBe(200);

    demo.child.kill('SIGINT');
    const code = await exited(demo.child);
    expect(code, report(demo, code)).toBe(0);
    await expectAllStopped(demo, dataDir);
  }, 140_000);
});

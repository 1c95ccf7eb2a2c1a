/**
 * Crash-test helpers: a lifecycle worker in a child process that can be SIGKILLed (a real crash), a Temporal dev
 * server of the test's own on a SQLite file that can be stopped and started again on the same file and port, and
 * small polling helpers. The children are started directly (`node --import tsx`, the CLI binary itself) so the
 * signal reaches the process that does the work, not a wrapper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection, type WorkflowHandle } from '@temporalio/client';
import { PROJECT_ROOT, temporalCliPath } from '../../dev/temporal-binaries.js';
import type { FaultRule, SandboxAdminClient } from '../../sandbox/admin-client.js';
import { TEST_PARTNER } from '../../sandbox/testing.js';
import { kycEventSignal, type LifecycleState } from '../../src/workflows/messages.js';
import { searchAttributeFlags } from '../../src/workflows/search-attributes.js';
import { WORKFLOWS_PATH, atStage, waitForState } from './lifecycle.js';
import { workflowBundle } from './temporal.js';

const CRASH_WORKER = fileURLToPath(new URL('../fixtures/crash-worker.ts', import.meta.url));

/** Polls `fn` until it returns a value other than undefined/false. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})` : ''}`);
}

/** The sandbox's fault rule for `route` (as added), once it has fired at least `hits` times. */
export function faultHit(admin: SandboxAdminClient, route: string, hits = 1): () => Promise<FaultRule | undefined> {
  const [method = '', pattern = ''] = route.split(/\s+/, 2);
  return async () => (await admin.faults()).find((f) => f.method === method && f.pattern === pattern && f.hits >= hits);
}

export { freePort } from '../../dev/processes.js';

export interface Relay {
  url: string;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of the sandbox that, like a load balancer which has already forwarded a request, keeps
 * the upstream connection open when the caller disappears, so Vobiz finishes (and commits) a request whose
 * sender died. Without it the sandbox (Node's HTTP server) drops a request whose client is gone before its body
 * is read, and a crash could only ever lose the request, never orphan a committed one.
 */
export async function startRelay(target: string, { orphanGraceMs = 15_000 }: { orphanGraceMs?: number } = {}): Promise<Relay> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    track(client);
    track(upstream);
    client.pipe(upstream, { end: false }); // a caller's FIN must not reach Vobiz: it would abort the request
    upstream.pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => {
      // The caller is gone: let Vobiz finish, discard its answer, then hang up.
      upstream.resume();
      setTimeout(() => upstream.destroy(), orphanGraceMs).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const relayPort = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${relayPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The workflow bundle written to a file, so each child worker loads it instead of bundling again (seconds each). */
export async function workflowBundleFile(): Promise<string> {
  const { code } = await workflowBundle(WORKFLOWS_PATH);
  const path = join(mkdtempSync(join(tmpdir(), 'crash-bundle-')), 'workflows.js');
  writeFileSync(path, code);
  return path;
}

/** Children still running when the test process exits (a failed or timed-out test) are killed with it. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

function own(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** Keeps the last lines a child wrote (its pipes must be drained, or a chatty child blocks), for error messages. */
function tail(child: ChildProcess, lines: string[]): void {
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 50) lines.splice(0, lines.length - 50);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface ChildWorker {
  pid: number;
  /** SIGKILL: the process dies mid-whatever, with no shutdown; resolves once it has exited. */
  crash(): Promise<void>;
}

interface ChildWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  sandboxUrl: string;
  bundlePath: string;
  /** Worker versioning: run as this build of this Worker Deployment (AUTO_UPGRADE, as src/worker.ts). */
  deployment?: { deploymentName: string; buildId: string };
  /** Where the sandbox sends the KYC webhooks of sessions this worker opens. */
  kycWebhookUrl?: string;
}

/** Starts test/fixtures/crash-worker.ts in its own process; resolves once it polls the task queue. */
export async function startChildWorker(options: ChildWorkerOptions): Promise<ChildWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', CRASH_WORKER], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CRASH_TEMPORAL_ADDRESS: options.address,
      CRASH_NAMESPACE: options.namespace,
      CRASH_TASK_QUEUE: options.taskQueue,
      CRASH_SANDBOX_URL: options.sandboxUrl,
      CRASH_BUNDLE_PATH: options.bundlePath,
      CRASH_PARTNER_AUTH_ID: TEST_PARTNER.authId,
      CRASH_PARTNER_AUTH_TOKEN: TEST_PARTNER.authToken,
      ...(options.kycWebhookUrl ? { CRASH_KYC_WEBHOOK_URL: options.kycWebhookUrl } : {}),
      ...(options.deployment ? { CRASH_DEPLOYMENT_NAME: options.deployment.deploymentName, CRASH_BUILD_ID: options.deployment.buildId } : {}),
    },
  });
  own(child);
  const lines: string[] = [];
  tail(child, lines);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('did not report ready within 60 s')), 60_000);
    const onData = (chunk: Buffer) => {
      if (chunk.toString('utf8').split('\n').includes('ready')) done();
    };
    const onExit = (code: number | null, signal: string | null) => fail(new Error(`exited early (code ${code}, signal ${signal})`));
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    }
    function done() {
      cleanup();
      resolve();
    }
    function fail(err: Error) {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`crash worker ${err.message}; output:\n${lines.join('\n')}`));
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    pid: child.pid!,
    async crash() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

export interface OwnDevServer {
  address: string;
  namespace: string;
  dbFilename: string;
  /** SIGTERM (the server's own shutdown) or SIGKILL; resolves once the process has exited. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/**
 * `temporal server start-dev` on a SQLite file and a fixed port, started by the test (not the run's shared
 * server), so the test can stop it and start it again on the same state. Resolves once the default namespace
 * answers; a server that does not come up within 30 s fails with its last output.
 */
export async function startOwnDevServer({ dbFilename, port }: { dbFilename: string; port: number }): Promise<OwnDevServer> {
  const address = `127.0.0.1:${port}`;
  const namespace = 'default';
  const child = spawn(
    temporalCliPath(),
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--db-filename', dbFilename, '--namespace', namespace, '--log-level', 'error', ...searchAttributeFlags()],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  own(child);
  const lines: string[] = [];
  tail(child, lines);
  const server: OwnDevServer = {
    address,
    namespace,
    dbFilename,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      await exited(child);
    },
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
        const connection = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          return true;
        } finally {
          await connection.close();
        }
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `the dev server on ${address}` },
    );
  } catch (err) {
    await server.stop('SIGKILL');
    throw new Error(`${(err as Error).message}\nserver output:\n${lines.join('\n')}`);
  }
  return server;
}

/** Ledger figures before an onboarding, to compare the partner wallet against afterwards. */
export interface LedgerMark {
  partnerBalance: number;
  partnerTransferDebits: number;
  customerTransferCredits: number;
}

export async function markLedger(admin: SandboxAdminClient): Promise<LedgerMark> {
  const ledger = await admin.ledger();
  return { partnerBalance: ledger.partner.balance, partnerTransferDebits: ledger.partner_transfer_debits, customerTransferCredits: ledger.customer_transfer_credits };
}

/**
 * Takes a started onboarding through KYC: waits for the first session, completes it in the sandbox (as the
 * customer would in the widget), sends the webhook's hint unless `signal` is false (then the workflow's own poll
 * must find the outcome), and waits for `active`.
 */
export async function completeOnboarding(
  handle: WorkflowHandle,
  admin: SandboxAdminClient,
  { signal = true, timeoutMs = 60_000 }: { signal?: boolean; timeoutMs?: number } = {},
): Promise<LifecycleState> {
  const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'the first KYC session', timeoutMs });
  const sessionId = kyc.kyc.attempts[0]!.sessionId;
  await admin.completeKyc(sessionId, { pan: 'ABCPE1234F' });
  if (signal) {
    await handle.signal(kycEventSignal, { eventKey: `done-${sessionId}`, event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
  }
  return waitForState(handle, atStage('active'), { what: 'the active stage', timeoutMs });
}

/** The activity types the workflow is running right now (pending activities), with their attempt numbers. */
export async function pendingActivities(handle: WorkflowHandle): Promise<{ type: string; attempt: number }[]> {
  const description = await handle.describe();
  return (description.raw.pendingActivities ?? []).map((a) => ({ type: a.activityType?.name ?? '?', attempt: a.attempt ?? 0 }));
}

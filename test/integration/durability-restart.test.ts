/**
 * Durability across a Temporal server restart: the test runs its own dev server on a SQLite file, starts an
 * onboarding, and once it waits in KYC stops the server (SIGTERM, and in a second case SIGKILL) and kills the worker. The customer completes KYC while
 * Temporal is down (the webhook would be lost: nothing is signalled), the server comes back on the same file and
 * port, a new worker starts, and the workflow's own confirmation poll finds the outcome: `active`, with exactly
 * one account, transfer and KYC session, and no effect repeated by the replay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, TEST_PARTNER, type TestSandbox } from '../../sandbox/testing.js';
import { VobizClient } from '../../src/vobiz/index.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import {
  freePort,
  markLedger,
  startChildWorker,
  startOwnDevServer,
  workflowBundleFile,
  type ChildWorker,
  type OwnDevServer,
} from '../support/crash.js';
import { expectExactlyOnce } from '../support/exactly-once.js';
import { atStage, dataConverter, onboardingRequest, waitForState } from '../support/lifecycle.js';
import { uniqueTaskQueue } from '../support/temporal.js';

const AMOUNT = 1200;

describe('durability: Temporal dev server stopped and restarted on the same database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'durability-restart-'));
  let sandbox: TestSandbox;
  let vobiz: VobizClient;
  let bundlePath: string;
  let server: OwnDevServer | undefined;
  let connection: Connection | undefined;
  const workers: ChildWorker[] = [];

  beforeAll(async () => {
    [sandbox, bundlePath] = await Promise.all([startTestSandbox(), workflowBundleFile()]);
    vobiz = new VobizClient({ baseUrl: sandbox.url, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: TEST_PARTNER.authToken });
  });
  afterEach(async () => {
    // Each case brings its own server and workers up: take them down before the next case starts its own.
    await Promise.all(workers.splice(0).map((w) => w.crash()));
    await connection?.close();
    connection = undefined;
    await server?.stop('SIGKILL');
    server = undefined;
  });
  afterAll(async () => {
    await vobiz?.close();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function up(dbFilename: string, port: number, taskQueue: string): Promise<Client> {
    server = await startOwnDevServer({ dbFilename, port });
    const [conn, worker] = await Promise.all([
      Connection.connect({ address: server.address }),
      startChildWorker({ address: server.address, namespace: server.namespace, taskQueue, sandboxUrl: sandbox.url, bundlePath }),
    ]);
    connection = conn;
    workers.push(worker);
    return new Client({ connection: conn, namespace: server.namespace, dataConverter });
  }

  // SIGTERM: the server's own shutdown. SIGKILL: a crash; SQLite's committed transactions must be enough.
  it.each(['SIGTERM', 'SIGKILL'] as const)('an onboarding waiting in KYC survives a %s of the server and finishes by polling, no effect repeated', async (signal) => {
    const dbFilename = join(dir, `temporal-${signal}.sqlite`);
    const port = await freePort();
    const taskQueue = uniqueTaskQueue('restart');
    const before = await markLedger(sandbox.admin);
    const req = onboardingRequest({ funding: { amount: AMOUNT, currency: 'INR' } });
    const workflowId = workflowIdFor(req.customerRef);

    let client = await up(dbFilename, port, taskQueue);
    const handle = await client.workflow.start(customerLifecycle, { taskQueue, workflowId, args: [req] });
    const waiting = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'the first KYC session' });
    const sessionId = waiting.kyc.attempts[0]!.sessionId;

    // Everything Temporal-side goes away: the worker is killed, the server shut down.
    await workers.pop()!.crash();
    await connection!.close();
    connection = undefined;
    await server!.stop(signal);
    server = undefined;

    // The customer finishes KYC meanwhile; no webhook reaches the workflow.
    await sandbox.admin.completeKyc(sessionId, { pan: 'ABCPE1234F' });

    client = await up(dbFilename, port, taskQueue);
    const resumed = client.workflow.getHandle(workflowId);
    expect((await resumed.describe()).status.name).toBe('RUNNING');
    const active = await waitForState(resumed, atStage('active'), { what: 'the active stage after the restart' });

    expect(active.authId).toBe(waiting.authId);
    expect(active.funding).toEqual(waiting.funding);
    expect(active.kyc.attempts).toMatchObject([{ sessionId, outcome: 'completed', adopted: false }]);
    expect(active.kyc.eventsSeen).toBe(0);
    await expectExactlyOnce({ vobiz, admin: sandbox.admin }, { email: req.customer.email, state: active, before, amount: AMOUNT });
    await resumed.terminate('test over');
  });
});

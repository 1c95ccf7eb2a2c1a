/**
 * Durability on the production-shaped cluster: the self-hosted Temporal server on PostgreSQL (dev/cluster),
 * the real activities in worker processes against the sandbox over HTTP.
 * - the server process SIGKILLed and restarted while a customer waits in KYC: the workflow carries on;
 * - PostgreSQL stopped and started again mid-onboarding: the server reconnects, the workflow carries on;
 * - two worker processes on one task queue, the one running the opening-balance transfer SIGKILLed while Vobiz
 *   holds the request: the other worker retries, adopts the committed transfer, and no money moves twice;
 * - visibility: list and count by the custom search attributes, answered from PostgreSQL.
 * Every onboarding ends with invariant 1 checked in the sandbox ledger (test/support/crash.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VobizClient } from '../../src/vobiz/index.js';
import { startTestSandbox, TEST_PARTNER, type TestSandbox } from '../../sandbox/testing.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { kycEventSignal } from '../../src/workflows/messages.js';
import {
  completeOnboarding,
  faultHit,
  markLedger,
  startChildWorker,
  startRelay,
  waitFor,
  workflowBundleFile,
  type ChildWorker,
  type Relay,
} from '../support/crash.js';
import { expectExactlyOnce } from '../support/exactly-once.js';
import { onboardingRequest, waitForState } from '../support/lifecycle.js';
import { uniqueTaskQueue } from '../support/temporal.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';

const TRANSFER_ROUTE = 'POST /api/v1/partner/accounts/:id/transfer-balance';

describe('durability on the self-hosted cluster (Temporal server + PostgreSQL)', () => {
  let cluster: TestCluster;
  let sandbox: TestSandbox;
  let vobiz: VobizClient;
  let relay: Relay;
  let bundlePath: string;
  const workers: ChildWorker[] = [];
  const finished: { workflowId: string; authId: string; kycStatus: string }[] = [];

  beforeAll(async () => {
    [cluster, sandbox, bundlePath] = await Promise.all([startTestCluster(), startTestSandbox(), workflowBundleFile()]);
    relay = await startRelay(sandbox.url);
    vobiz = new VobizClient({ baseUrl: sandbox.url, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: TEST_PARTNER.authToken, connectTimeoutMs: 2000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.crash()));
    await vobiz?.close();
    await relay?.close();
    await sandbox?.close();
    await cluster?.close();
  });

  async function startWorker(taskQueue: string, sandboxUrl = sandbox.url): Promise<ChildWorker> {
    const worker = await startChildWorker({ address: cluster.address, namespace: cluster.namespace, taskQueue, sandboxUrl, bundlePath });
    workers.push(worker);
    return worker;
  }

  it('survives the server being SIGKILLed and restarted while the customer is in KYC', async () => {
    const taskQueue = uniqueTaskQueue('cluster-kill');
    await startWorker(taskQueue);
    const before = await markLedger(sandbox.admin);
    const req = onboardingRequest({ funding: { amount: 300, currency: 'INR' } });
    const handle = await cluster.client.workflow.start(customerLifecycle, { taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] });
    const atKyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'the first KYC session', timeoutMs: 90_000 });

    const oldPid = cluster.server.pid;
    await cluster.restartServer('SIGKILL');
    expect(cluster.server.pid).not.toBe(oldPid);
    expect(() => process.kill(oldPid, 0)).toThrow(); // the killed server is really gone

    // The customer finishes KYC after the crash; the workflow (its state in PostgreSQL) takes it to active.
    const state = await completeOnboarding(handle, sandbox.admin, { timeoutMs: 120_000 });
    expect(state.authId).toBe(atKyc.authId);
    await expectExactlyOnce({ vobiz, admin: sandbox.admin }, { email: req.customer.email, state, before, amount: 300 });
    finished.push({ workflowId: handle.workflowId, authId: state.authId!, kycStatus: state.kyc.status ?? '' });
  });

  it('survives PostgreSQL being stopped and started again mid-onboarding', async () => {
    const taskQueue = uniqueTaskQueue('cluster-pg');
    await startWorker(taskQueue);
    const before = await markLedger(sandbox.admin);
    const req = onboardingRequest({ funding: { amount: 200, currency: 'INR' } });
    const handle = await cluster.client.workflow.start(customerLifecycle, { taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] });
    const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'the first KYC session', timeoutMs: 90_000 });
    const sessionId = kyc.kyc.attempts[0]!.sessionId;

    await cluster.restartPostgres(async () => {
      // With its databases gone the server cannot answer a visibility query (no cache in front of it); the
      // customer completes KYC at Vobiz in the meantime.
      await expect(cluster.client.withDeadline(Date.now() + 3_000, () => cluster.client.workflow.count('WorkflowType = "customerLifecycle"'))).rejects.toThrow();
      await sandbox.admin.completeKyc(sessionId, { pan: 'ABCPE1234F' });
    });
    // Database back: the webhook's retry (the signal again) or the workflow's own poll finds the outcome.
    await waitFor(
      async () => {
        await handle.signal(kycEventSignal, { eventKey: `up-${sessionId}`, event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
        return true;
      },
      { what: 'the server to take signals again', timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const state = await waitForState(handle, (s) => s.stage === 'active', { what: 'the active stage', timeoutMs: 120_000 });
    await expectExactlyOnce({ vobiz, admin: sandbox.admin }, { email: req.customer.email, state, before, amount: 200 });
    finished.push({ workflowId: handle.workflowId, authId: state.authId!, kycStatus: state.kyc.status ?? '' });
  });

  it('two workers share the task queue; the one running the transfer is SIGKILLed; the other finishes it, once', async () => {
    const taskQueue = uniqueTaskQueue('cluster-two');
    // Both workers reach Vobiz through a relay, like a load balancer that keeps a forwarded request alive: the
    // killed worker's transfer commits at Vobiz, and nobody hears the answer.
    const pair = [await startWorker(taskQueue, relay.url), await startWorker(taskQueue, relay.url)];
    await sandbox.admin.addFault({ route: TRANSFER_ROUTE, mode: 'latency', latencyMs: 2500, count: 1 });
    const before = await markLedger(sandbox.admin);
    const req = onboardingRequest({
      funding: { amount: 650, currency: 'INR' },
      advanced: { effectSettleDelay: '1 second', effectStartToCloseTimeout: '5 seconds' },
    });
    const handle = await cluster.client.workflow.start(customerLifecycle, { taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] });
    try {
      await waitFor(faultHit(sandbox.admin, TRANSFER_ROUTE), { what: 'the transfer in flight', timeoutMs: 90_000 });
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      expect(pending.map((a) => a.activityType?.name)).toEqual(['transferOpeningBalance']);
      const runningPid = Number(pending[0]?.lastWorkerIdentity?.split('@')[0]);
      const victim = pair.find((w) => w.pid === runningPid);
      expect(victim, `the transfer runs on worker ${pending[0]?.lastWorkerIdentity}, one of ${pair.map((w) => w.pid).join(', ')}`).toBeDefined();
      await victim!.crash();

      // No new worker: the survivor retries the transfer after the lowered startToCloseTimeout.
      const state = await completeOnboarding(handle, sandbox.admin, { timeoutMs: 120_000 });
      expect(state.funding).toMatchObject({ adopted: true, amount: '650.00000' });
      await expectExactlyOnce({ vobiz, admin: sandbox.admin }, { email: req.customer.email, state, before, amount: 650 });
      const retried = (await handle.fetchHistory()).events?.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1) ?? [];
      expect(retried).toHaveLength(1);
      expect(retried[0]?.activityTaskStartedEventAttributes?.identity).not.toContain(`${runningPid}@`);
      finished.push({ workflowId: handle.workflowId, authId: state.authId!, kycStatus: state.kyc.status ?? '' });
    } finally {
      await sandbox.admin.clearFaults();
    }
  });

  it('answers visibility queries on the custom search attributes from PostgreSQL', async () => {
    expect(finished).toHaveLength(3);
    const ids = finished.map((f) => f.workflowId).sort();
    // Visibility is eventually consistent: the last upsert lands a moment after the stage is reached.
    const active = await waitFor(
      async () => {
        const found: string[] = [];
        for await (const wf of cluster.client.workflow.list({ query: `VobizStage = "active" AND ExecutionStatus = "Running"` })) found.push(wf.workflowId);
        return ids.every((id) => found.includes(id)) && found.sort();
      },
      { what: 'the three customers listed as active', timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(active).toEqual(ids);
    const one = finished[1]!;
    const byAccount: string[] = [];
    for await (const wf of cluster.client.workflow.list({ query: `VobizAuthId = "${one.authId}"` })) byAccount.push(wf.workflowId);
    expect(byAccount).toEqual([one.workflowId]);
    const kycStatus = finished[0]!.kycStatus;
    expect(kycStatus).toMatch(/complete/);
    expect(finished.every((f) => f.kycStatus === kycStatus)).toBe(true);
    expect((await cluster.client.workflow.count(`VobizKycStatus = "${kycStatus}"`)).count).toBe(3);
    expect((await cluster.client.workflow.count(`VobizStage = "kyc"`)).count).toBe(0);

    // The rows are PostgreSQL's: the visibility database holds the executions, the main database their state.
    const rows = await cluster.psql('temporal_visibility', `SELECT workflow_id FROM executions_visibility WHERE workflow_id IN (${ids.map((id) => `'${id}'`).join(',')}) ORDER BY workflow_id`);
    expect(rows).toEqual(ids);
    const current = await cluster.psql('temporal', `SELECT count(*) FROM current_executions WHERE workflow_id IN (${ids.map((id) => `'${id}'`).join(',')})`);
    expect(current).toEqual(['3']);
  });
});

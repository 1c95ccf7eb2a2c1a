/**
 * The partner-wide KYC sweep on the real dev server and the sandbox: the bridge is down for a whole KYC window, so
 * every webhook is lost; customers poll only once a day; a Temporal Schedule runs the sweep every few seconds.
 * One sweep brings every customer whose session ended to `active`, and the sandbox's request counts show what it
 * cost: pages of open sessions, not a call per parked customer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { KYC_SWEEP_WORKFLOW_TYPE, type KycSweepResult } from '../../src/workflows/messages.js';
import { ensureKycSweepSchedule, sweepExecutionTimeoutMs } from '../../src/temporal/kyc-sweep-schedule.js';
import { atStage, deadBridgeUrl, onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

const CUSTOMERS = 30;
const SWEEP_INTERVAL_MS = 3_000;

describe('KYC sweep (dev server + sandbox)', () => {
  let rig: LifecycleRig;
  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker({ kycWebhookUrl: await deadBridgeUrl() });
  });
  afterAll(() => rig?.close());

  it(`brings ${CUSTOMERS} customers whose webhooks were lost to active within one sweep, at a cost of pages, not customers`, async () => {
    const schedule = await ensureKycSweepSchedule(rig.client, { taskQueue: rig.taskQueue, intervalMs: SWEEP_INTERVAL_MS });
    expect(schedule.outcome).toBe('created');
    // Idempotent: a second worker start finds it.
    expect((await ensureKycSweepSchedule(rig.client, { taskQueue: rig.taskQueue, intervalMs: SWEEP_INTERVAL_MS })).outcome).toBe('unchanged');
    const scheduleHandle = rig.client.schedule.getHandle(schedule.scheduleId);
    // A sweep may run as long as its activity (10 minutes), not just one short interval: cut short, it would redo
    // its work in the next one and, for a big fleet on a busy worker, never finish.
    const described = await scheduleHandle.describe();
    expect(described.action.type === 'startWorkflow' && described.action.workflowExecutionTimeout).toBe(sweepExecutionTimeoutMs(SWEEP_INTERVAL_MS));
    expect(sweepExecutionTimeoutMs(SWEEP_INTERVAL_MS)).toBe(600_000);

    try {
      // Customers poll their own session only once a day: within this test only a sweep can move them.
      const handles = await Promise.all(
        Array.from({ length: CUSTOMERS }, async () => {
          const request = onboardingRequest({ kyc: { expiresInDays: 14, pollInterval: '24 hours' } });
          return rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
        }),
      );
      const parked = await Promise.all(
        handles.map((h) => waitForState(h, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'kyc stage', timeoutMs: 120_000 })),
      );

      // A sweep while everyone is parked nudges nobody: every session is still open.
      const parkedAt = new Date();
      const quiet = await nextSweepResult(rig, parkedAt);
      expect(quiet).toMatchObject({ customersInKyc: CUSTOMERS, openSessions: CUSTOMERS, nudged: 0, vobizCalls: 4 });
      await scheduleHandle.pause('completing KYC');

      // The customers complete KYC while the bridge is down: every webhook is lost.
      for (const state of parked) await rig.sandbox.admin.completeKyc(state.kyc.attempts[0]!.sessionId);
      const before = new Set((await sweepRuns(rig)).map((r) => r.workflowId));
      await rig.sandbox.admin.resetRequests();
      await scheduleHandle.unpause('KYC completed');

      const active = await Promise.all(handles.map((h) => waitForState(h, atStage('active'), { what: 'active stage', timeoutMs: 120_000 })));
      expect(active).toHaveLength(CUSTOMERS);
      await scheduleHandle.pause('done');
      const requests = await rig.sandbox.admin.requests();

      // One sweep (the first after the completions) nudged all of them: none waited for a second interval.
      const after = (await sweepRuns(rig)).filter((r) => !before.has(r.workflowId));
      const results = await Promise.all(after.map((r) => rig.client.workflow.getHandle<() => Promise<KycSweepResult>>(r.workflowId).result()));
      expect(results[0]).toMatchObject({ customersInKyc: CUSTOMERS, openSessions: 0, nudged: CUSTOMERS, paged: 'open_total_fell' });
      for (const state of active) expect(state.kyc.eventsSeen).toBe(0); // no webhook ever reached a customer

      // The cost: a sweep reads the open totals (the first page of each of 4 statuses: all there is here), and only
      // when someone waits in kyc; each customer then confirmed its own session exactly once. The sandbox saw exactly
      // what the sweeps report.
      expect(results[0]!.vobizCalls).toBe(4);
      for (const r of results) expect(r.vobizCalls).toBe(r.customersInKyc === 0 ? 0 : 4);
      expect(requests.byRoute['GET /api/v1/partner/kyc-sessions']).toBe(results.reduce((n, r) => n + r.vobizCalls, 0));
      expect(requests.byRoute['GET /api/v1/partner/kyc-sessions/:id']).toBe(CUSTOMERS);
    } finally {
      await scheduleHandle.delete();
    }
  }, 240_000);
});

interface SweepRun {
  workflowId: string;
  startTime: Date;
}

/** The sweep runs of this rig's schedule, oldest first (visibility). */
async function sweepRuns(rig: LifecycleRig): Promise<SweepRun[]> {
  const runs: SweepRun[] = [];
  const query = `WorkflowType = '${KYC_SWEEP_WORKFLOW_TYPE}' AND TaskQueue = '${rig.taskQueue}'`;
  for await (const execution of rig.client.workflow.list({ query })) runs.push({ workflowId: execution.workflowId, startTime: execution.startTime });
  return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

/** The result of the first sweep that starts after `after`. */
async function nextSweepResult(rig: LifecycleRig, after: Date): Promise<KycSweepResult> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const run = (await sweepRuns(rig)).find((r) => r.startTime > after);
    if (run) return rig.client.workflow.getHandle<() => Promise<KycSweepResult>>(run.workflowId).result();
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('no sweep started within 60 s');
}

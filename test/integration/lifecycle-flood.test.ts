/**
 * Thousands of `kycEvent` signals sent straight to Temporal (past every bridge) cannot end a customer, whatever it
 * waits for: each signal costs history events, and every wait wakes when the run's history passes its bound and
 * continues as new, carrying its state. An operator wait keeps its absolute deadline across the continue-as-new,
 * and the customer still finishes by an operator's decision. Dev server, real activities, the sandbox.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { kycEventSignal, offboardUpdate, restartKycUpdate, retryUpdate, statusQuery } from '../../src/workflows/messages.js';
import { atStage, deadBridgeUrl, onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

type Lifecycle = WorkflowHandle<typeof customerLifecycle>;

/** The workflow's own bound (src/workflows/bounded-wait.ts): a flooded run must end by continuing as new near it. */
const HISTORY_EVENTS_BOUND = 5_000;
/** Signals sent before giving up on a continue-as-new (a run that never continues would grow without end). */
const MAX_SIGNALS = 8_000;
const DAY_MS = 86_400_000;

describe('a signal flood continues a waiting customer as new, whatever it waits for', () => {
  let rig: LifecycleRig;
  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker({ kycWebhookUrl: await deadBridgeUrl() });
  });
  afterAll(() => rig?.close());

  const start = async (overrides: Parameters<typeof onboardingRequest>[0] = {}) => {
    const input = onboardingRequest({ kyc: { expiresInDays: 14, pollInterval: '1 hour', maxAttempts: 1 }, ...overrides });
    const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(input.customerRef), args: [input] });
    return { input, handle };
  };
  const hint = (handle: Lifecycle, sessionId: string, eventKey: string, event: 'kyc.completed' | 'kyc.failed' = 'kyc.completed') =>
    handle.signal(kycEventSignal, { eventKey, event, sessionId, receivedAt: new Date().toISOString() });

  it('blocked: continues as new before its bound, resumes the same wait with the same deadline, and carries on after a retry', { timeout: 180_000 }, async () => {
    // Someone else's Vobiz account holds the e-mail: account creation is blocked for an operator.
    const { input, handle } = await start();
    await rig.vobiz.createAccount({ name: 'Someone Else', email: input.customer.email, phone: '+919811111111', password: 'Other-Pass1!', country: 'IN' });
    const blocked = await waitForState(handle, atStage('blocked'), { what: 'blocked', timeoutMs: 60_000 });
    expect(blocked.blocked).toMatchObject({ step: 'account', type: 'EmailInUse' });

    const { history } = await floodUntilContinuedAsNew(handle, 'no-such-session');
    expect(history.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect(history.length).toBeLessThan(HISTORY_EVENTS_BOUND + 500);
    const until = Date.parse(blocked.operatorWaitUntil!);
    expect(until - Date.parse(blocked.blocked!.since)).toBe(30 * DAY_MS);

    // The next run waits in the same place, for the same deadline: its timer is what was left, not 30 days again.
    const resumed = await waitForState(handle, (s) => s.stage === 'blocked', { what: 'blocked in the new run' });
    expect(resumed.blocked).toEqual(blocked.blocked);
    expect(resumed.operatorWaitUntil).toBe(blocked.operatorWaitUntil);
    const newRun = await runHistory(handle, (await handle.describe()).runId);
    const startedAt = eventTime(newRun[0]!);
    const timer = newRun.find((e) => e.timerStartedEventAttributes)!.timerStartedEventAttributes!.startToFireTimeout!;
    const timerMs = Number(timer.seconds) * 1000 + Math.round((timer.nanos ?? 0) / 1e6);
    expect(Math.abs(startedAt + timerMs - until)).toBeLessThan(2_000);

    await handle.executeUpdate(retryUpdate, { args: [{ customer: { email: `fixed.${input.customer.email}` } }] });
    const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'kyc after the retry', timeoutMs: 60_000 });
    expect(kyc.operatorWaitUntil).toBeUndefined();
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    expect(await handle.result()).toMatchObject({ stage: 'offboarded' });
  });

  it('kyc_failed: continues as new, then an operator restarts KYC and the customer reaches active', { timeout: 180_000 }, async () => {
    const { handle } = await start();
    const first = (await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'kyc', timeoutMs: 60_000 })).kyc.attempts[0]!.sessionId;
    await rig.sandbox.admin.failKyc(first);
    await hint(handle, first, 'failed-1', 'kyc.failed');
    await waitForState(handle, atStage('kyc_failed'), { what: 'kyc_failed' });

    const { history } = await floodUntilContinuedAsNew(handle, first);
    expect(history.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect(history.length).toBeLessThan(HISTORY_EVENTS_BOUND + 500);
    await waitForState(handle, atStage('kyc_failed'), { what: 'kyc_failed in the new run' });

    await handle.executeUpdate(restartKycUpdate);
    const second = (await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 2, { what: 'a second session', timeoutMs: 60_000 })).kyc.attempts[1]!.sessionId;
    await rig.sandbox.admin.completeKyc(second, { pan: 'ABCPE1234F' });
    await hint(handle, second, 'completed-2');
    const active = await waitForState(handle, atStage('active'), { what: 'active after the restart', timeoutMs: 60_000 });
    expect(active.kyc.attempts.map((a) => a.outcome)).toEqual(['failed', 'completed']);
    expect(active.operatorWaitUntil).toBeUndefined();
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    await handle.result();
  });

  it('kyc (duplicates wake nothing): continues as new with its session open and still completes', { timeout: 180_000 }, async () => {
    const { handle } = await start();
    const parked = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.status !== undefined, { what: 'parked in kyc', timeoutMs: 60_000 });
    const session = parked.kyc.attempts[0]!.sessionId;
    await hint(handle, session, 'replayed-delivery'); // taken once: the flood's copies are duplicates

    const { history } = await floodUntilContinuedAsNew(handle, session);
    expect(history.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect(history.length).toBeLessThan(HISTORY_EVENTS_BOUND + 500);
    expect((await handle.query(statusQuery)).kyc.attempts).toHaveLength(1);

    await rig.sandbox.admin.completeKyc(session, { pan: 'ABCPE1234F' });
    await hint(handle, session, 'completed');
    const active = await waitForState(handle, atStage('active'), { what: 'active', timeoutMs: 60_000 });
    expect(active.kyc.attempts).toHaveLength(1); // the same session, not a second one
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    await handle.result();
  });

  /**
   * Sends duplicate kycEvent signals (a replayed delivery, as an older bridge would signal it), 50 at a time, until
   * the workflow continues as new. Each batch waits for the worker to catch up: a flood faster than the worker's
   * workflow tasks can keep *any* run from completing its continue-as-new (the server fails each task that new
   * signals overtook) until the server's own cap on signals per run stops the flood (docs/durability.md).
   */
  async function floodUntilContinuedAsNew(handle: Lifecycle, sessionId: string): Promise<{ floodedRunId: string; history: HistoryEvents }> {
    const floodedRunId = (await handle.describe()).runId;
    for (let signals = 0; signals < MAX_SIGNALS; signals += 50) {
      await Promise.all(Array.from({ length: 50 }, () => hint(handle, sessionId, 'replayed-delivery')));
      for (let i = 0; i < 500 && (await handle.describe()).raw.pendingWorkflowTask; i++) await new Promise((r) => setTimeout(r, 10));
      if ((await handle.describe()).runId !== floodedRunId) return { floodedRunId, history: await runHistory(handle, floodedRunId) };
    }
    throw new Error(`no continue-as-new after ${MAX_SIGNALS} signals; the flooded run has ${(await runHistory(handle, floodedRunId)).length} events`);
  }

  async function runHistory(handle: Lifecycle, runId: string): Promise<HistoryEvents> {
    return (await rig.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
  }
});

type HistoryEvents = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>;

function eventTime(event: HistoryEvents[number]): number {
  const t = event.eventTime!;
  return Number(t.seconds) * 1000 + Math.round((t.nanos ?? 0) / 1e6);
}

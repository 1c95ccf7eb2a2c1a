/**
 * What a KYC sweep costs when nothing is lost, and what it does when something is: on the real dev server and the
 * sandbox, with the bridge down (every webhook lost), customers that poll once a day, and 101 open sessions of the
 * same partner that are not ours (another tool's), so a full paging costs more calls than the totals.
 *
 * Each sweep is triggered by hand on a paused schedule (the sweep finds its previous run through the schedule),
 * and the sandbox's request meter shows what each one cost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleHandle } from '@temporalio/client';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { statusQuery, type KycSweepResult, type LifecycleState } from '../../src/workflows/messages.js';
import { ensureKycSweepSchedule } from '../../src/temporal/kyc-sweep-schedule.js';
import { atStage, deadBridgeUrl, onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

const PARKED = 12;
const FOREIGN = 101;
const LIST_ROUTE = 'GET /api/v1/partner/kyc-sessions';
/** Pages of 100 a full paging reads: link_ready holds the foreign sessions, email_sent ours, two statuses are empty. */
const fullPagingCalls = (linkReady: number, emailSent: number) => Math.ceil(linkReady / 100) + Math.max(1, Math.ceil(emailSent / 100)) + 2;

describe('KYC sweep: totals first, pages only when needed (dev server + sandbox)', () => {
  let rig: LifecycleRig;
  let schedule: ScheduleHandle;
  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker({ kycWebhookUrl: await deadBridgeUrl() });
  });
  afterAll(async () => {
    await schedule?.delete().catch(() => undefined);
    await rig?.close();
  });

  /** Someone else's open session (a redirect-flow session of an account that is not one of our customers). */
  async function openForeignSession(n: number): Promise<void> {
    const account = await rig.vobiz.createAccount({ name: `Other tool ${n}`, email: `other-${n}-${Date.now()}@example.com`, phone: '+919876543210', password: 'SecurePass123!', country: 'IN' });
    await rig.vobiz.createKycSession({ accountAuthId: account.auth_id, flowType: 'redirect', redirectUrl: 'https://other.example/done' });
  }

  /** Runs one sweep now and returns its result and the list calls the sandbox saw. */
  async function sweepOnce(): Promise<{ result: KycSweepResult; listCalls: number }> {
    const before = new Set((await schedule.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
    await rig.sandbox.admin.resetRequests();
    // A scheduled run's workflow ID ends in its start time to the second: a trigger in the same second as the
    // previous run's would reuse that ID and be dropped, so wait for the next second.
    await new Promise((r) => setTimeout(r, 1_050 - (Date.now() % 1_000)));
    await schedule.trigger();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const started = (await schedule.describe()).info.recentActions.find((a) => !before.has(a.action.workflow.workflowId));
      if (started) {
        const result = await rig.client.workflow.getHandle<() => Promise<KycSweepResult>>(started.action.workflow.workflowId).result();
        const requests = await rig.sandbox.admin.requests();
        return { result, listCalls: requests.byRoute[LIST_ROUTE] ?? 0 };
      }
      if (Date.now() > deadline) throw new Error('the triggered sweep did not start within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('costs 4 calls while nothing is lost, recovers K lost webhooks in one sweep at ≈ 4 + open/100, and the safety net finds what the totals hide', async () => {
    // A schedule that never fires by itself within the test: every sweep below is triggered.
    const created = await ensureKycSweepSchedule(rig.client, { taskQueue: rig.taskQueue, intervalMs: 3_600_000, fullPagingEveryMs: 3_600_000 });
    schedule = rig.client.schedule.getHandle(created.scheduleId);
    await schedule.pause('sweeps are triggered by the test');

    for (let n = 0; n < FOREIGN; n += 10) await Promise.all(Array.from({ length: Math.min(10, FOREIGN - n) }, (_, i) => openForeignSession(n + i)));
    const handles = await Promise.all(
      Array.from({ length: PARKED }, async () => {
        const request = onboardingRequest({ kyc: { expiresInDays: 14, pollInterval: '24 hours' } });
        return rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
      }),
    );
    const parked: LifecycleState[] = await Promise.all(
      handles.map((h) => waitForState(h, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'kyc stage', timeoutMs: 120_000 })),
    );
    const sessionOf = (i: number) => parked[i]!.kyc.attempts[0]!.sessionId;

    // The first sweep has no baseline: it pages everything (and nudges nobody: every session is open).
    const first = await sweepOnce();
    expect(first.result).toMatchObject({ customersInKyc: PARKED, openSessions: PARKED + FOREIGN, nudged: 0, paged: 'no_baseline', baseline: FOREIGN });
    expect(first.result.vobizCalls).toBe(fullPagingCalls(FOREIGN, PARKED));
    expect(first.listCalls).toBe(first.result.vobizCalls);

    // Nothing lost: the totals are enough, 4 calls, although a full paging would cost more.
    for (let i = 0; i < 2; i++) {
      const quiet = await sweepOnce();
      expect(quiet.result).toMatchObject({ customersInKyc: PARKED, openSessions: PARKED + FOREIGN, nudged: 0, paged: null, vobizCalls: 4 });
      expect(quiet.result.lastFullPagingAt).toBe(first.result.lastFullPagingAt);
      expect(quiet.listCalls).toBe(4);
    }

    // K customers complete KYC while the bridge is down: the next sweep sees the open total fall, pages, and nudges
    // exactly them; each confirms and goes on to active.
    const LOST = 5;
    for (let i = 0; i < LOST; i++) await rig.sandbox.admin.completeKyc(sessionOf(i));
    const recovering = await sweepOnce();
    expect(recovering.result).toMatchObject({ customersInKyc: PARKED, openSessions: PARKED - LOST + FOREIGN, nudged: LOST, paged: 'open_total_fell' });
    expect(recovering.result.vobizCalls).toBe(fullPagingCalls(FOREIGN, PARKED - LOST));
    expect(recovering.listCalls).toBe(recovering.result.vobizCalls);
    await Promise.all(handles.slice(0, LOST).map((h) => waitForState(h, atStage('active'), { what: 'active stage', timeoutMs: 120_000 })));

    // They left kyc as the baseline expected: back to 4 calls, no paging.
    const settled = await sweepOnce();
    expect(settled.result).toMatchObject({ customersInKyc: PARKED - LOST, nudged: 0, paged: null, vobizCalls: 4 });

    // A coincidence: one of ours completes unseen while another tool opens a session. The totals cannot tell.
    await rig.sandbox.admin.completeKyc(sessionOf(LOST));
    await openForeignSession(FOREIGN);
    const hidden = await sweepOnce();
    expect(hidden.result).toMatchObject({ customersInKyc: PARKED - LOST, openSessions: PARKED - LOST + FOREIGN, nudged: 0, paged: null, vobizCalls: 4 });

    // The safety net: once the last full paging is older than its period (here shortened to 1 ms through the
    // schedule, as KYC_SWEEP_FULL_PAGING_EVERY would), the sweep pages whatever the totals say and finds it.
    expect((await ensureKycSweepSchedule(rig.client, { taskQueue: rig.taskQueue, intervalMs: 3_600_000, fullPagingEveryMs: 1 })).outcome).toBe('updated');
    const net = await sweepOnce();
    expect(net.result).toMatchObject({ customersInKyc: PARKED - LOST, nudged: 1, paged: 'safety_net' });
    expect(net.result.vobizCalls).toBe(fullPagingCalls(FOREIGN + 1, PARKED - LOST - 1));
    await waitForState(handles[LOST]!, atStage('active'), { what: 'active stage', timeoutMs: 120_000 });

    // The customers still parked stayed in kyc on their open session.
    for (const h of handles.slice(LOST + 1)) expect(await h.query(statusQuery)).toMatchObject({ stage: 'kyc', kyc: { status: 'email_sent' } });
  }, 300_000);
});

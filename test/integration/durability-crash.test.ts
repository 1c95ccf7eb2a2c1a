/**
 * Invariant 1 across worker crashes: the worker process is SIGKILLed while an effect's request is at Vobiz (held
 * there by a sandbox latency fault), a new worker process takes over, and the onboarding still reaches `active`
 * with exactly one account and one transfer. Two ways the killed request can end:
 * - it outlives the worker (a relay keeps the upstream connection, as a load balancer that forwarded it would):
 *   Vobiz commits, nobody hears the answer, and the retry must find and adopt the result;
 * - it dies with the worker (direct connection: the sandbox drops a request whose client vanished): nothing
 *   committed, and the retry must do it, once.
 * Temporal notices the dead worker only when the attempt's startToCloseTimeout runs out, so the test lowers it
 * (`advanced.effectStartToCloseTimeout`) from the production 2 minutes to 5 seconds: still above the held
 * request (2.5 s), as production's is above the HTTP client's worst case, so the orphan lands before the retry
 * looks for it.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { countEffects } from '../support/effects.js';
import {
  completeOnboarding,
  faultHit,
  markLedger,
  pendingActivities,
  startChildWorker,
  startRelay,
  waitFor,
  workflowBundleFile,
  type ChildWorker,
  type Relay,
} from '../support/crash.js';
import { expectExactlyOnce } from '../support/exactly-once.js';
import { onboardingRequest, startLifecycleRig, type LifecycleRig } from '../support/lifecycle.js';
import { uniqueTaskQueue } from '../support/temporal.js';

const AMOUNT = 750;
/** How long the sandbox holds the request before handling it: the window in which the worker dies. */
const LATENCY_MS = 2500;

const ACCOUNT = { route: 'POST /api/v1/partner/accounts', activity: 'createCustomerAccount' };
const TRANSFER = { route: 'POST /api/v1/partner/accounts/:id/transfer-balance', activity: 'transferOpeningBalance' };

describe('durability: worker process killed mid-effect (dev server + sandbox)', () => {
  let rig: LifecycleRig;
  let relay: Relay;
  let bundlePath: string;
  const workers: ChildWorker[] = [];

  beforeAll(async () => {
    [rig, bundlePath] = await Promise.all([startLifecycleRig(), workflowBundleFile()]);
    relay = await startRelay(rig.sandbox.url);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.crash()));
    await relay?.close();
    await rig?.close();
  });

  function startWorker(taskQueue: string, sandboxUrl: string): Promise<ChildWorker> {
    const worker = startChildWorker({ address: inject('temporalAddress'), namespace: rig.server.namespace, taskQueue, sandboxUrl, bundlePath });
    return worker.then((w) => (workers.push(w), w));
  }

  /** Whether the effect exists at Vobiz yet (the account by e-mail; the transfer in the customer's ledger). */
  async function effectExists(activity: string, email: string, authId: string | undefined): Promise<boolean> {
    const counts = await countEffects(rig.vobiz, email, authId);
    return activity === ACCOUNT.activity ? counts.accounts > 0 : counts.transfers > 0;
  }

  /**
   * Starts an onboarding, SIGKILLs the worker while `route` is held by the sandbox (checking the effect has not
   * happened yet), then lets a new worker process finish it; invariant 1 must hold either way.
   */
  async function crashDuring({ route, activity }: typeof ACCOUNT, { orphanCommits }: { orphanCommits: boolean }) {
    const admin = rig.sandbox.admin;
    const sandboxUrl = orphanCommits ? relay.url : rig.sandbox.url;
    const taskQueue = uniqueTaskQueue('crash');
    await admin.addFault({ route, mode: 'latency', latencyMs: LATENCY_MS, count: 1 });
    const before = await markLedger(admin);
    const req = onboardingRequest({
      funding: { amount: AMOUNT, currency: 'INR' },
      advanced: { effectSettleDelay: '1 second', effectStartToCloseTimeout: '5 seconds' },
    });
    const first = await startWorker(taskQueue, sandboxUrl);
    const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] });
    try {
      // The request is at Vobiz (the sandbox holds it) and the activity's first attempt is running.
      await waitFor(faultHit(admin, route), { what: `${route} in flight`, timeoutMs: 60_000 });
      expect(await pendingActivities(handle)).toEqual([{ type: activity, attempt: 1 }]);
      const { authId } = await handle.query(statusQuery);
      expect(await effectExists(activity, req.customer.email, authId)).toBe(false);

      const killedAt = Date.now();
      await first.crash();
      if (orphanCommits) {
        // Through the relay Vobiz finishes the dead worker's request: committed, and nobody hears the answer.
        await waitFor(() => effectExists(activity, req.customer.email, authId), { what: 'the orphaned request to commit', timeoutMs: 10_000 });
      } else {
        // Directly connected, the request died with the worker: past the latency, still nothing.
        await new Promise((r) => setTimeout(r, LATENCY_MS + 1000));
        expect(await effectExists(activity, req.customer.email, authId)).toBe(false);
      }

      await startWorker(taskQueue, sandboxUrl);
      const state = await completeOnboarding(handle, admin);
      const recoveredInMs = Date.now() - killedAt;

      await expectExactlyOnce({ vobiz: rig.vobiz, admin }, { email: req.customer.email, state, before, amount: AMOUNT });
      // Only the killed effect needed a second attempt.
      expect(retriedActivities(await handle.fetchHistory())).toEqual([{ type: activity, attempt: 2 }]);
      return { state, recoveredInMs };
    } finally {
      await admin.clearFaults();
      await handle.terminate('test over').catch(() => undefined);
    }
  }

  it('killed during the account creation, the request still lands: the retry adopts that account', async () => {
    const { state, recoveredInMs } = await crashDuring(ACCOUNT, { orphanCommits: true });
    expect(state.stage).toBe('active');
    // Noticed through the lowered startToCloseTimeout (5 s) + settle delay (1 s), then KYC and telephony.
    expect(recoveredInMs).toBeLessThan(45_000);
  });

  it('killed during the opening-balance transfer, the request still lands: the retry finds it by its tag, sends no money again', async () => {
    const { state } = await crashDuring(TRANSFER, { orphanCommits: true });
    expect(state.funding).toMatchObject({ adopted: true, amount: '750.00000' });
  });

  it('killed during the transfer, the request dies with the worker: the retry transfers, once', async () => {
    const { state } = await crashDuring(TRANSFER, { orphanCommits: false });
    expect(state.funding).toMatchObject({ adopted: false, amount: '750.00000' });
  });
});

/** Activities whose completing attempt was not the first (retries are not events: ActivityTaskStarted holds the last attempt). */
function retriedActivities(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): { type: string; attempt: number }[] {
  const events = history.events ?? [];
  const typeOf = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?']));
  return events
    .map((e) => e.activityTaskStartedEventAttributes)
    .filter((a) => (a?.attempt ?? 1) > 1)
    .map((a) => ({ type: typeOf.get(String(a?.scheduledEventId)) ?? '?', attempt: a?.attempt ?? 0 }));
}

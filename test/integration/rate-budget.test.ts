/**
 * The rate budget to Vobiz: 25 customers onboard at once with VOBIZ_MAX_REQUESTS_PER_SECOND=5. The sandbox counts
 * every API request on arrival; the fleet never exceeds the budget in any sliding second (one request of tolerance
 * for jitter between leaving the worker and arriving), and every customer still reaches active. The sandbox's own
 * limit (429 + Retry-After past a budget) is checked too, and the workflow rides through it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { kycEventSignal } from '../../src/workflows/messages.js';
import { onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

const CUSTOMERS = 25;
const BUDGET = 5;

describe('rate budget to Vobiz (dev server + sandbox)', () => {
  let rig: LifecycleRig;
  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker({ maxRequestsPerSecond: BUDGET });
  });
  afterAll(() => rig?.close());

  it(`keeps ${CUSTOMERS} onboarding customers within ${BUDGET} requests/s, and all reach active`, async () => {
    await rig.sandbox.admin.resetRequests();
    // Usage polls once an hour and KYC polls once a day: the test's traffic is the onboarding itself.
    const handles = await Promise.all(
      Array.from({ length: CUSTOMERS }, async () => {
        const request = onboardingRequest({ kyc: { expiresInDays: 14, pollInterval: '24 hours' }, monitoring: { cdrPollInterval: '1 hour', lowBalanceThreshold: '100' } });
        return rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
      }),
    );
    // Waiting watches one visibility count a second, not 25 status queries: the test itself must not load the
    // process the worker and the sandbox share, or its stalls would bunch the sandbox's arrivals.
    await untilCount(rig, 'kyc', CUSTOMERS);
    for (const handle of handles) {
      const parked = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'kyc stage' });
      const sessionId = parked.kyc.attempts[0]!.sessionId;
      await rig.sandbox.admin.completeKyc(sessionId);
      await handle.signal(kycEventSignal, { eventKey: `done-${sessionId}`, event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
    }
    await untilCount(rig, 'active', CUSTOMERS);
    for (const handle of handles) expect((await waitForState(handle, () => true)).stage).toBe('active');

    const requests = await rig.sandbox.admin.requests(10_000);
    // Enough traffic that an unlimited fleet would have gone far past the budget (each onboarding makes ~10 calls).
    expect(requests.total).toBeGreaterThan(CUSTOMERS * 8);
    // Over ten seconds the sustained rate holds exactly (one request of tolerance at the window's edge).
    expect(requests.maxInWindow!.count).toBeLessThanOrEqual(10 * BUDGET + 1);
    // In any single second: requests leave the worker exactly paced (src/vobiz/pacer.ts), but here the sandbox
    // shares the worker's process and event loop on a loaded machine, so a stall can bunch a couple of arrivals.
    expect(requests.maxInAnySecond).toBeLessThanOrEqual(BUDGET + 2);
    expect(requests.rateLimited).toBe(0); // no limit set: nothing was refused
  }, 590_000);

  it('the sandbox refuses requests past its limit with 429 and Retry-After, and counts them', async () => {
    await rig.sandbox.admin.resetRequests();
    await rig.sandbox.admin.setRequestLimit(2);
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await rig.sandbox.api('GET', '/api/v1/partner/kyc-sessions?size=1'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
      expect(answers[2]!.headers['retry-after']).toBe('1');
      expect(answers[2]!.body).toMatchObject({ error: 'rate_limited' });
      expect(await rig.sandbox.admin.requests()).toMatchObject({ total: 3, rateLimited: 1, maxInAnySecond: 3, limitPerSecond: 2 });
    } finally {
      await rig.sandbox.admin.setRequestLimit(null);
    }
  });
});

/** Waits until `count` customers of the rig's queue are in `stage` (visibility, checked once a second). */
async function untilCount(rig: LifecycleRig, stage: string, count: number): Promise<void> {
  const query = `TaskQueue = '${rig.taskQueue}' AND VobizStage = '${stage}'`;
  const deadline = Date.now() + 540_000;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = (await rig.client.workflow.count(query)).count;
    if (seen >= count) return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`only ${seen} of ${count} customers reached ${stage}`);
}

/**
 * Invariant 1 under injected faults: every side-effecting Vobiz call of an onboarding fails once, in each way the
 * network or Vobiz can fail, and the customer still reaches `active` with exactly one account, transfer, KYC
 * session, trunk and number, and a partner wallet debited once. Real dev server, real worker, real sockets, the
 * sandbox's fault injection (docs/sandbox.md); the settle delay is short (`advanced.effectSettleDelay`).
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { VobizClient } from '../../src/vobiz/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../sandbox/admin-client.js';
import { workflowIdFor, type OnboardingRequest } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import type { LifecycleState } from '../../src/workflows/messages.js';
import { completeOnboarding, markLedger, waitFor } from '../support/crash.js';
import { expectExactlyOnce } from '../support/exactly-once.js';
import { onboardingRequest, startLifecycleRig, type LifecycleRig } from '../support/lifecycle.js';

/** The side-effecting routes of an onboarding (`:id` matches one segment; matching ignores case: Account/account). */
const EFFECT_ROUTES = {
  account: 'POST /api/v1/partner/accounts',
  transfer: 'POST /api/v1/partner/accounts/:id/transfer-balance',
  kycSession: 'POST /api/v1/partner/kyc-sessions',
  trunk: 'POST /api/v1/Account/:id/trunks',
  number: 'POST /api/v1/Account/:id/numbers/purchase-from-inventory',
} as const;

/** The list reads each effect's reconcile step uses to find an earlier attempt's result. */
const RECONCILE_READS: Record<keyof typeof EFFECT_ROUTES, string> = {
  account: 'GET /api/v1/partner/accounts',
  transfer: 'GET /api/v1/partner/accounts/:id/transactions',
  kycSession: 'GET /api/v1/partner/kyc-sessions',
  trunk: 'GET /api/v1/Account/:id/trunks',
  number: 'GET /api/v1/Account/:id/numbers',
};

const AMOUNT = 500;

describe('durability: injected faults on every effect (dev server + sandbox)', () => {
  let rig: LifecycleRig;
  /** Onboardings of the current test: terminated after it, so a live one cannot consume the next test's faults. */
  const started: WorkflowHandle[] = [];
  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.terminate('test over').catch(() => undefined)));
    await rig?.sandbox.admin.clearFaults();
  });
  afterAll(() => rig?.close());

  function request(settleDelay = '1 second'): OnboardingRequest {
    return onboardingRequest({
      funding: { amount: AMOUNT, currency: 'INR', description: 'Opening balance' },
      telephony: { trunk: { name: 'Primary trunk' }, number: { country: 'IN' } },
      advanced: { effectSettleDelay: settleDelay },
    });
  }

  async function onboard(req: OnboardingRequest): Promise<LifecycleState> {
    const handle = await rig.client.workflow.start(customerLifecycle, {
      taskQueue: rig.taskQueue,
      workflowId: workflowIdFor(req.customerRef),
      args: [req],
    });
    started.push(handle);
    return completeOnboarding(handle, rig.sandbox.admin);
  }

  /** Every rule fired exactly once: a fault that never fired would make the test prove nothing. */
  async function expectEveryFaultFiredOnce(): Promise<void> {
    const rules = await rig.sandbox.admin.faults();
    expect(rules.map((r) => `${r.method} ${r.pattern} hits=${r.hits}`)).toEqual(rules.map((r) => `${r.method} ${r.pattern} hits=1`));
  }

  it('commit_then_drop (Vobiz commits, the response is lost): each effect is found and adopted, never repeated', async () => {
    const admin = rig.sandbox.admin;
    for (const route of Object.values(EFFECT_ROUTES)) await admin.addFault({ route, mode: 'commit_then_drop', count: 1 });
    const before = await markLedger(admin);
    const req = request();

    const state = await onboard(req);

    await expectEveryFaultFiredOnce();
    // The retries found the first attempts' results: adopted, not created again.
    expect(state.funding?.adopted).toBe(true);
    // The adopted transfer is recorded by the same id a fresh one is: the customer ledger row's (Vobiz's list).
    expect(state.funding?.transactionId).toBe(await transferRowId(rig.vobiz, state.authId!));
    expect(state.kyc.attempts[0]?.adopted).toBe(true);
    expect(state.telephony.numbers).toHaveLength(1);
    await expectExactlyOnce({ vobiz: rig.vobiz, admin }, { email: req.customer.email, state, before, amount: AMOUNT, numbers: 1 });
  });

  const errorFaults: { name: string; fault: Pick<FaultSpec, 'status' | 'retryAfterSeconds'>; numbers: number }[] = [
    // Vobiz answers a purchase it rolled back with 500, which the purchase activity treats as final: the customer
    // goes live without the optional number (an operator can buy one later); every other effect is retried.
    { name: '500', fault: { status: 500 }, numbers: 0 },
    { name: '503', fault: { status: 503 }, numbers: 1 },
    { name: '429 with Retry-After', fault: { status: 429, retryAfterSeconds: 1 }, numbers: 1 },
  ];

  it.each(errorFaults)('$name on every effect (nothing committed): retried once each, one of everything', async ({ fault, numbers }) => {
    const admin = rig.sandbox.admin;
    for (const route of Object.values(EFFECT_ROUTES)) await admin.addFault({ route, mode: 'error', ...fault, count: 1 });
    const before = await markLedger(admin);
    const req = request();

    const state = await onboard(req);

    await expectEveryFaultFiredOnce();
    expect(state.funding?.adopted).toBe(false);
    expect(state.kyc.attempts[0]?.adopted).toBe(false);
    await expectExactlyOnce({ vobiz: rig.vobiz, admin }, { email: req.customer.email, state, before, amount: AMOUNT, numbers });
  });

  it('the reconcile lookup itself fails once after a lost response: the next attempt still adopts, never repeats', async () => {
    const admin = rig.sandbox.admin;
    for (const route of Object.values(EFFECT_ROUTES)) await admin.addFault({ route, mode: 'commit_then_drop', count: 1 });
    // Arm a 503 on each effect's lookup as soon as its write has been dropped, so the failing read is the retry's
    // reconcile step (the one that must find the lost write), not the first attempt's empty lookup.
    let armed = 0;
    let stop = false;
    const arming = (async () => {
      const pending = new Set(Object.keys(EFFECT_ROUTES) as (keyof typeof EFFECT_ROUTES)[]);
      while (pending.size > 0 && !stop) {
        const fired = (await admin.faults()).filter((r) => r.hits > 0).map((r) => `${r.method} ${r.pattern}`);
        for (const effect of [...pending]) {
          if (fired.includes(EFFECT_ROUTES[effect])) {
            await admin.addFault({ route: RECONCILE_READS[effect], mode: 'error', status: 503, count: 1 });
            pending.delete(effect);
            armed++;
          }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const before = await markLedger(admin);
    // A longer settle delay (the first retry's wait) leaves the arming loop ample time on a busy machine.
    const req = request('2 seconds');

    let state: LifecycleState;
    try {
      state = await onboard(req);
      await waitFor(() => armed === 5, { what: 'every reconcile fault armed', timeoutMs: 5000 });
    } finally {
      stop = true;
      await arming;
    }

    await expectEveryFaultFiredOnce();
    expect((await admin.faults()).filter((r) => r.method === 'GET')).toHaveLength(5);
    expect(state.funding?.adopted).toBe(true);
    expect(state.kyc.attempts[0]?.adopted).toBe(true);
    await expectExactlyOnce({ vobiz: rig.vobiz, admin }, { email: req.customer.email, state, before, amount: AMOUNT, numbers: 1 });
  });
});

/** The id of the customer's one transfer row in Vobiz's transaction list. */
async function transferRowId(vobiz: VobizClient, authId: string): Promise<string> {
  const rows = [];
  for await (const row of vobiz.iterateTransactions(authId, { transactionType: 'transfer' })) rows.push(row);
  expect(rows).toHaveLength(1);
  return rows[0]!.id;
}

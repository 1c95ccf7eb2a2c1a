/**
 * The failure policy against the sandbox over real sockets (dev server, real activities and HTTP client):
 * - the partner token is rotated at Vobiz while customers are parked in KYC and going through telephony: none
 *   fails, each stalls visibly on `credentials`, and with the token back they all reach `active`, each effect once;
 * - an offboarding that arrives while a number purchase is still in flight (held by sandbox latency) waits for it
 *   and releases that number too: nothing stays owned (and billed monthly) after offboarding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { kycEventSignal, offboardUpdate, purchaseNumberUpdate, statusQuery, type LifecycleState } from '../../src/workflows/messages.js';
import { STALLED } from '../../src/workflows/search-attributes.js';
import { countEffects } from '../support/effects.js';
import { completeOnboarding, faultHit, markLedger, waitFor } from '../support/crash.js';
import { atStage, onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

const PARTNER_TOKEN = 'test-partner-token';

describe('failure policy against the sandbox (dev server)', () => {
  let rig: LifecycleRig;
  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker();
  });
  afterAll(() => rig?.close());

  it('a partner token rotated at Vobiz fails no customer; with the right token back all reach active, no effect repeated', { timeout: 240_000 }, async () => {
    const before = await markLedger(rig.sandbox.admin);
    const requests = Array.from({ length: 4 }, () => onboardingRequest());
    const handles = await Promise.all(
      requests.map((req) => rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] })),
    );
    const parked = await Promise.all(handles.map((h) => waitForState(h, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'parked in kyc' })));

    // Two customers finish KYC just before the rotation: they are on their way through telephony when it lands.
    for (const [i, state] of parked.slice(0, 2).entries()) {
      const sessionId = state.kyc.attempts[0]!.sessionId;
      await rig.sandbox.admin.completeKyc(sessionId, { pan: 'ABCPE1234F' });
      await handles[i]!.signal(kycEventSignal, { eventKey: `done-${sessionId}`, event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
    }
    await rig.sandbox.admin.rotatePartnerToken('rotated-token-the-worker-does-not-have');

    // Every customer stalls on the refused credentials (the parked ones at their next 2-second poll), none fails.
    const stalled = await Promise.all(handles.map((h) => waitForState(h, (s) => s.stall?.kind === 'credentials', { what: 'stalled on credentials' })));
    for (const [i, state] of stalled.entries()) {
      expect(state.stage).not.toBe('failed');
      expect((await handles[i]!.describe()).typedSearchAttributes.get(STALLED)).toBe('credentials');
    }
    // The other two finish KYC while the token is wrong: their polls cannot see it until it is back.
    for (const state of parked.slice(2)) await rig.sandbox.admin.completeKyc(state.kyc.attempts[0]!.sessionId, { pan: 'ABCPE1234F' });

    await rig.sandbox.admin.rotatePartnerToken(PARTNER_TOKEN); // the partner puts the right token back
    const active = await Promise.all(handles.map((h) => waitForState(h, atStage('active'), { what: 'active after the token is back', timeoutMs: 120_000 })));
    for (const [i, state] of active.entries()) {
      expect(state.stall).toBeUndefined();
      expect(await countEffects(rig.vobiz, requests[i]!.customer.email, state.authId)).toEqual({ accounts: 1, transfers: 1, kycSessions: 1, trunks: 1, ownedNumbers: 0 });
      expect((await handles[i]!.describe()).typedSearchAttributes.get(STALLED)).toBe('');
    }
    const ledger = await rig.sandbox.admin.ledger();
    expect(ledger.balanced).toBe(true);
    expect(ledger.partner_transfer_debits - before.partnerTransferDebits).toBeCloseTo(4 * 500, 5);
    await Promise.all(handles.map((h) => h.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] })));
  });

  it('an offboarding that arrives while a number purchase is in flight releases that number too: none stays owned', { timeout: 120_000 }, async () => {
    const request = onboardingRequest();
    const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
    const active = await completeOnboarding(handle, rig.sandbox.admin);

    const route = 'POST /api/v1/Account/:id/numbers/purchase-from-inventory';
    await rig.sandbox.admin.addFault({ route, mode: 'latency', latencyMs: 3_000, count: 1 });
    const purchase = handle.executeUpdate(purchaseNumberUpdate, { args: [{ country: 'IN' }] });
    await waitFor(faultHit(rig.sandbox.admin, route), { what: 'the purchase held at the sandbox' });
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'customer left mid-purchase' }] });

    const { e164 } = await purchase; // the purchase finished: offboarding waited for it
    const summary = await handle.result();
    expect(summary).toMatchObject({ stage: 'offboarded', numbersReleased: [e164] });
    // Released numbers stay listed in pending_release for 24 hours (cancellable), then leave the account.
    const account = await rig.vobiz.getAccount(active.authId!);
    const owned: { e164?: string | null; status?: string | null }[] = [];
    for await (const n of rig.vobiz.customer({ authId: active.authId!, authToken: account.auth_token! }).iterateNumbers()) owned.push(n);
    expect(owned.filter((n) => n.status !== 'pending_release')).toEqual([]);
    expect(owned.map((n) => n.e164)).toEqual([e164]);
    const final: LifecycleState = await rig.client.workflow.getHandle(handle.workflowId).query(statusQuery);
    expect(final.telephony).toMatchObject({ numbers: [e164], releasedNumbers: [e164], trunkDisabled: true });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { kycEventSignal, offboardUpdate, purchaseNumberUpdate, resendKycUpdate, restartKycUpdate } from '../../src/workflows/messages.js';
import { countEffects } from '../support/effects.js';
import { updateRejection } from '../support/temporal.js';
import { atStage, onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

describe('customer lifecycle against the sandbox (dev server)', () => {
  let rig: LifecycleRig;
  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker();
  });
  afterAll(() => rig?.close());

  it('onboards a customer to active: account, transfer, KYC confirmed with the API, trunk; then offboards', async () => {
    const request = onboardingRequest({
      funding: { amount: '2000.50', currency: 'INR' },
      telephony: { trunk: { name: 'Primary trunk' }, number: { country: 'IN' } },
    });
    const handle = await rig.client.workflow.start(customerLifecycle, {
      taskQueue: rig.taskQueue,
      workflowId: workflowIdFor(request.customerRef),
      args: [request],
    });

    const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'kyc stage' });
    const sessionId = kyc.kyc.attempts[0]!.sessionId;
    expect(kyc.authId).toMatch(/^MA_[A-Z0-9]{8}$/);
    expect(kyc.funding).toMatchObject({ amount: '2000.50000', currency: 'INR', adopted: false });

    // The operator resend is refused by Vobiz's 30-minute cooldown (the creation e-mail just went out).
    expect(await updateRejection(handle.executeUpdate(resendKycUpdate))).toMatch(/at most one KYC e-mail per 30 minutes/);
    // Stage rules: restartKyc is for failed/expired/revoked KYC only.
    expect(await updateRejection(handle.executeUpdate(restartKycUpdate))).toMatch(/restartKyc is allowed only in/);

    // A webhook for a session that has not finished is only a hint: the API still says it is open.
    await handle.signal(kycEventSignal, { eventKey: 'early', event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await waitForState(handle, () => true)).stage).toBe('kyc');

    await rig.sandbox.admin.completeKyc(sessionId, { pan: 'ABCPE1234F' });
    await handle.signal(kycEventSignal, { eventKey: 'done', event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
    const active = await waitForState(handle, atStage('active'), { what: 'active stage' });
    expect(active.kyc.attempts[0]).toMatchObject({ outcome: 'completed' });
    expect(active.telephony.trunkDomain).toBe(`${active.telephony.trunkId}.sip.vobiz.ai`);
    expect(active.telephony.numbers).toHaveLength(1);
    expect(active.kyc.eventsSeen).toBe(2);

    // Usage monitoring sees generated traffic.
    const traffic = await rig.sandbox.admin.traffic({ account_auth_id: active.authId!, calls: 12, mix: { answered: 8, failed: 2, busy: 1, no_answer: 1 } });
    const answered = traffic.cdrs.filter((cdr) => cdr.answer_time !== null).length;
    const polled = await waitForState(handle, (s) => (s.usage?.totals.calls ?? 0) >= 12, { what: 'usage poll' });
    expect(polled.usage?.totals).toMatchObject({ calls: 12, answered });

    // An operator buys a second number.
    const bought = await handle.executeUpdate(purchaseNumberUpdate, { args: [{ country: 'IN' }] });
    expect(bought.e164).toMatch(/^\+91\d+$/);

    const counts = await countEffects(rig.vobiz, request.customer.email, active.authId);
    expect(counts).toEqual({ accounts: 1, transfers: 1, kycSessions: 1, trunks: 1, ownedNumbers: 2 });

    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'Contract ended' }] });
    const summary = await handle.result();
    expect(summary).toMatchObject({ stage: 'offboarded', reason: 'Contract ended', kycAttempts: 1 });
    expect(summary.numbersReleased).toHaveLength(2);
    const trunk = (await rig.vobiz.customer({ authId: active.authId!, authToken: (await rig.vobiz.getAccount(active.authId!)).auth_token! }).getTrunk(active.telephony.trunkId!));
    expect(trunk.trunk_status).toBe('disabled');
  });

  it('rejects invalid input in the workflow itself, naming every bad field', async () => {
    const request = onboardingRequest();
    const bad = { ...request, customer: { ...request.customer, phone: '12345', password: 'short' }, funding: { amount: 0, currency: 'inr' } };
    const handle = await rig.client.workflow.start('customerLifecycle', {
      taskQueue: rig.taskQueue,
      workflowId: workflowIdFor(request.customerRef),
      args: [bad],
    });
    const failure = await handle.result().then(
      () => undefined,
      (err: Error) => err,
    );
    const message = String((failure?.cause as Error | undefined)?.message);
    expect(message).toMatch(/customer\.phone must be E\.164/);
    expect(message).toMatch(/customer\.password must be at least 8 characters/);
    expect(message).toMatch(/funding\.amount must be greater than 0/);
    expect(message).toMatch(/funding\.currency must be an ISO 4217 code/);
    expect(message).not.toContain('12345');
  });
});

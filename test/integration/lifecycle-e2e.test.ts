import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { Worker } from '@temporalio/worker';
import { parseOnboardingInput, workflowIdFor } from '../../src/workflows/input.js';
import { kycEventSignal, offboardUpdate, purchaseNumberUpdate, resendKycUpdate, restartKycUpdate } from '../../src/workflows/messages.js';
import { countEffects } from '../support/effects.js';
import { updateRejection, workflowBundle } from '../support/temporal.js';
import { WORKFLOWS_PATH, atStage, dataConverter, onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

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
    expect(kyc.funding?.transferId).toMatch(/^txn_/);
    // Recorded by the customer ledger row's id, as an adopted transfer is (Vobiz's rows do not carry the txn_ id).
    const rows = [];
    for await (const row of rig.vobiz.iterateTransactions(kyc.authId!, { transactionType: 'transfer' })) rows.push(row.id);
    expect(rows).toEqual([kyc.funding?.transactionId]);

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

  it('checks the structure of its input itself: a missing section or a wrong type fails the run, naming each field', async () => {
    const request = onboardingRequest();
    const { telephony: _dropped, ...withoutTelephony } = request;
    const bad = { ...withoutTelephony, customer: { ...request.customer, phone: 919812345678 }, funding: { currency: 'INR' } };
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
    expect(message).toMatch(/customer\.phone must be a string/);
    expect(message).toMatch(/funding\.amount is required/);
    expect(message).toMatch(/telephony is required/);
    expect(message).not.toContain('919812345678');
  });

  it('runs (and replays) an input that the edge now refuses: the rules live at the edge, so tightening one never breaks a running customer', async () => {
    // A 2-second poll and 2 polls per run are below today's edge bounds (5 minutes, 10): a customer started before
    // those bounds existed, or by hand, carries such values in its history.
    const request = onboardingRequest({ kyc: { expiresInDays: 14, pollInterval: '2 seconds', pollsPerRun: 2 } });
    const edge = parseOnboardingInput(request);
    expect(edge.ok).toBe(false);
    expect(edge.ok ? [] : edge.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['kyc.pollInterval', 'kyc.pollsPerRun']));

    const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
    // Parked in KYC long enough to continue-as-new (2 confirmations per run) at least once.
    await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'kyc' });
    const latest = rig.client.workflow.getHandle(handle.workflowId);
    for (let i = 0; i < 120 && (await latest.describe()).runId === handle.firstExecutionRunId; i++) await new Promise((r) => setTimeout(r, 250));
    expect((await latest.describe()).runId).not.toBe(handle.firstExecutionRunId);
    await latest.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    await latest.result();

    const bundle = await workflowBundle(WORKFLOWS_PATH);
    for (const runId of [handle.firstExecutionRunId, (await latest.describe()).runId]) {
      const history = await rig.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: bundle, dataConverter }, history, handle.workflowId);
    }
  });
});

/**
 * Refusals tell their cause (issue 21), against the sandbox over real sockets (dev server, real activities):
 * - Vobiz's 422 names the field it refused, and the block reason says it;
 * - a number purchase the customer's wallet cannot pay (Vobiz answers a bare 500) says the balance and the price;
 * - an account closed at Vobiz (404 on its reads) does not hold offboarding up: it ends, recording the account gone;
 * - with the worker stopped, a status query that gets no answer names the worker, not Temporal.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRefusal } from '../../src/onboarding/refusals.js';
import { getLifecycleState } from '../../src/onboarding/start.js';
import { WorkerUnavailableError, explainFailure, withDeadline } from '../../src/onboarding/temporal-calls.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { offboardUpdate, purchaseNumberUpdate } from '../../src/workflows/messages.js';
import { completeOnboarding } from '../support/crash.js';
import { onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

describe('refusals tell their cause (dev server, sandbox)', () => {
  let rig: LifecycleRig;
  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker();
  });
  afterAll(() => rig?.close());

  const start = (request: ReturnType<typeof onboardingRequest>) =>
    rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });

  it("a Vobiz 422 names its field in the block reason (a country past every edge: Vobiz's body names body.country)", async () => {
    const request = onboardingRequest();
    request.customer.country = 'ZZ';
    const handle = await start(request);
    const { blocked } = await waitForState(handle, (s) => s.stage === 'blocked', { what: 'blocked' });
    expect(blocked).toMatchObject({ step: 'account', type: 'VobizValidationError' });
    expect(blocked?.reason).toMatch(/422 validation_error: Request validation failed \(country: .*ISO-3166 alpha-2/);
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
  });

  it("a number purchase the customer's wallet cannot pay names the balance and the price", async () => {
    const handle = await start(onboardingRequest({ funding: { amount: 1, currency: 'INR' } }));
    await completeOnboarding(handle, rig.sandbox.admin);
    const refused = await handle.executeUpdate(purchaseNumberUpdate, { args: [{ country: 'IN' }] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const refusal = describeRefusal((refused as WorkflowUpdateFailedError).cause);
    expect(refusal).toMatchObject({ kind: 'refused', type: 'NumberPurchaseFailed' });
    expect(refusal.message).toMatch(/the customer's balance 1\.00 INR does not cover its price \d+\.\d\d INR \(setup fee \d+\.\d\d INR \+ first month \d+\.\d\d INR\)/);
    expect(refusal.message).not.toContain('server_error');
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
  });

  it('offboarding a customer whose account Vobiz closed ends: the account is gone, nothing stalls', async () => {
    const handle = await start(onboardingRequest());
    const active = await completeOnboarding(handle, rig.sandbox.admin);
    await rig.sandbox.admin.closeAccount(active.authId!);
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'closed at Vobiz' }] });
    const summary = await handle.result();
    expect(summary).toMatchObject({ stage: 'offboarded', accountGone: true });
    expect(summary.left).toBeUndefined();
  });

  it('with the worker stopped, a status query that gets no answer names the worker (and the task queue), not Temporal', async () => {
    const request = onboardingRequest();
    const handle = await start(request);
    await waitForState(handle, (s) => s.stage === 'kyc', { what: 'kyc' });
    await rig.stopWorker();
    try {
      const noAnswer = await withDeadline(rig.client, 2_000, () => getLifecycleState(rig.client, request.customerRef)).catch((err: unknown) => err);
      const explained = await explainFailure(rig.client, request.customerRef, handle.workflowId, noAnswer);
      expect(explained).toBeInstanceOf(WorkerUnavailableError);
      // Temporal still lists the worker it just lost for a while: the message says when it last polled.
      expect((explained as Error).message).toMatch(new RegExp(`^no worker answered in time \\(Temporal did\\): a worker last polled task queue ${rig.taskQueue} \\d+ s ago`));
    } finally {
      await rig.startWorker();
      await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    }
  });
});

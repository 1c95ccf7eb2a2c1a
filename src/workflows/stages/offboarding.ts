/**
 * Offboarding: everything the customer holds at Vobiz is closed, each step once (the state records what is done, so
 * a run continued-as-new while offboarding goes on where it stood): the open KYC session, the numbers, the trunk.
 * Each step has a rule for a refusal and an operator can force the end (offboarding-ends.ts), so it always ends.
 */
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import { recordKycOutcome } from '../lifecycle-metrics.js';
import type { ReasonArgs } from '../messages.js';
import { openKycAttempt, setStage, touch, type LifecycleRun } from '../run/context.js';
import { PATCH } from '../run/patches.js';
import { offboardedReason, offboardingStep, recordLeft, takeForceRequest } from './offboarding-ends.js';

export async function offboard(run: LifecycleRun, request: ReasonArgs): Promise<void> {
  const { state, calls } = run;
  const offboarding = (state.offboarding ??= { reason: request.reason, requestedAt: new Date().toISOString() });
  takeForceRequest(run);
  setStage(run, 'offboarding', request.reason);
  // A number purchase or a revoke still running would act after the release loop: let it finish first.
  await condition(allHandlersFinished);
  const open = openKycAttempt(state);
  if (open) {
    const revoked = await offboardingStep(run, () => calls.idempotentWrite('revokeKycSession', 'Revoke KYC session', { sessionId: open.sessionId, reason: request.reason }), false);
    if (revoked.done) {
      open.outcome = 'revoked';
      open.endedAt = new Date().toISOString();
      recordKycOutcome('revoked');
    } else recordLeft(run, { kycSessionId: open.sessionId });
  }
  const authId = state.authId;
  if (authId) {
    for (const e164 of state.telephony.numbers) {
      if (state.telephony.releasedNumbers.includes(e164)) continue;
      const released = await offboardingStep(run, () => calls.idempotentWrite('releaseNumber', 'Release number', { authId, e164 }));
      if (!released.done) {
        recordLeft(run, { numbers: [e164] });
        continue;
      }
      state.telephony.releasedNumbers.push(e164);
      touch(run);
    }
    if (state.telephony.trunkId && !state.telephony.trunkDisabled) {
      const trunkId = state.telephony.trunkId;
      const disabled = await offboardingStep(run, () => calls.idempotentWrite('disableSipTrunk', 'Disable SIP trunk', { authId, trunkId }));
      if (disabled.done) state.telephony.trunkDisabled = true;
      else recordLeft(run, { trunkId });
    }
    if (patched(PATCH.offboardReadsBalance)) {
      // Vobiz has no partner API to move money back: the operator reclaims what is left through Vobiz support.
      const balance = await offboardingStep(run, () => calls.read('readBalance', 'Read balance', { authId }));
      if (!balance.done) recordLeft(run, { balanceUnknown: true });
      else if (balance.result) offboarding.balanceAtOffboarding = `${balance.result.balance} ${balance.result.currency}`;
    }
  }
  offboarding.completedAt = new Date().toISOString();
  setStage(run, 'offboarded', offboardedReason(run, request.reason));
}

/**
 * Offboarding: everything the customer holds at Vobiz is closed, each step once (the state records what is done, so
 * a run continued-as-new while offboarding goes on where it stood): the open KYC session, the numbers, the trunk.
 */
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import { recordKycOutcome } from '../lifecycle-metrics.js';
import type { ReasonArgs } from '../messages.js';
import { openKycAttempt, setStage, touch, type LifecycleRun } from '../run/context.js';
import { PATCH } from '../run/patches.js';
import { step } from '../steps/step.js';

export async function offboard(run: LifecycleRun, request: ReasonArgs): Promise<void> {
  const { state, calls } = run;
  const offboarding = (state.offboarding ??= { reason: request.reason, requestedAt: new Date().toISOString() });
  setStage(run, 'offboarding', request.reason);
  // A number purchase or a revoke still running would act after the release loop: let it finish first.
  await condition(allHandlersFinished);
  const open = openKycAttempt(state);
  if (open) {
    await step(run, 'offboarding', () => calls.idempotentWrite('revokeKycSession', 'Revoke KYC session', { sessionId: open.sessionId, reason: request.reason }));
    open.outcome = 'revoked';
    open.endedAt = new Date().toISOString();
    recordKycOutcome('revoked');
  }
  const authId = state.authId;
  if (authId) {
    for (const e164 of state.telephony.numbers) {
      if (state.telephony.releasedNumbers.includes(e164)) continue;
      await step(run, 'offboarding', () => calls.idempotentWrite('releaseNumber', 'Release number', { authId, e164 }));
      state.telephony.releasedNumbers.push(e164);
      touch(run);
    }
    if (state.telephony.trunkId && !state.telephony.trunkDisabled) {
      const trunkId = state.telephony.trunkId;
      await step(run, 'offboarding', () => calls.idempotentWrite('disableSipTrunk', 'Disable SIP trunk', { authId, trunkId }));
      state.telephony.trunkDisabled = true;
    }
    if (patched(PATCH.offboardReadsBalance)) {
      // Vobiz has no partner API to move money back: the operator reclaims what is left through Vobiz support.
      const balance = await step(run, 'offboarding', () => calls.read('readBalance', 'Read balance', { authId }));
      offboarding.balanceAtOffboarding = `${balance.balance} ${balance.currency}`;
    }
  }
  offboarding.completedAt = new Date().toISOString();
  setStage(run, 'offboarded', request.reason);
}

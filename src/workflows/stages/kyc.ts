/**
 * KYC: opens sessions until one completes. A session that fails or expires opens another while attempts are left;
 * one revoked, or the last one ended, waits for an operator (`restartKyc` or `offboard`), bounded by OPERATOR_WAIT.
 */
import { patched } from '@temporalio/workflow';
import { recordKycOutcome } from '../lifecycle-metrics.js';
import type { KycAttemptRecord, KycOutcome, Stage } from '../messages.js';
import { openKycAttempt, requireAuthId, setStage, touch, type LifecycleRun } from '../run/context.js';
import { PATCH } from '../run/patches.js';
import { awaitOperator, OPERATOR_WAIT } from '../steps/operator-wait.js';
import { step } from '../steps/step.js';
import { awaitKycOutcome } from './kyc-waiter.js';

/** The KYC stages that wait for `restartKyc`. */
export const KYC_WAITS: readonly Stage[] = ['kyc_failed', 'kyc_expired', 'kyc_revoked'];

/** Until KYC completes (`completed`), offboarding is asked for (`offboard`), or an unpatched operator wait ran out (`closed`). */
export async function runKyc(run: LifecycleRun): Promise<'completed' | 'offboard' | 'closed'> {
  const { state, requests } = run;
  // A run continued-as-new while waiting for an operator (kyc_failed, kyc_expired, kyc_revoked) resumes that wait.
  let resumedWait = KYC_WAITS.includes(state.stage);
  for (;;) {
    let outcome: KycOutcome | undefined = state.kyc.attempts.at(-1)?.outcome;
    if (!resumedWait) {
      setStage(run, 'kyc');
      // A continue-as-new during the wait resumes the open session: opening another would revoke the customer's link.
      const record = openKycAttempt(state) ?? (await openSession(run));
      const ended = await awaitKycOutcome(run, record);
      if (ended === 'offboard') return 'offboard';
      outcome = ended;
      record.outcome = outcome;
      record.endedAt = new Date().toISOString();
      recordKycOutcome(outcome);
      touch(run);
      if (outcome === 'completed') {
        setStage(run, 'telephony');
        return 'completed';
      }
      if (outcome !== 'revoked' && state.kyc.attempts.length < state.kyc.attemptsAllowed) continue;
      setStage(run, waitStageAfter(outcome), `KYC ${outcome} after ${state.kyc.attempts.length} attempt(s); waiting for an operator`);
    }
    resumedWait = false;
    const waiting = state.stage;
    requests.restartKyc = false;
    const decided = await awaitOperator(run, () => requests.restartKyc, 'Await operator: restartKyc/offboard');
    if (requests.offboard) return 'offboard';
    if (!decided) {
      const reason = `KYC ${outcome}; no operator decision within ${OPERATOR_WAIT}`;
      if (patched(PATCH.offboardAfterOperatorWait)) {
        // Closing here would leave the account, its balance and any session live with nobody watching them.
        requests.offboard = { reason };
        return 'offboard';
      }
      setStage(run, waiting, reason);
      return 'closed';
    }
  }
}

async function openSession(run: LifecycleRun): Promise<KycAttemptRecord> {
  const { state, calls } = run;
  const attempt = state.kyc.attempts.length + 1;
  const session = await step(
    run,
    'kyc',
    () =>
      calls.effect('openKycSession', 'Open KYC session', {
        authId: requireAuthId(state),
        workflowId: state.workflowId,
        attempt,
        expiresInDays: run.input.kyc.expiresInDays,
        reminderSchedule: run.input.kyc.reminderSchedule,
      }),
    { blockAs: 'kyc' },
  );
  const record: KycAttemptRecord = {
    attempt,
    sessionId: session.sessionId,
    expiresAt: session.expiresAt,
    openedAt: new Date().toISOString(),
    adopted: session.adopted,
  };
  state.kyc.attempts.push(record);
  state.kyc.status = session.status;
  touch(run);
  return record;
}

function waitStageAfter(outcome: KycOutcome): Stage {
  return outcome === 'failed' ? 'kyc_failed' : outcome === 'expired' ? 'kyc_expired' : 'kyc_revoked';
}

/**
 * The KYC handlers: webhook events and sweep hints (hints only: the main flow confirms with the API), and the
 * operator's resend, revoke and restart. Each takes the run it acts on.
 */
import { ApplicationFailure, condition, log, patched } from '@temporalio/workflow';
import type { KycIntakeView } from '../kyc-event-intake.js';
import { recordIgnoredKycEvent } from '../lifecycle-metrics.js';
import type { KycCheckSignal, KycEventSignal, ReasonArgs, ReminderRecord, Stage } from '../messages.js';
import { openKycAttempt, type LifecycleRun } from '../run/context.js';
import { PATCH } from '../run/patches.js';
import { KYC_WAITS } from '../stages/kyc.js';
import { requireReason } from './operator.js';

/** The `kycEvent` signal: checked here, since the bridges that signal do not look the workflow up. */
export function takeKycEventSignal(run: LifecycleRun, event: KycEventSignal): void {
  // A delivery naming another Vobiz account is not this customer's, whatever its metadata says. Logged and counted,
  // nothing else changes.
  if (event.accountAuthId !== undefined && event.accountAuthId !== run.state.authId && patched(PATCH.kycEventAccountCheck)) {
    log.warn('KYC event for another Vobiz account ignored', { event: event.event, sessionId: event.sessionId, accountAuthId: event.accountAuthId });
    recordIgnoredKycEvent('other_account');
    return;
  }
  // Duplicates (Vobiz retries) and events for other sessions change nothing; the API decides, not the event.
  if (run.seenEventKeys.has(event.eventKey)) return;
  takeKycEvent(run, event);
}

/** What the `kycEvent` Update's validator sees (kyc-event-intake.ts). */
export function kycIntakeView(run: LifecycleRun): KycIntakeView {
  return { stage: run.state.stage, authId: run.state.authId, openSessionId: openKycAttempt(run.state)?.sessionId, seenEventKeys: run.seenEventKeys };
}

/** A new KYC event: counted, its key remembered, and a hint to confirm now when it is for the open session. */
export function takeKycEvent(run: LifecycleRun, event: KycEventSignal): Stage {
  const { state } = run;
  run.seenEventKeys.add(event.eventKey);
  state.kyc.eventsSeen += 1;
  state.kyc.lastEventAt = event.receivedAt;
  if (openKycAttempt(state)?.sessionId === event.sessionId) run.requests.kycHint = true;
  return state.stage;
}

/**
 * The partner-wide sweep saw no open session for this customer at Vobiz: its webhook was probably lost. A hint like
 * a webhook: confirm with the API now (a customer without an open session has nothing to confirm).
 */
export function takeKycCheck(run: LifecycleRun, { sweepId }: KycCheckSignal): void {
  if (run.state.stage !== 'kyc' || !openKycAttempt(run.state)) return;
  log.info('KYC sweep hint: confirming the session now', { sweepId });
  run.requests.kycHint = true;
}

export function requireOpenKyc(run: LifecycleRun, update: string): void {
  if (run.state.stage !== 'kyc' || !openKycAttempt(run.state)) {
    throw new Error(`${update} is allowed only while a KYC session is open (stage kyc); the stage is ${run.state.stage}`);
  }
}

export function resendKyc(run: LifecycleRun): Promise<{ result: ReminderRecord['result'] }> {
  return run.updateLock.runExclusive(async () => {
    const open = openKycAttempt(run.state);
    if (!open) throw ApplicationFailure.create({ type: 'NotAllowed', message: 'The KYC session ended while the request waited', nonRetryable: true });
    const { result } = await run.calls.idempotentWrite('resendKycEmail', 'Resend KYC email (operator)', { sessionId: open.sessionId, purpose: 'operator' });
    if (result === 'skipped_session_closed') run.requests.kycHint = true;
    return { result };
  });
}

export function validateRevokeKyc(run: LifecycleRun, args: ReasonArgs): void {
  requireOpenKyc(run, 'revokeKyc');
  requireReason(args);
}

export function revokeKyc(run: LifecycleRun, { reason }: ReasonArgs): Promise<{ stage: Stage }> {
  return run.updateLock.runExclusive(async () => {
    const open = openKycAttempt(run.state);
    if (!open) return { stage: run.state.stage };
    await run.calls.idempotentWrite('revokeKycSession', 'Revoke KYC session (operator)', { sessionId: open.sessionId, reason });
    run.requests.kycHint = true; // the main flow confirms the revocation with the API and moves to kyc_revoked
    await condition(() => run.state.stage !== 'kyc' || !openKycAttempt(run.state));
    return { stage: run.state.stage };
  });
}

export function validateRestartKyc(run: LifecycleRun): void {
  if (!KYC_WAITS.includes(run.state.stage)) {
    throw new Error(`restartKyc is allowed only in ${KYC_WAITS.join(', ')}; the stage is ${run.state.stage}`);
  }
}

/** One more attempt from here, never fewer than the input allowed: a restart after a revoke keeps the attempts left. */
export function restartKyc(run: LifecycleRun): { stage: Stage } {
  const { kyc } = run.state;
  const next = kyc.attempts.length + 1;
  kyc.attemptsAllowed = patched(PATCH.restartKeepsBudget) ? Math.max(kyc.attemptsAllowed, next) : next;
  run.requests.restartKyc = true;
  return { stage: 'kyc' };
}

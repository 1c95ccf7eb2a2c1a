/**
 * Business metrics the customer workflow emits through the workflow meter: the SDK drops them during replay, so
 * each is recorded when the event happens (at least once: a workflow task that fails after recording and is retried
 * records again). Tags added by the SDK: namespace, task_queue, workflow_type; ours carry no customer data.
 * Emitting a metric adds nothing to the history, so no `patched()` is needed.
 */
import { metricMeter } from '@temporalio/workflow';
import type { KycOutcome, Stage, StallKind } from './messages.js';

const KYC_OUTCOMES_METRIC = 'vobiz_kyc_outcomes';
export const TIME_TO_ACTIVE_METRIC = 'vobiz_time_to_active_seconds';

/** One KYC session's result (a customer may have several sessions). */
export function recordKycOutcome(outcome: KycOutcome): void {
  metricMeter.createCounter(KYC_OUTCOMES_METRIC, 'sessions', 'KYC sessions by outcome (completed, failed, expired, revoked)').add(1, { outcome });
}

/**
 * From the customer's onboarding start (`state.startedAt`, kept across continue-as-new, unlike the run's start
 * time) to `active`; recorded once per customer, when telephony finishes.
 */
export function recordTimeToActive(startedAt: string, now = new Date()): void {
  const seconds = Math.max(0, (now.getTime() - Date.parse(startedAt)) / 1000);
  metricMeter.createHistogram(TIME_TO_ACTIVE_METRIC, 'float', 's', 'Time from a customer\'s onboarding start to active').record(seconds);
}

/** A round of a step retried by the failure policy. */
export function recordStallRound(step: string, kind: StallKind): void {
  metricMeter.createCounter('vobiz_lifecycle_stalled_rounds', 'rounds', 'Rounds of a step retried by the failure policy').add(1, { step, kind });
}

/** A step blocked for an operator (the customer's data refused). */
export function recordBlockedStep(step: Stage, type: string): void {
  metricMeter.createCounter('vobiz_lifecycle_blocked', 'steps', 'Steps blocked for an operator').add(1, { step, type });
}

/** A kycEvent signal dropped because it named another Vobiz account than the customer's. */
export function recordIgnoredKycEvent(reason: 'other_account'): void {
  metricMeter
    .createCounter('vobiz_lifecycle_kyc_events_ignored', 'events', 'KYC webhook signals ignored because they named another Vobiz account')
    .add(1, { reason });
}

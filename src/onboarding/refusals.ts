/**
 * Why an operator action did not happen, told the same way by the start API and the CLI.
 *
 * A workflow update fails as `WorkflowUpdateFailedError` whose cause is the real reason, sometimes wrapped:
 *
 *   validator refused          → ApplicationFailure (type "Error", the validator's message: wrong stage, bad args)
 *   handler refused            → ApplicationFailure (e.g. NoNumberAvailable)
 *   an activity refused/failed → ActivityFailure ("Activity task failed") → ApplicationFailure (KycResendCooldown,
 *                                VobizInsufficientBalance, VobizUnreachable, …)
 *
 * Showing the outer message ("Activity task failed") hides the reason in the worker's log, so the chain is
 * unwrapped to the innermost ApplicationFailure and reported as its type's entry in the failure vocabulary says
 * (src/failures/vocabulary.ts): not allowed, refused, try later or failed, each with one HTTP status and one CLI
 * exit code (docs/bridge.md).
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TemporalFailure } from '@temporalio/common';
import { FAILURE_TYPES, isFailureType, type OperatorReport } from '../failures/vocabulary.js';

export interface Refusal {
  kind: OperatorReport;
  /** The failure type (`KycResendCooldown`, `NoNumberAvailable`, `VobizInsufficientBalance`, `NotAllowed`, …). */
  type: string;
  message: string;
  retryAfterSeconds?: number;
}

/** ActivityFailure and ChildWorkflowFailure only say where it failed; their cause says why. */
function innermostReason(err: unknown): unknown {
  let e = err;
  for (let depth = 0; depth < 8 && (e instanceof ActivityFailure || e instanceof ChildWorkflowFailure) && e.cause; depth++) e = e.cause;
  return e;
}

function retryAfterSeconds(failure: ApplicationFailure): number | undefined {
  const detail = failure.details?.[0] as { retryAfterSeconds?: unknown } | undefined;
  if (detail && typeof detail.retryAfterSeconds === 'number') return detail.retryAfterSeconds;
  if (failure.nextRetryDelay !== undefined && failure.nextRetryDelay !== null) {
    const ms = typeof failure.nextRetryDelay === 'number' ? failure.nextRetryDelay : Number.NaN;
    if (Number.isFinite(ms)) return Math.ceil(ms / 1000);
  }
  // Failures raised before the detail existed (or by other code) say it in words only ("try again in 1791 seconds").
  const match = /(\d+)\s*(?:s\b|seconds?)/.exec(failure.message);
  return match ? Number(match[1]) : undefined;
}

/** The reason an update failed, from its cause (`WorkflowUpdateFailedError.cause`). */
export function describeRefusal(cause: unknown): Refusal {
  const reason = innermostReason(cause);
  const wrapped = reason !== cause;
  if (reason instanceof ApplicationFailure) {
    const type = reason.type ?? 'Error';
    const message = reason.message;
    // A plain Error thrown by a validator (never by a handler: that would fail the workflow task instead).
    if (!wrapped && (type === 'Error' || type === 'TypeError')) return { kind: 'not_allowed', type: 'NotAllowed', message };
    // A type outside the vocabulary is a bug in an activity (`TypeError`): refused, with its type for the log.
    const kind = isFailureType(type) ? FAILURE_TYPES[type].report : 'refused';
    if (kind === 'try_later') {
      const seconds = retryAfterSeconds(reason);
      return { kind, type, message, ...(seconds !== undefined ? { retryAfterSeconds: seconds } : {}) };
    }
    return { kind, type, message };
  }
  if (reason instanceof TemporalFailure) return { kind: 'failed', type: reason.name, message: reason.message };
  return { kind: 'failed', type: 'Unknown', message: reason instanceof Error ? reason.message : String(reason) };
}

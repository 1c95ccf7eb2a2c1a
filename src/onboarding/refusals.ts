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
 * unwrapped to the innermost ApplicationFailure and sorted into four kinds, each with one HTTP status and one CLI
 * exit code (docs/bridge.md).
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TemporalFailure } from '@temporalio/common';

export type RefusalKind =
  /** The workflow's validator said no: not allowed in the current stage. */
  | 'not_allowed'
  /** The workflow or Vobiz refused while carrying it out (no number in inventory, wallet too low, …). */
  | 'refused'
  /** Refused for now: the same request succeeds after `retryAfterSeconds` (Vobiz's KYC e-mail cooldown). */
  | 'try_later'
  /** Could not be carried out (Vobiz unreachable, broke its contract, timed out): retrying later may work. */
  | 'failed';

export interface Refusal {
  kind: RefusalKind;
  /** The failure type (`KycResendCooldown`, `NoNumberAvailable`, `VobizInsufficientBalance`, `NotAllowed`, …). */
  type: string;
  message: string;
  retryAfterSeconds?: number;
}

/** Failure types that mean "try again later" rather than "no". */
const TRY_LATER_TYPES = new Set(['KycResendCooldown', 'VobizRateLimited']);
/** Failure types that mean the action could not be carried out, through no fault of the request. */
const FAILED_TYPES = new Set(['VobizUnreachable', 'VobizServerError', 'VobizContractBroken', 'VobizUnauthorized', 'InvariantViolation']);

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
    if (TRY_LATER_TYPES.has(type)) {
      const seconds = retryAfterSeconds(reason);
      return { kind: 'try_later', type, message, ...(seconds !== undefined ? { retryAfterSeconds: seconds } : {}) };
    }
    if (FAILED_TYPES.has(type)) return { kind: 'failed', type, message };
    return { kind: 'refused', type, message };
  }
  if (reason instanceof TemporalFailure) return { kind: 'failed', type: reason.name, message: reason.message };
  return { kind: 'failed', type: 'Unknown', message: reason instanceof Error ? reason.message : String(reason) };
}

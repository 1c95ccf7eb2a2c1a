/**
 * Turns the Vobiz client's errors into Temporal failures of the failure vocabulary (src/failures/vocabulary.ts), so
 * the retry policy, the workflow's failure policy and operators read one meaning per type:
 * - each client error is raised as its `failureType`, non-retryable when the vocabulary says the activity does not
 *   retry it (a request Vobiz refused for good: `VobizNotFound`, `VobizUnauthorized`, ...; a response that broke
 *   the contract); an HTTP answer carries its status and Vobiz's code in the details;
 * - a 429 retries after the wait Vobiz asked for;
 * - 5xx, timeouts and connection errors retry under the workflow's policy; an effect's write that may have landed
 *   retries only after the settle delay (`ambiguousWrite`).
 * Messages come from the client's errors, which never carry credentials.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES, type FailureType } from '../failures/vocabulary.js';
import { VobizApiError, VobizError, VobizNetworkError, VobizRequestError, VobizTimeoutError } from '../vobiz/index.js';
import { callOptions } from './deps.js';

/** A failure of the vocabulary: final for the activity unless the vocabulary says it is retried. */
export function failure(type: FailureType, message: string, extra: { details?: unknown[]; nextRetryDelay?: number } = {}): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: !FAILURE_TYPES[type].retried,
    ...(extra.details ? { details: extra.details } : {}),
    ...(extra.nextRetryDelay !== undefined ? { nextRetryDelay: extra.nextRetryDelay } : {}),
  });
}

export function toFailure(err: unknown): unknown {
  if (!(err instanceof VobizError)) return err;
  if (err instanceof VobizApiError) {
    return failure(err.failureType, err.message, {
      details: [{ status: err.status, code: err.code, fieldErrors: err.fieldErrors }],
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
    });
  }
  // The client refused to send it: a field breaks a documented rule, so the same data fails again.
  if (err instanceof VobizRequestError) return failure(err.failureType, err.message, { details: [{ fieldErrors: err.fieldErrors }] });
  return failure(err.failureType, err.message);
}

/**
 * A 404 on one of the account's own reads (its details, its balance) means the account no longer exists at Vobiz:
 * `VobizAccountGone`, which offboarding takes as "nothing left to close" (docs/design.md §4). Any other error passes.
 */
export function accountGoneOr(err: unknown, authId: string): unknown {
  if (!isApiError(err, 404)) return err;
  return failure('VobizAccountGone', `the Vobiz account ${authId} does not exist any more (${err.message})`, {
    details: [{ status: err.status, code: err.code, authId }],
  });
}

/** Runs a Vobiz call and rethrows its error as a Temporal failure. */
export async function vobizCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toFailure(err);
  }
}

export function isApiError(err: unknown, ...statuses: number[]): err is VobizApiError {
  return err instanceof VobizApiError && (statuses.length === 0 || statuses.includes(err.status));
}

/** Tries and pauses of a reconcile lookup's own retry: a failed GET costs a second, not an effect retry. */
const LOOKUP_PAUSES_MS = [500, 1_500];

/**
 * Runs an effect's reconcile lookup with a short retry of its own. Nothing is written by a lookup, so a failed one
 * is simply asked again, fast; only when it keeps failing does the effect attempt fail (and nothing is written).
 */
export async function lookup<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const retryable = err instanceof VobizError && err.retryable && !(err instanceof VobizApiError && err.status === 429);
      if (!retryable || i >= LOOKUP_PAUSES_MS.length) throw err;
      await sleep(LOOKUP_PAUSES_MS[i], undefined, callOptions());
    }
  }
}

/** The settle delay when the workflow did not say (activities started by an older workflow version). */
const DEFAULT_SETTLE_DELAY_MS = 60_000;

/**
 * The failure of an effect's write. A write that may have landed (no answer after the request was sent, or a 5xx,
 * which a proxy can return after Vobiz committed) retries only after the settle delay, so that the retry's lookup
 * finds it; anything else is left to `toFailure` (a refused connection or a 429 retries fast, a 4xx is final).
 */
export function ambiguousWrite(err: unknown, settleDelayMs: number | undefined): unknown {
  const mayHaveLanded =
    ((err instanceof VobizNetworkError || err instanceof VobizTimeoutError) && err.mayHaveCommitted) ||
    (err instanceof VobizApiError && err.status >= 500);
  if (!mayHaveLanded) return err;
  // The client's message already says the request may have been applied; the retry's lookup settles it.
  const { message } = err as VobizError;
  return failure(err instanceof VobizApiError ? 'VobizServerError' : 'VobizUnreachable', message, {
    details: err instanceof VobizApiError ? [{ status: err.status, code: err.code }] : [],
    nextRetryDelay: settleDelayMs ?? DEFAULT_SETTLE_DELAY_MS,
  });
}

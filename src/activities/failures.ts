/**
 * Turns the Vobiz client's error taxonomy into Temporal failures, so the retry policy and the workflow's failure
 * policy (src/workflows/failure-policy.ts) see one vocabulary:
 * - a request Vobiz refused for good (400/401/403/404/409/422, or a response that broke the contract) fails
 *   non-retryably, with a type that names the reason (`VobizNotFound`, `VobizUnauthorized`, ...) and the HTTP
 *   status in its details; the workflow decides what that means for the customer;
 * - a 429 retries after the wait Vobiz asked for;
 * - 5xx, timeouts and connection errors retry under the workflow's policy; an effect's write that may have landed
 *   retries only after the settle delay (`ambiguousWrite`).
 * Messages come from the client's errors, which never carry credentials.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { VobizApiError, VobizError, VobizNetworkError, VobizRequestError, VobizResponseError, VobizTimeoutError } from '../vobiz/index.js';
import { callOptions } from './deps.js';

function typeName(code: string): string {
  return `Vobiz${code.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`;
}

export function toFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof VobizApiError) {
    const details = [{ status: err.status, code: err.code, fieldErrors: err.fieldErrors }];
    if (err.status === 429) {
      return ApplicationFailure.create({
        type: 'VobizRateLimited',
        message: err.message,
        details,
        ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
      });
    }
    return ApplicationFailure.create({ type: typeName(err.code), message: err.message, details, nonRetryable: !err.retryable });
  }
  if (err instanceof VobizRequestError) {
    // The client refused to send it: a field breaks a documented rule, so the same data fails again.
    return ApplicationFailure.create({ type: 'VobizRequestInvalid', message: err.message, details: [{ fieldErrors: err.fieldErrors }], nonRetryable: true });
  }
  if (err instanceof VobizResponseError) {
    return ApplicationFailure.create({ type: 'VobizContractBroken', message: err.message, nonRetryable: true });
  }
  if (err instanceof VobizError) {
    return ApplicationFailure.create({ type: 'VobizUnreachable', message: err.message, nonRetryable: false });
  }
  return err;
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
  const { message } = err as VobizError;
  return ApplicationFailure.create({
    type: err instanceof VobizApiError ? 'VobizServerError' : 'VobizUnreachable',
    // The client's message already says the request may have been applied; the retry's lookup settles it.
    message,
    details: err instanceof VobizApiError ? [{ status: err.status, code: err.code }] : [],
    nextRetryDelay: settleDelayMs ?? DEFAULT_SETTLE_DELAY_MS,
  });
}

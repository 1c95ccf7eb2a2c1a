/**
 * Turns the Vobiz client's error taxonomy into Temporal failures, so the retry policy sees one vocabulary:
 * - a request Vobiz refused for good (400/401/403/404/409/422, or a response that broke the contract) fails
 *   non-retryably, with a type that names the reason (`VobizNotFound`, `VobizValidationError`, ...);
 * - a 429 retries after the wait Vobiz asked for;
 * - 5xx, timeouts and connection errors retry under the workflow's policy.
 * Messages come from the client's errors, which never carry credentials.
 */
import { ApplicationFailure } from '@temporalio/common';
import { VobizApiError, VobizError, VobizResponseError } from '../vobiz/index.js';

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

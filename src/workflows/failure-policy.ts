/**
 * The workflow's failure policy: what a failed Vobiz step means for the customer. Pure (no I/O), so the workflow
 * decides it deterministically from the failure alone.
 *
 * | kind              | examples                                                   | the workflow                         |
 * |-------------------|------------------------------------------------------------|--------------------------------------|
 * | customer_data     | e-mail in use by someone else, 400/404/409/422 from Vobiz, an opening balance over the worker's cap | stage `blocked`: waits for an operator `retry` (with corrected fields) or `offboard` |
 * | credentials       | 401/403: the partner token was rotated, mistyped, or lost a permission | stalls: retries on a capped backoff, by itself, once the cause is fixed |
 * | partner_balance   | the partner wallet cannot cover the opening transfer       | stalls (the partner tops up)         |
 * | vobiz_unavailable | 5xx, 429, timeouts, connection errors after the activity's own retries | stalls                   |
 * | unexpected        | a bug in an activity, a response that broke the contract   | stalls: a fixed deploy carries on    |
 *
 * A bug in workflow code is not a step failure: it throws out of the workflow task, which Temporal retries, so a
 * fixed deploy resumes the customer where it stood.
 */
import type { ActivityFailure} from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/workflow';
import type { AccountOwner } from './messages.js';

export const FAILURE_KINDS = ['customer_data', 'credentials', 'partner_balance', 'vobiz_unavailable', 'unexpected'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Stall kinds are shown in the `VobizStalled` search attribute: a fixed vocabulary, never a message. */
export type StallKind = Exclude<FailureKind, 'customer_data'>;

export interface ClassifiedFailure {
  kind: FailureKind;
  /** The failure's type (e.g. `VobizUnauthorized`, `EmailInUse`), for people and metrics. */
  type: string;
  /** The failure's message: written by our activities and the Vobiz client, never carrying credentials. */
  message: string;
  /** For `EmailInUse`: whose the e-mail's Vobiz account is (from the failure's details). */
  owner?: AccountOwner;
}

/** Types an activity raises for a customer's data that Vobiz refused for good. */
const CUSTOMER_DATA_TYPES = new Set(['EmailInUse', 'TransferMismatch', 'VobizRequestInvalid', 'OpeningBalanceOverCap']);
const CREDENTIAL_TYPES = new Set(['VobizUnauthorized', 'VobizForbidden']);
const UNAVAILABLE_TYPES = new Set(['VobizUnreachable', 'VobizRateLimited', 'VobizServerError']);

/** The HTTP status a Vobiz failure carries in its details (see src/activities/failures.ts). */
function statusOf(failure: ApplicationFailure): number | undefined {
  const first = failure.details?.[0] as { status?: unknown } | undefined;
  return typeof first?.status === 'number' ? first.status : undefined;
}

export function classifyFailure(err: ActivityFailure): ClassifiedFailure {
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure)) {
    // A timeout (the worker died or hung past every attempt) or a server-side failure: Vobiz or our worker is away.
    return { kind: 'vobiz_unavailable', type: cause?.name ?? 'ActivityFailure', message: cause?.message ?? err.message };
  }
  const type = cause.type ?? 'Error';
  const owner = type === 'EmailInUse' ? accountOwnerOf(cause) : undefined;
  const described = { type, message: cause.message, ...(owner ? { owner } : {}) };
  const status = statusOf(cause);
  if (CREDENTIAL_TYPES.has(type) || status === 401 || status === 403) return { kind: 'credentials', ...described };
  if (type === 'PartnerBalanceInsufficient') return { kind: 'partner_balance', ...described };
  if (UNAVAILABLE_TYPES.has(type) || (status !== undefined && (status >= 500 || status === 429 || status === 408))) {
    return { kind: 'vobiz_unavailable', ...described };
  }
  if (CUSTOMER_DATA_TYPES.has(type) || (status !== undefined && status >= 400 && status < 500)) {
    return { kind: 'customer_data', ...described };
  }
  return { kind: 'unexpected', ...described };
}

/** `{ ownerCustomerRef, authId }` from an EmailInUse failure's first detail (src/activities/accounts.ts). */
function accountOwnerOf(failure: ApplicationFailure): AccountOwner | undefined {
  const detail = failure.details?.[0] as { ownerCustomerRef?: unknown; authId?: unknown } | undefined;
  const owner: AccountOwner = {
    ...(typeof detail?.ownerCustomerRef === 'string' ? { customerRef: detail.ownerCustomerRef } : {}),
    ...(typeof detail?.authId === 'string' ? { authId: detail.authId } : {}),
  };
  return Object.keys(owner).length > 0 ? owner : undefined;
}

/**
 * How long a stalled step waits before its next round: doubling from `floor`, capped. Each round already includes
 * the activity's own fast retries, so the wait only spaces out the rounds (and their history events).
 */
export function stallDelayMs(round: number, floorMs: number): number {
  const STALL_CAP_MS = 2 * 60_000;
  const floor = Math.max(floorMs, 30_000);
  return Math.min(floor * 2 ** Math.min(round, 10), Math.max(STALL_CAP_MS, floor));
}

/**
 * The workflow's failure policy: what a failed Vobiz step means for the customer. Pure (no I/O), so the workflow
 * decides it deterministically from the failure alone: the failure's type, looked up in the failure vocabulary
 * (src/failures/vocabulary.ts, where each type's kind is defined and docs/design.md §4 explains them).
 *
 * | kind              | the workflow                                                                       |
 * |-------------------|------------------------------------------------------------------------------------|
 * | customer_data     | stage `blocked`: waits for an operator `retry` (with corrected fields) or `offboard` |
 * | any other (stall) | stalls: retries on a capped backoff, by itself, once the cause is fixed             |
 *
 * A bug in workflow code is not a step failure: it throws out of the workflow task, which Temporal retries, so a
 * fixed deploy resumes the customer where it stood.
 */
import type { ActivityFailure } from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/workflow';
import { failureKind, type FailureKind } from '../failures/vocabulary.js';
import type { AccountOwner } from './messages.js';

export interface ClassifiedFailure {
  kind: FailureKind;
  /** The failure's type (e.g. `VobizUnauthorized`, `EmailInUse`), for people and metrics. */
  type: string;
  /** The failure's message: written by our activities and the Vobiz client, never carrying credentials. */
  message: string;
  /** For `EmailInUse`: whose the e-mail's Vobiz account is (from the failure's details). */
  owner?: AccountOwner;
}

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
  return { kind: failureKind(type, statusOf(cause)), type, message: cause.message, ...(owner ? { owner } : {}) };
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

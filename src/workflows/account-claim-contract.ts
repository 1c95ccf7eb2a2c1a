/**
 * The contract of the account claim: which customer workflow owns the Vobiz account of one e-mail address.
 *
 * Vobiz accounts are unique by e-mail and Vobiz has no idempotency keys, so "an account with this e-mail exists"
 * cannot tell a customer's own earlier attempt (its response lost) from another customer's account. A running
 * `accountClaim` workflow whose ID is a keyed hash of the e-mail settles it: Temporal lets only one workflow with an
 * ID run, so the first customer workflow to start the claim owns the e-mail, and only the owner may create or adopt
 * the account (src/activities/accounts.ts; docs/design.md §2, "One Vobiz account, one customer").
 *
 * Pure: imported by the claim workflow, the activities and the operator tools.
 */
import { defineUpdate } from '@temporalio/workflow';

export const ACCOUNT_CLAIM_WORKFLOW_TYPE = 'accountClaim';

/** The claim's workflow ID prefix; the rest is an HMAC of the e-mail, so the ID carries no personal data. */
export const ACCOUNT_CLAIM_ID_PREFIX = 'vobiz-account-claim-';

/** Memo key holding the owner's workflow ID (`customer-<customerRef>`): readable with describe(), no worker needed. */
export const ACCOUNT_CLAIM_MEMO_OWNER = 'owner';

export interface AccountClaimInput {
  /** The owning customer workflow's ID. */
  owner: string;
}

/** An operator's deliberate hand-over of the account to another customer (a returning customer). */
interface AccountHandOverArgs {
  /** The current owner's workflow ID: a hand-over names whom it takes the account from, so a typo changes nothing. */
  from: string;
  /** The new owner's workflow ID. */
  to: string;
  reason: string;
}

/** The owner gives the claim up (its account creation was refused for good: no account exists under it). */
interface AccountClaimReleaseArgs {
  owner: string;
  reason: string;
}

export const handOverAccountClaimUpdate = defineUpdate<{ owner: string }, [AccountHandOverArgs]>('handOverAccountClaim');
export const releaseAccountClaimUpdate = defineUpdate<{ released: true }, [AccountClaimReleaseArgs]>('releaseAccountClaim');

/** What a claim's run ends with: released (by whom and why), or carried into the next run. */
export interface AccountClaimSummary {
  owner: string;
  released?: { reason: string };
}

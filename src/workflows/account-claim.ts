/**
 * The account claim (account-claim-contract.ts): a workflow that only holds who owns one e-mail's Vobiz account.
 * It runs for as long as the account belongs to a customer of this service (an offboarded customer's account still
 * exists at Vobiz, so its claim stays), and ends only when its owner releases it. It calls nothing and sets no timer:
 * between an operator's rare hand-overs it costs no worker time.
 */
import { ApplicationFailure, condition, makeContinueAsNewFunc, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import {
  ACCOUNT_CLAIM_MEMO_OWNER,
  handOverAccountClaimUpdate,
  releaseAccountClaimUpdate,
  type AccountClaimInput,
  type AccountClaimSummary,
} from './account-claim-contract.js';

/** Only operators' updates add events here; past this many the run continues as new, carrying the owner. */
const HISTORY_EVENTS_BOUND = 1_000;
const CUSTOMER_WORKFLOW_ID = /^customer-[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function accountClaim(input: AccountClaimInput): Promise<AccountClaimSummary> {
  if (!CUSTOMER_WORKFLOW_ID.test(input?.owner ?? '')) {
    throw ApplicationFailure.nonRetryable('owner must be a customer workflow ID (customer-<customerRef>)', 'InvalidInput');
  }
  let owner = input.owner;
  let released: { reason: string } | undefined;

  setHandler(
    handOverAccountClaimUpdate,
    ({ to }) => {
      owner = to;
      upsertMemo({ [ACCOUNT_CLAIM_MEMO_OWNER]: owner });
      return { owner };
    },
    {
      validator: ({ from, to, reason }) => {
        if (from !== owner) throw new Error(`from must be the account's current owner (${owner}), not ${String(from)}`);
        if (typeof to !== 'string' || !CUSTOMER_WORKFLOW_ID.test(to)) throw new Error('to must be a customer workflow ID (customer-<customerRef>)');
        if (to === owner) throw new Error(`${to} already owns the account`);
        requireReason(reason);
        if (released) throw new Error('the claim has been released');
      },
    },
  );

  setHandler(
    releaseAccountClaimUpdate,
    ({ reason }) => {
      released = { reason };
      return { released: true as const };
    },
    {
      validator: ({ owner: releasedBy, reason }) => {
        if (releasedBy !== owner) throw new Error(`only the owner (${owner}) may release the claim`);
        requireReason(reason);
      },
    },
  );

  await condition(() => released !== undefined || workflowInfo().historyLength >= HISTORY_EVENTS_BOUND);
  if (released) return { owner, released };
  const next = makeContinueAsNewFunc<typeof accountClaim>({ memo: { [ACCOUNT_CLAIM_MEMO_OWNER]: owner } });
  return next({ owner });
}

function requireReason(reason: unknown): void {
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) {
    throw new Error('reason is required: a non-empty string of at most 500 characters');
  }
}

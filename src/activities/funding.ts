/**
 * The opening balance transfer, exactly once. Transfers are irreversible and Vobiz has no idempotency key, so the
 * description carries a token unique to this workflow and step, and before every call the customer's ledger is
 * searched for it: a transfer found there is the earlier attempt's, and is adopted instead of repeated.
 * A write that may have landed retries only after the settle delay (`ambiguousWrite`), so the lookup sees it.
 *
 * The state records the customer ledger row's id either way: Vobiz's ledger rows do not carry the `txn_…` id that
 * the transfer's response has, so a fresh transfer reads its row back, and the state says the same thing as
 * Vobiz's transaction list whether the transfer was made now or adopted after a lost response.
 *
 * Money has a limit: an amount over the worker's cap (ONBOARDING_MAX_OPENING_BALANCE, which every edge enforced
 * too) is refused before anything is sent, non-retryably, so the customer blocks with the cap named instead of
 * waiting for a top-up big enough to pay it. An amount within the cap that the partner wallet cannot cover yet is a
 * legitimate request: it stalls (`partner_balance`) and goes through by itself after the partner tops up
 * (docs/design.md §4); the cap bounds what such a top-up can release.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { Money, type Transaction, type VobizClient } from '../vobiz/index.js';
import { STRICTEST_ONBOARDING, callOptions, type ActivityDeps } from './deps.js';
import { ambiguousWrite, failure, isApiError, lookup, vobizCall } from './failures.js';
import type { TransferInput, TransferResult } from './types.js';

async function findTransfer(vobiz: VobizClient, authId: string, token: string): Promise<Transaction | undefined> {
  for await (const row of vobiz.iterateTransactions(authId, { transactionType: 'transfer' }, callOptions())) {
    if (row.description?.includes(token)) return row;
  }
  return undefined;
}

/** The failure for an amount over the cap: the customer's data, refused for good (the workflow blocks it). */
function overCap(amount: Money, currency: string, cap: Money): ApplicationFailure {
  return failure(
    'OpeningBalanceOverCap',
    `The opening balance ${amount.toString()} ${currency} is over the cap of ${cap.toString()} per customer ` +
      '(ONBOARDING_MAX_OPENING_BALANCE on the worker); nothing was transferred. Raise the cap and retry, or offboard.',
    { details: [{ amount: amount.toString(), cap: cap.toString(), currency }] },
  );
}

export function fundingActivities({ vobiz, settings }: ActivityDeps) {
  const cap = Money.parse((settings.onboarding ?? STRICTEST_ONBOARDING).maxOpeningBalance);
  return {
    async transferOpeningBalance(input: TransferInput): Promise<TransferResult> {
      const amount = Money.parse(input.amount);
      return vobizCall(async () => {
        const earlier = await lookup(() => findTransfer(vobiz, input.authId, input.intentToken));
        if (earlier) {
          if (!Money.parse(earlier.amount).equals(amount)) {
            throw failure('TransferMismatch', `A transfer tagged ${input.intentToken} exists with amount ${earlier.amount.toString()}, not ${amount.toString()}`);
          }
          log.info('Adopted the transfer an earlier attempt made', { transactionId: earlier.id });
          return { transactionId: earlier.id, amount: amount.toString(), currency: input.currency, adopted: true };
        }
        // After the lookup: money an earlier attempt already moved is adopted above even if the cap fell since.
        if (amount.greaterThan(cap)) throw overCap(amount, input.currency, cap);
        try {
          const transfer = await vobiz.transferBalance(
            input.authId,
            {
              amount,
              currency: input.currency,
              description: `${input.description ?? 'Opening balance'} [${input.intentToken}]`,
            },
            callOptions(),
          );
          // Read the row back (a failure here is retried: the retry adopts the transfer by its token).
          const row = await lookup(() => findTransfer(vobiz, input.authId, input.intentToken));
          if (!row) {
            throw failure('VobizLedgerLagging', `Transfer ${transfer.transaction_id} is not in the ledger yet`);
          }
          return { transactionId: row.id, transferId: transfer.transaction_id, amount: amount.toString(), currency: input.currency, adopted: false };
        } catch (err) {
          if (err instanceof ApplicationFailure) throw err;
          if (isApiError(err, 400) && err.code === 'insufficient_balance') {
            // The partner's to fix: the workflow stalls visibly and tries again (never a second transfer: the token lookup runs first).
            throw failure('PartnerBalanceInsufficient', `${err.message} Top up the partner wallet; the transfer retries by itself.`, {
              details: [{ status: err.status, code: err.code }],
            });
          }
          throw ambiguousWrite(err, input.settleDelayMs);
        }
      });
    },
  };
}

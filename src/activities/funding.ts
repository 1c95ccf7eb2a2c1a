/**
 * The opening balance transfer, exactly once. Transfers are irreversible and Vobiz has no idempotency key, so the
 * description carries a token unique to this workflow and step, and before every call the customer's ledger is
 * searched for it: a transfer found there is the earlier attempt's, and is adopted instead of repeated.
 * The retry policy (see workflows/activity-stubs.ts) waits long enough for an in-flight request to land first.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { Money, type Transaction, type VobizClient } from '../vobiz/index.js';
import { callOptions, type ActivityDeps } from './deps.js';
import { isApiError, vobizCall } from './failures.js';
import type { TransferInput, TransferResult } from './types.js';

/** A partner wallet that cannot cover the transfer is for the partner to top up: retry slowly, don't fail. */
const INSUFFICIENT_BALANCE_RETRY_MS = 10 * 60_000;

async function findTransfer(vobiz: VobizClient, authId: string, token: string): Promise<Transaction | undefined> {
  for await (const row of vobiz.iterateTransactions(authId, { transactionType: 'transfer' }, callOptions())) {
    if (row.description?.includes(token)) return row;
  }
  return undefined;
}

export function fundingActivities({ vobiz }: ActivityDeps) {
  return {
    async transferOpeningBalance(input: TransferInput): Promise<TransferResult> {
      const amount = Money.parse(input.amount);
      return vobizCall(async () => {
        const earlier = await findTransfer(vobiz, input.authId, input.intentToken);
        if (earlier) {
          if (!Money.parse(earlier.amount).equals(amount)) {
            throw ApplicationFailure.create({
              type: 'TransferMismatch',
              message: `A transfer tagged ${input.intentToken} exists with amount ${earlier.amount.toString()}, not ${amount.toString()}`,
              nonRetryable: true,
            });
          }
          log.info('Adopted the transfer an earlier attempt made', { transactionId: earlier.id });
          return { transactionId: earlier.id, amount: amount.toString(), currency: input.currency, adopted: true };
        }
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
          return { transactionId: transfer.transaction_id, amount: amount.toString(), currency: input.currency, adopted: false };
        } catch (err) {
          if (isApiError(err, 400) && err.code === 'insufficient_balance') {
            throw ApplicationFailure.create({
              type: 'PartnerBalanceInsufficient',
              message: `${err.message} Top up the partner wallet; the transfer retries by itself.`,
              nextRetryDelay: INSUFFICIENT_BALANCE_RETRY_MS,
            });
          }
          throw err;
        }
      });
    },
  };
}

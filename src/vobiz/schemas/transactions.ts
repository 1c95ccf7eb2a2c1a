/** Partner view of a customer's ledger (docs/vobiz-api.md §5.7). */
import { z } from 'zod';
import { ISO_DATE, money, optCount, optMoney, optString, page, perPage } from './common.js';
import { transactionPages, type PageOf } from './pages.js';

export const TRANSACTION_TYPES = ['recharge', 'debit', 'refund', 'transfer'] as const;

export const ListTransactionsParams = z.object({
  page: page.optional(),
  // Over 200 is a 422 from Vobiz; reject it here with the same rule.
  perPage: perPage(200).optional(),
  fromDate: ISO_DATE.optional(),
  toDate: ISO_DATE.optional(),
  /** Filter vocabulary (recharge/debit/refund/transfer) differs from the row `type` (credit/debit). */
  transactionType: z.enum(TRANSACTION_TYPES).optional(),
});
export type ListTransactionsParams = z.input<typeof ListTransactionsParams>;

export const Transaction = z.looseObject({
  id: z.string(),
  account_id: optString,
  balance_id: optString,
  /** credit | debit; `amount` is positive and the sign comes from here. */
  type: optString,
  amount: money,
  currency: optString,
  description: optString,
  reference: optString,
  reference_type: optString,
  status: optString,
  processed_at: optString,
  created_at: optString,
  updated_at: optString,
});
export type Transaction = z.output<typeof Transaction>;

const TransactionSummary = z.looseObject({
  total_transactions: optCount,
  total_debit: optMoney,
  total_credit: optMoney,
  net_amount: optMoney,
  by_reference_type: z
    .array(z.looseObject({ reference_type: optString, total_debit: optMoney, total_credit: optMoney, count: optCount }))
    .nullish(),
});

export const TransactionPage = transactionPages.of(Transaction, { summary: TransactionSummary.nullish(), account_auth_id: optString });
export type TransactionPage = PageOf<typeof TransactionPage>;

/**
 * Ledger rows for the partner and every customer (doc §5.7). Every balance change writes a row in the same
 * transaction as the balance update, so the ledger always explains the balance.
 */
import type { SandboxContext } from './context.js';
import { addBalance } from './accounts.js';
import { uuid } from './ids.js';
import { toNumber } from './money.js';

/**
 * Why a row exists, in the vocabulary of the partner `transaction_type` filter (recharge|debit|refund|transfer), which
 * differs from the row `type` (credit|debit).
 */
export type LedgerCategory = 'transfer' | 'usage' | 'refund' | 'recharge';

export interface LedgerRow {
  seq: number; id: string; account_auth_id: string; type: 'credit' | 'debit'; amount_units: number; currency: string;
  description: string | null; reference: string | null; reference_type: string; category: LedgerCategory; status: string;
  transfer_id: string | null; created_ms: number; created_at: string;
}

interface LedgerEntry {
  accountAuthId: string; type: 'credit' | 'debit'; amountUnits: number; currency: string; description: string;
  reference: string | null; referenceType: string; category: LedgerCategory; transferId?: string;
}

/** Moves the balance and records the row; call inside `db.tx()` when it is one leg of several. Returns the new balance. */
export function post(ctx: SandboxContext, entry: LedgerEntry): number {
  const nowMs = ctx.clock.nowMs();
  const balance = addBalance(ctx, entry.accountAuthId, entry.type === 'credit' ? entry.amountUnits : -entry.amountUnits);
  ctx.db.run(
    `INSERT INTO ledger (id, account_auth_id, type, amount_units, currency, description, reference, reference_type, category,
       status, transfer_id, created_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed', ?, ?, ?)`,
    [uuid(), entry.accountAuthId, entry.type, entry.amountUnits, entry.currency, entry.description, entry.reference,
      entry.referenceType, entry.category, entry.transferId ?? null, nowMs, ctx.clock.iso(nowMs)],
  );
  return balance;
}

export function ledgerRows(ctx: SandboxContext, accountAuthId: string): LedgerRow[] {
  return ctx.db.all<LedgerRow>('SELECT * FROM ledger WHERE account_auth_id = ? ORDER BY seq DESC', [accountAuthId]);
}

/** The row shape of the partner transactions endpoint (amount positive; the sign is implied by `type`). */
export function renderLedgerRow(row: LedgerRow, withReferenceType = false): Record<string, unknown> {
  return {
    id: row.id,
    account_id: row.account_auth_id,
    balance_id: `bal_${row.account_auth_id}_${row.currency}`,
    type: row.type,
    amount: toNumber(row.amount_units),
    currency: row.currency,
    description: row.description,
    ...(row.reference !== null || !withReferenceType ? { reference: row.reference } : {}),
    ...(withReferenceType ? { reference_type: row.reference_type } : {}),
    status: row.status,
    processed_at: row.created_at,
    created_at: row.created_at,
    updated_at: row.created_at,
  };
}

/** `summary` over a filtered set (doc §5.7); partner transfers report `reference_type:"unknown"`. */
export function ledgerSummary(rows: LedgerRow[], transferAsUnknown: boolean): Record<string, unknown> {
  let debit = 0;
  let credit = 0;
  const byType = new Map<string, { reference_type: string; total_debit: number; total_credit: number; count: number }>();
  for (const r of rows) {
    const refType = transferAsUnknown && r.category === 'transfer' ? 'unknown' : r.reference_type;
    const bucket = byType.get(refType) ?? { reference_type: refType, total_debit: 0, total_credit: 0, count: 0 };
    if (r.type === 'debit') {
      debit += r.amount_units;
      bucket.total_debit += r.amount_units;
    } else {
      credit += r.amount_units;
      bucket.total_credit += r.amount_units;
    }
    bucket.count += 1;
    byType.set(refType, bucket);
  }
  return {
    total_transactions: rows.length,
    total_debit: toNumber(debit),
    total_credit: toNumber(credit),
    net_amount: toNumber(credit - debit),
    by_reference_type: [...byType.values()].map((b) => ({ ...b, total_debit: toNumber(b.total_debit), total_credit: toNumber(b.total_credit) })),
  };
}

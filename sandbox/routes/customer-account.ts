/** Customer API balance and transactions (doc §6.1), with that endpoint's nested error shape. */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.js';
import { requireCustomer } from '../auth.js';
import { ApiError, customerError } from '../errors.js';
import { lenientInt, queryString, type Query } from '../pagination.js';
import { ledgerRows, ledgerSummary, renderLedgerRow } from '../ledger.js';
import { toNumber } from '../money.js';

/** A date or ISO timestamp; a bare `to_date` means the end of that day (inclusive). */
function parseBound(raw: string, end: boolean): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T${end ? '23:59:59.999' : '00:00:00'}Z`) : Date.parse(raw);
  // A malformed date is a 500 in the real API.
  if (Number.isNaN(ms)) throw new ApiError(500, { error: 'Failed to retrieve transactions' });
  return ms;
}

export function customerAccountRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { authId: string; currency: string } }>('/balance/:currency', async (req) => {
      const c = requireCustomer(ctx, req, req.params.authId);
      if (req.params.currency.toUpperCase() !== c.doc.currency) throw customerError(404, 'not_found', `no ${req.params.currency} balance on this account`);
      const balance = toNumber(c.balanceUnits);
      return {
        id: `bal_${c.doc.auth_id}_${c.doc.currency}`, account_id: c.doc.auth_id, currency: c.doc.currency, balance, reserved_funds: 0,
        promotional_balance: 0, promotional_reserved_balance: 0, available_balance: balance, credit_limit: 0, is_postpaid: false,
        credit_limit_type: 'hard', low_balance_threshold: 100, status: 'active', created_at: c.doc.created_at, updated_at: c.doc.updated_at,
      };
    });

    app.get<{ Params: { authId: string }; Querystring: Query }>('/transactions', async (req) => {
      const c = requireCustomer(ctx, req, req.params.authId);
      const q = (n: string) => queryString(req.query, n);
      const from = q('from_date') !== undefined ? parseBound(q('from_date') ?? '', false) : undefined;
      const to = q('to_date') !== undefined ? parseBound(q('to_date') ?? '', true) : undefined;
      const contains = (hay: string | null, needle: string | undefined) => !needle || (hay ?? '').toLowerCase().includes(needle.toLowerCase());
      const rows = ledgerRows(ctx, c.doc.auth_id).filter(
        (r) =>
          (from === undefined || r.created_ms >= from) &&
          (to === undefined || r.created_ms <= to) &&
          (!q('type') || r.type === q('type') || r.reference_type === q('type')) &&
          (!q('status') || r.status === q('status')) &&
          (!q('currency') || r.currency === q('currency')) &&
          (!q('reference_type') || r.reference_type === q('reference_type')) &&
          (!q('transaction_id') || r.id === q('transaction_id')) &&
          contains(r.description, q('description')) &&
          contains(r.reference, q('reference')),
      );
      const page = lenientInt(req.query, 'page', 1, { min: 1 });
      const perPage = lenientInt(req.query, 'per_page', 50, { min: 1, max: 1000, overMax: 'fallback' }); // over-limit falls back to 50
      return {
        transactions: rows.slice((page - 1) * perPage, page * perPage).map((r) => renderLedgerRow(r, true)),
        summary: ledgerSummary(rows, false),
        total: rows.length,
        page,
        per_page: perPage,
        total_pages: Math.ceil(rows.length / perPage),
      };
    });

    app.get<{ Params: { authId: string } }>('/transactions/reference-types', async (req) => {
      requireCustomer(ctx, req, req.params.authId);
      return { reference_types: ['cdr', 'did_rental', 'did_purchase', 'manual_adjustment', 'payment', 'refund', 'recording', 'stream_cdr', 'transcription', 'ncc'] };
    });
  };
}

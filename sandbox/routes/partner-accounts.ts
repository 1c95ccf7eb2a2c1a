/** Partner API: customer accounts, balances, transfers, transactions and numbers (doc §5.4, §5.5, §5.7, §5.9). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import {
  countCustomers, createCustomer, emailTaken, findCustomer, getPartner, pageCustomers, renderAccount, type Customer,
} from '../accounts.js';
import { partnerError, parsePartnerBody, validationError, insufficientBalanceError, ApiError } from '../errors.js';
import { isVobizCountry } from '../../src/vobiz/countries.js';
import { CURRENCY_BY_COUNTRY, toNumber, toString5, toUnits } from '../money.js';
import { pageSlice, parseDay, partnerInts, queryString, type Query } from '../pagination.js';
import { transferId } from '../ids.js';
import { ledgerRows, ledgerSummary, post, renderLedgerRow, type LedgerRow } from '../ledger.js';
import { ownedNumbers, renderNumber } from '../numbers.js';

const SPECIAL_CHAR = /[^A-Za-z0-9]/;

const CreateAccountBody = z.object({
  name: z.string().trim().min(1, 'String should have at least 1 character').max(255),
  email: z.email('value is not a valid email address: An email address must have an @-sign.'),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone must be in E.164 format, e.g. +919876543210'),
  password: z
    .string()
    .min(8, 'String should have at least 8 characters')
    .refine((p) => /\d/.test(p), 'Password must contain at least one number')
    .refine((p) => SPECIAL_CHAR.test(p), 'Password must contain at least one special character'),
  country: z
    .string()
    .transform((c) => c.trim().toUpperCase())
    .refine(isVobizCountry, 'country must be an ISO-3166 alpha-2 code such as IN'),
  company: z.string().max(255).optional(),
  description: z.string().optional(),
  address: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  zip_code: z.string().optional(),
  timezone: z.string().optional(),
  gstin: z.string().optional(),
  gst_status: z.enum(['active', 'inactive']).optional(),
  account_type: z.string().optional(),
});

const TransferBody = z.object({
  amount: z.number(),
  currency: z.string().min(1),
  description: z.string().max(500).optional(),
});

const TRANSACTION_TYPES = ['recharge', 'debit', 'refund', 'transfer'] as const;

/** The customer, or the partner 404 (unknown ids and other partners' customers look the same). */
export function ownCustomer(ctx: SandboxContext, authId: string): Customer {
  const customer = findCustomer(ctx, authId);
  if (!customer || customer.doc.partner_id !== getPartner(ctx).doc.id) throw partnerError(404, `Account ${authId} not found`);
  return customer;
}

/** The partner `transaction_type` vocabulary mapped onto rows (doc §5.7). */
function matchesTransactionType(row: LedgerRow, type: (typeof TRANSACTION_TYPES)[number]): boolean {
  switch (type) {
    case 'recharge':
      return row.type === 'credit' && row.category !== 'refund';
    case 'debit':
      return row.type === 'debit' && row.category === 'usage';
    case 'refund':
      return row.category === 'refund';
    case 'transfer':
      return row.category === 'transfer';
  }
}

export function partnerAccountsRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    app.post('/accounts', async (req, reply) => {
      const body = parsePartnerBody(CreateAccountBody, req.body);
      if (emailTaken(ctx, body.email)) {
        throw validationError([{ type: 'value_error', loc: ['body', 'email'], msg: 'Value error, An account with this email already exists', input: body.email }]);
      }
      const { doc: partner } = getPartner(ctx);
      if (countCustomers(ctx) >= partner.max_accounts) {
        throw partnerError(403, `Maximum number of accounts (${partner.max_accounts}) reached`);
      }
      const currency = CURRENCY_BY_COUNTRY[body.country] ?? 'USD';
      const customer = createCustomer(ctx, { ...body, currency });
      void reply.code(201);
      return {
        auth_id: customer.doc.auth_id,
        auth_token: customer.authToken,
        name: customer.doc.name,
        email: customer.doc.email,
        status: customer.doc.status,
        balance: 0,
        currency,
        country: customer.doc.country,
        created_at: customer.doc.created_at,
      };
    });

    app.get<{ Querystring: Query }>('/accounts', async (req) => {
      const q = partnerInts(req.query, { page: { default: 1, min: 1 }, per_page: { min: 1, max: 100 }, size: { min: 1, max: 100 } });
      const perPage = q.per_page ?? q.size ?? 20; // older docs call it `size`
      const page = q.page ?? 1;
      const search = queryString(req.query, 'search');
      const { customers, total } = pageCustomers(ctx, { search, offset: (page - 1) * perPage, limit: perPage });
      return { accounts: customers.map((c) => renderAccount(ctx, c, false)), total, page, size: perPage };
    });

    app.get<{ Params: { authId: string } }>('/accounts/:authId', async (req) => renderAccount(ctx, ownCustomer(ctx, req.params.authId), true));

    app.get<{ Params: { authId: string } }>('/accounts/:authId/balance', async (req) => {
      const c = ownCustomer(ctx, req.params.authId);
      const last = ledgerRows(ctx, c.doc.auth_id)[0];
      return { auth_id: c.doc.auth_id, name: c.doc.name, cash_credits: toString5(c.balanceUnits), currency: c.doc.currency, updated_at: last?.created_at ?? c.doc.updated_at };
    });

    app.post<{ Params: { authId: string } }>('/accounts/:authId/transfer-balance', async (req) => {
      const customer = ownCustomer(ctx, req.params.authId);
      const body = parsePartnerBody(TransferBody, req.body);
      const amountUnits = toUnits(body.amount);
      if (!(amountUnits > 0)) throw new ApiError(400, { error: 'invalid_amount', message: 'Amount must be greater than 0.', status_code: 400 });
      // Everything below runs in one transaction: the balance check, both legs and both ledger rows commit together.
      return ctx.db.tx(() => {
        const partner = getPartner(ctx);
        if (body.currency.toUpperCase() !== partner.doc.currency) {
          throw new ApiError(400, {
            error: 'currency_mismatch',
            message: `Currency ${body.currency} does not match your partner wallet currency ${partner.doc.currency}; no FX conversion is available.`,
            status_code: 400,
          });
        }
        if (customer.doc.currency !== partner.doc.currency) {
          throw new ApiError(400, { error: 'currency_mismatch', message: `Customer wallet currency ${customer.doc.currency} differs from ${partner.doc.currency}.`, status_code: 400 });
        }
        if (partner.balanceUnits < amountUnits) throw insufficientBalanceError(partner.balanceUnits, amountUnits, partner.doc.currency);
        const txnId = transferId();
        const nowMs = ctx.clock.nowMs();
        const reference = `ptc:${partner.doc.id}:${customer.doc.auth_id}:${Math.floor(nowMs / 1000)}`;
        const description = body.description ?? '';
        const partnerAfter = post(ctx, {
          accountAuthId: partner.doc.auth_id, type: 'debit', amountUnits, currency: partner.doc.currency,
          description: `Transfer to customer ${customer.doc.name}: ${description}`, reference, referenceType: 'unknown', category: 'transfer', transferId: txnId,
        });
        const customerAfter = post(ctx, {
          accountAuthId: customer.doc.auth_id, type: 'credit', amountUnits, currency: partner.doc.currency,
          description: `Transfer from partner ${partner.doc.name}: ${description}`, reference, referenceType: 'unknown', category: 'transfer', transferId: txnId,
        });
        return {
          transaction_id: txnId,
          from_account: partner.doc.auth_id,
          to_account: customer.doc.auth_id,
          amount: toNumber(amountUnits),
          currency: partner.doc.currency,
          description: body.description ?? null,
          status: 'completed',
          partner_balance_after: toNumber(partnerAfter),
          customer_balance_after: toNumber(customerAfter),
          timestamp: ctx.clock.iso(nowMs),
        };
      });
    });

    app.get<{ Params: { authId: string }; Querystring: Query }>('/accounts/:authId/transactions', async (req) => {
      const customer = ownCustomer(ctx, req.params.authId);
      const q = partnerInts(req.query, { page: { default: 1, min: 1 }, per_page: { default: 20, min: 1, max: 200 } });
      const page = q.page ?? 1;
      const perPage = q.per_page ?? 20;
      const from = parseDay(queryString(req.query, 'from_date'));
      const to = parseDay(queryString(req.query, 'to_date'));
      const type = queryString(req.query, 'transaction_type');
      const details = [];
      if (from === 'invalid') details.push({ type: 'date_from_datetime_parsing', loc: ['query', 'from_date'], msg: 'Input should be a valid date in the format YYYY-MM-DD', input: queryString(req.query, 'from_date') });
      if (to === 'invalid') details.push({ type: 'date_from_datetime_parsing', loc: ['query', 'to_date'], msg: 'Input should be a valid date in the format YYYY-MM-DD', input: queryString(req.query, 'to_date') });
      if (type !== undefined && !(TRANSACTION_TYPES as readonly string[]).includes(type)) {
        details.push({ type: 'enum', loc: ['query', 'transaction_type'], msg: "Input should be 'recharge', 'debit', 'refund' or 'transfer'", input: type, ctx: { expected: "'recharge', 'debit', 'refund' or 'transfer'" } });
      }
      if (details.length > 0) throw validationError(details);
      const rows = ledgerRows(ctx, customer.doc.auth_id).filter(
        (r) =>
          (typeof from !== 'number' || r.created_ms >= from) &&
          (typeof to !== 'number' || r.created_ms < to + 86_400_000) &&
          (type === undefined || matchesTransactionType(r, type as (typeof TRANSACTION_TYPES)[number])),
      );
      return {
        transactions: pageSlice(rows, page, perPage).map((r) => renderLedgerRow(r)),
        summary: ledgerSummary(rows, true),
        total: rows.length,
        page,
        per_page: perPage,
        total_pages: Math.ceil(rows.length / perPage),
        account_auth_id: customer.doc.auth_id,
      };
    });

    app.get<{ Params: { authId: string }; Querystring: Query }>('/accounts/:authId/numbers', async (req) => {
      const customer = ownCustomer(ctx, req.params.authId);
      const q = partnerInts(req.query, { page: { default: 1, min: 1 }, per_page: { default: 20, min: 1, max: 100 } });
      const page = q.page ?? 1;
      const perPage = q.per_page ?? 20;
      const search = queryString(req.query, 'search');
      const items = ownedNumbers(ctx, customer.doc.auth_id).filter((n) => !search || n.e164.includes(search.trim()));
      const kycDone = customer.doc.kyc_status === 'completed';
      return { items: pageSlice(items, page, perPage).map((n) => renderNumber(n, kycDone)), page, per_page: perPage, total: items.length, account_auth_id: customer.doc.auth_id };
    });
  };
}

/** Customer API phone numbers (doc §6.3): inventory, purchase, owned list, release. */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.js';
import { requireCustomer } from '../auth.js';
import { ApiError, customerError } from '../errors.js';
import { lenientInt, pageSlice, queryString, type Query } from '../pagination.js';
import { findNumber, inventoryNumbers, ownedNumbers, renderInventoryNumber, renderNumber, saveNumber, RELEASE_WINDOW_MS } from '../numbers.js';
import { post } from '../ledger.js';
import { findCustomer } from '../accounts.js';
import { toUnits } from '../money.js';

type P = { Params: { authId: string }; Querystring: Query };

/** Query `+` decodes to a space; numbers are searched without it either way. */
const digits = (s: string) => s.replace(/[^\d]/g, '');

export function customerNumberRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    app.get<P>('/inventory/numbers', async (req) => {
      requireCustomer(ctx, req, req.params.authId);
      const country = queryString(req.query, 'country')?.toUpperCase();
      const search = queryString(req.query, 'search');
      const rawExclude = req.query.exclude;
      const excludes = [...new Set((Array.isArray(rawExclude) ? rawExclude : rawExclude ? [rawExclude] : []).flatMap((e) => e.split(',')).map(digits).filter(Boolean))];
      const items = inventoryNumbers(ctx).filter(
        (n) =>
          (!country || n.country === country) &&
          (!search || digits(n.e164).includes(digits(search))) &&
          !excludes.some((prefix) => digits(n.e164).startsWith(prefix)),
      );
      const page = lenientInt(req.query, 'page', 1, { min: 1 });
      const perPage = lenientInt(req.query, 'per_page', 25, { min: 1, max: 100 });
      return { items: pageSlice(items, page, perPage).map(renderInventoryNumber), page, per_page: perPage, total: items.length };
    });

    app.post<{ Params: { authId: string } }>('/numbers/purchase-from-inventory', async (req) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      const body = (req.body ?? {}) as { e164?: unknown; currency?: unknown };
      if (typeof body.e164 !== 'string' || !/^\+\d{8,15}$/.test(body.e164)) throw customerError(400, 'bad_request', 'e164 is required (E.164 with a literal +)');
      const number = findNumber(ctx, body.e164);
      if (!number || number.account_id !== null || number.status !== 'active') throw customerError(404, 'not_found', 'number not found in inventory');
      try {
        return ctx.db.tx(() => {
          const cost = toUnits(number.setup_fee + number.monthly_fee);
          const balance = findCustomer(ctx, customer.doc.auth_id)?.balanceUnits ?? 0;
          // The documented behaviour: a failed debit rolls the purchase back and surfaces as a 500, not a 402.
          if (balance < cost) throw new Error('insufficient balance');
          post(ctx, {
            accountAuthId: customer.doc.auth_id, type: 'debit', amountUnits: cost, currency: number.currency,
            description: `Number purchase ${number.e164} (setup ${number.setup_fee} + monthly ${number.monthly_fee})`, reference: number.id,
            referenceType: 'did_purchase', category: 'usage',
          });
          const nowMs = ctx.clock.nowMs();
          const next = {
            ...number, account_id: customer.doc.auth_id, source: 'inventory', purchased_at: ctx.clock.iso(nowMs), updated_at: ctx.clock.iso(nowMs),
            last_billing_date: ctx.clock.iso(nowMs), next_billing_date: ctx.clock.iso(nowMs + 30 * RELEASE_WINDOW_MS),
          };
          saveNumber(ctx, next, ctx.db.nextSeq('number'));
          return { message: 'Number purchased successfully', number: renderNumber(next, customer.doc.kyc_status === 'completed') };
        });
      } catch (err) {
        if (err instanceof ApiError) throw err;
        throw customerError(500, 'internal_server_error', 'failed to purchase number');
      }
    });

    app.get<P>('/numbers', async (req) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      const search = queryString(req.query, 'search');
      const items = ownedNumbers(ctx, customer.doc.auth_id).filter((n) => !search || digits(n.e164).includes(digits(search)));
      const page = lenientInt(req.query, 'page', 1, { min: 1 });
      const perPage = lenientInt(req.query, 'per_page', 25, { min: 1, max: 100 });
      const kycDone = customer.doc.kyc_status === 'completed';
      return { items: pageSlice(items, page, perPage).map((n) => renderNumber(n, kycDone)), page, per_page: perPage, total: items.length };
    });

    app.delete<{ Params: { authId: string; e164: string }; Querystring: Query }>('/numbers/:e164', async (req) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      const e164 = req.params.e164.startsWith('+') ? req.params.e164 : `+${req.params.e164.trim()}`;
      const number = findNumber(ctx, e164);
      if (!number || number.account_id !== customer.doc.auth_id) throw customerError(403, 'forbidden', 'account does not own this number');
      if (number.status !== 'active') throw customerError(400, 'bad_request', `number is already ${number.status}`);
      const immediate = queryString(req.query, 'immediate') === 'true';
      const nowMs = ctx.clock.nowMs();
      // Sandbox choice: no release fee is charged (release_fee 0), so offboarding never fails on a low wallet.
      const released = { ...number, status: 'pending_release', released_at: ctx.clock.iso(immediate ? nowMs - RELEASE_WINDOW_MS : nowMs), cooldown_ends_at: ctx.clock.iso(nowMs + (immediate ? 0 : RELEASE_WINDOW_MS)), trunk_group_id: null, application_id: '', updated_at: ctx.clock.iso(nowMs) };
      saveNumber(ctx, released);
      return {
        cancel_url: `/api/v1/account/${customer.doc.auth_id}/numbers/${e164}/cancel-release`,
        cooldown_ends_at: released.cooldown_ends_at,
        message: 'number release initiated',
        note: immediate ? 'Immediate release: this cannot be cancelled.' : 'The release can be cancelled within 24 hours; after that the number is quarantined for 45 days.',
        release_fee: 0,
        status: 'pending_release',
      };
    });

    app.post<{ Params: { authId: string; e164: string } }>('/numbers/:e164/cancel-release', async (req) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      const e164 = req.params.e164.startsWith('+') ? req.params.e164 : `+${req.params.e164.trim()}`;
      const number = findNumber(ctx, e164);
      if (!number || number.account_id !== customer.doc.auth_id) throw customerError(403, 'forbidden', 'account does not own this number');
      if (number.status !== 'pending_release' || Date.parse(number.cooldown_ends_at ?? '') <= ctx.clock.nowMs()) {
        throw customerError(400, 'bad_request', 'number is not in a cancellable pending_release window');
      }
      saveNumber(ctx, { ...number, status: 'active', released_at: null, cooldown_ends_at: null, updated_at: ctx.clock.iso() });
      // The SDK's CancelNumberReleaseResponse. No release fee was charged (sandbox choice), so the refund is 0.
      return { message: 'number release cancelled', status: 'active', currency: number.currency, refund_amount: 0, refund_status: 'success' };
    });
  };
}

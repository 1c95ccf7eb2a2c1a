/** CDR endpoints: the partner view (doc §5.8) and the customer view (doc §6.2). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.js';
import { accountCdrs, cdrEnvelope, filterCdrs, hasCdrFilters, partnerCdrs, unfilteredCdrEnvelope, type StoredCdr } from '../cdrs.js';
import { customerError, partnerError, validationError } from '../errors.js';
import { lenientInt, partnerInts, queryString, type Query } from '../pagination.js';
import { requireCustomer } from '../auth.js';
import { ownCustomer } from './partner-accounts.js';
import { findCdr, renderCdr } from '../cdrs.js';

const STATUS_VALUES = ['answered', 'failed', 'busy', 'no_answer', 'no-answer'];

/**
 * A partner CDR list (one customer's, or every customer's with `accountAuthId` null), FastAPI-style 422s for bad
 * filters. Without filters it is paged in SQL (`rows` is not read).
 */
function partnerCdrList(ctx: SandboxContext, rows: () => StoredCdr[], query: Query, accountAuthId: string | null): Record<string, unknown> {
  const q = partnerInts(query, { page: { default: 1, min: 1 }, per_page: { default: 20, min: 1, max: 100 }, min_duration: { min: 0 }, max_duration: { min: 0 } });
  if (!hasCdrFilters(query)) return unfilteredCdrEnvelope(ctx, accountAuthId, q.page ?? 1, q.per_page ?? 20, true, ctx.settings.responseShape);
  const status = queryString(query, 'status');
  const direction = queryString(query, 'call_direction');
  const details = [];
  if (status && !STATUS_VALUES.includes(status)) details.push({ type: 'enum', loc: ['query', 'status'], msg: "Input should be 'answered', 'failed', 'busy' or 'no_answer'", input: status });
  if (direction && !['inbound', 'outbound'].includes(direction)) details.push({ type: 'enum', loc: ['query', 'call_direction'], msg: "Input should be 'inbound' or 'outbound'", input: direction });
  if (details.length) throw validationError(details);
  const result = filterCdrs(rows(), query);
  if (!result.ok) throw validationError([{ type: 'date_from_datetime_parsing', loc: ['query', result.field], msg: 'Input should be a valid date in the format YYYY-MM-DD', input: result.value }]);
  return cdrEnvelope(result.rows, q.page ?? 1, q.per_page ?? 20, accountAuthId, true, ctx.settings.responseShape);
}

export function partnerCdrRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { authId: string }; Querystring: Query }>('/accounts/:authId/cdrs', async (req) => {
      const customer = ownCustomer(ctx, req.params.authId);
      return partnerCdrList(ctx, () => accountCdrs(ctx, customer.doc.auth_id), req.query, customer.doc.auth_id);
    });

    // The global traffic log (doc §5.8): every customer's calls, the same filters and envelope.
    app.get<{ Querystring: Query }>('/cdrs', async (req) => partnerCdrList(ctx, () => partnerCdrs(ctx), req.query, null));

    app.get<{ Params: { authId: string; uuid: string } }>('/accounts/:authId/cdrs/:uuid', async (req) => {
      const customer = ownCustomer(ctx, req.params.authId);
      const cdr = findCdr(ctx, customer.doc.auth_id, req.params.uuid);
      if (!cdr) throw partnerError(404, `CDR ${req.params.uuid} not found`);
      return renderCdr(cdr); // bare object, no envelope
    });
  };
}

export function customerCdrRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    const list = (withFilters: boolean) => async (req: FastifyRequest<{ Params: { authId: string }; Querystring: Query }>) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      if (Boolean(queryString(req.query, 'start_date')) !== Boolean(queryString(req.query, 'end_date'))) {
        throw customerError(400, 'bad_request', 'start_date and end_date must be provided together');
      }
      const result = filterCdrs(accountCdrs(ctx, customer.doc.auth_id), req.query);
      if (!result.ok) throw customerError(400, 'bad_request', `invalid ${result.field}: expected YYYY-MM-DD`);
      const page = lenientInt(req.query, 'page', 1, { min: 1 });
      const perPage = lenientInt(req.query, 'per_page', 20, { min: 1, max: 100 });
      const envelope = cdrEnvelope(result.rows, page, perPage, customer.doc.auth_id, false, ctx.settings.responseShape);
      return withFilters ? { ...envelope, filters: result.filters } : envelope;
    };
    // `/cdrs` is what the partner flow page shows; the reference pages say `/cdr`. Both work.
    app.get<{ Params: { authId: string }; Querystring: Query }>('/cdr', list(false));
    app.get<{ Params: { authId: string }; Querystring: Query }>('/cdrs', list(false));
    app.get<{ Params: { authId: string }; Querystring: Query }>('/cdr/search', list(true));

    app.get<{ Params: { authId: string }; Querystring: Query }>('/cdr/recent', async (req) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      const limit = lenientInt(req.query, 'limit', 20, { min: 1, max: 100 });
      const data = accountCdrs(ctx, customer.doc.auth_id).slice(0, limit).map((r) => renderCdr(r.doc));
      return { account_id: customer.doc.auth_id, count: data.length, data, success: true };
    });

    app.get<{ Params: { authId: string; callId: string } }>('/cdr/:callId', async (req) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      const cdr = findCdr(ctx, customer.doc.auth_id, req.params.callId); // the uuid; a numeric id is a 404
      if (!cdr) throw customerError(404, 'not_found', 'CDR not found');
      return { data: renderCdr(cdr), success: true };
    });
  };
}

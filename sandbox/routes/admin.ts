/**
 * The sandbox's own control surface under /_sandbox/ (no auth: it is a local test tool, never a Vobiz path).
 * Tests, the demo and people use it to read the outbox, drive KYC outcomes, move the clock, generate traffic,
 * inspect the ledger and state, inject faults and shape webhook delivery.
 */
import type { FastifyInstance } from 'fastify';
import Negotiator from 'negotiator';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { ApiError } from '../errors.js';
import { listOutbox } from '../outbox.js';
import { outboxPage } from '../outbox-page.js';
import { complete, fail, findSession, isTerminal, markOpened, maskPan } from '../kyc.js';
import { ensurePartner, findCustomer, getPartner, saveCustomerDoc } from '../accounts.js';
import { generateCalls, setTrafficRate } from '../traffic.js';
import { toNumber } from '../money.js';
import { addFault, clearFaults, listFaults } from '../faults.js';
import { passwordMatches } from '../passwords.js';
import { listSessions, renderSessionForAdmin } from '../kyc.js';
import type { SandboxSettings } from '../context.js';

/** Whose book a closed account is in: nobody's this sandbox serves, so the partner's reads of it answer 404. */
const CLOSED_ACCOUNT_OWNER = 'closed-by-vobiz-support';

const bad = (message: string) => new ApiError(400, { error: 'bad_request', message });

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw bad(r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

const MixSchema = z.object({ answered: z.number().min(0), failed: z.number().min(0), busy: z.number().min(0), no_answer: z.number().min(0) }).partial();
const TABLES = ['accounts', 'ledger', 'kyc_sessions', 'numbers', 'trunks', 'cdrs', 'outbox', 'webhook_deliveries', 'faults', 'traffic_rates'] as const;

export function adminRoutes(ctx: SandboxContext, started: Date) {
  return async (app: FastifyInstance) => {
    app.get('/health', async () => ({ status: 'ok', started_at: started.toISOString(), sandbox_time: ctx.clock.iso(), clock_offset_ms: ctx.clock.offset }));

    // JSON for programs (the default); a browser, which prefers text/html, gets a page with clickable KYC links.
    app.get<{ Querystring: { to?: string; session_id?: string } }>('/outbox', async (req, reply) => {
      const filter = { ...(req.query.to ? { to: req.query.to } : {}), ...(req.query.session_id ? { sessionId: req.query.session_id } : {}) };
      const emails = listOutbox(ctx, filter);
      reply.header('vary', 'Accept');
      if (new Negotiator(req).mediaType(['application/json', 'text/html']) !== 'text/html') return { emails };
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(outboxPage(emails, filter));
    });

    const session = (id: string) => {
      ctx.runDueWork(); // an expired session is expired before an admin action looks at it
      const found = findSession(ctx, id);
      if (!found) throw new ApiError(404, { error: 'not_found', message: `KYC session ${id} not found` });
      if (isTerminal(found.doc.status)) throw new ApiError(409, { error: 'conflict', message: `session is '${found.doc.status}'` });
      return found.doc;
    };

    app.get<{ Params: { id: string } }>('/kyc/:id', async (req) => {
      ctx.runDueWork();
      const found = findSession(ctx, req.params.id);
      if (!found) throw new ApiError(404, { error: 'not_found', message: `KYC session ${req.params.id} not found` });
      return renderSessionForAdmin(found.doc);
    });

    app.post<{ Params: { id: string } }>('/kyc/:id/open', async (req) => renderSessionForAdmin(markOpened(ctx, session(req.params.id))));

    app.post<{ Params: { id: string } }>('/kyc/:id/complete', async (req) => {
      const doc = session(req.params.id);
      const body = parse(z.object({ pan: z.string().regex(/^[A-Z]{5}[0-9]{4}[A-Z]$/).optional(), kyc_type: z.enum(['individual', 'company']).optional() }), req.body);
      const kycType = body.kyc_type ?? (body.pan?.[3] === 'C' ? 'company' : 'individual');
      const pan = body.pan ?? (kycType === 'company' ? 'AABCS1234K' : 'ABCPE1234K');
      const name = (findCustomer(ctx, doc.account_auth_id)?.doc.name ?? '').toUpperCase();
      const verified = kycType === 'company'
        ? { pan_type: 'company', pan_number: maskPan(pan), pan_name_match: true, completed_steps: ['pan', 'gst'], pan_registered_name: name }
        : { pan_type: 'individual', pan_number: maskPan(pan), pan_name_match: true, pan_registered_name: name, completed_steps: ['pan', 'aadhaar'], aadhaar_name: name, aadhaar_dob: '01-01-1990', masked_aadhaar: '9942', gender: 'MALE', address: 'Bengaluru, Karnataka 560001' };
      return renderSessionForAdmin(complete(ctx, { ...doc, first_opened_at: doc.first_opened_at ?? ctx.clock.iso() }, verified, kycType));
    });

    app.post<{ Params: { id: string } }>('/kyc/:id/fail', async (req) => {
      const doc = session(req.params.id);
      const body = parse(z.object({ reason: z.string().min(1).default('Document invalid') }), req.body);
      return renderSessionForAdmin(fail(ctx, doc, body.reason));
    });

    // API request counts (request-meter.ts): what a fleet costs, and the optional partner rate limit.
    app.get<{ Querystring: { window_ms?: string } }>('/requests', async (req) => {
      const windowMs = req.query.window_ms === undefined ? undefined : Number(req.query.window_ms);
      if (windowMs !== undefined && !(Number.isInteger(windowMs) && windowMs >= 1 && windowMs <= 3_600_000)) throw bad('window_ms must be 1-3600000');
      return ctx.requests.report(windowMs);
    });
    app.post('/requests/reset', async () => {
      ctx.requests.reset();
      return ctx.requests.report();
    });
    app.post('/requests/limit', async (req) => {
      const body = parse(z.object({ perSecond: z.number().int().min(1).max(100_000).nullable() }), req.body);
      ctx.requests.limitPerSecond = body.perSecond;
      return { limitPerSecond: ctx.requests.limitPerSecond };
    });
    app.get('/settings', async () => ctx.settings);
    app.post('/settings', async (req) => {
      const body = parse(z.object({ responseShape: z.enum(['sdk', 'prose']), strictPathCasing: z.boolean() }).partial(), req.body);
      Object.assign(ctx.settings, body satisfies Partial<SandboxSettings>);
      return ctx.settings;
    });

    app.get('/clock', async () => ({ now: ctx.clock.iso(), now_ms: ctx.clock.nowMs(), offset_ms: ctx.clock.offset }));
    app.post('/clock/advance', async (req) => {
      const body = parse(z.object({ seconds: z.number().positive() }), req.body);
      ctx.clock.advance(body.seconds); // listeners run due expiries/reminders immediately
      return { now: ctx.clock.iso(), now_ms: ctx.clock.nowMs(), offset_ms: ctx.clock.offset };
    });

    app.post('/traffic', async (req) => {
      const body = parse(z.object({ account_auth_id: z.string(), calls: z.number().int().min(1).max(1000), mix: MixSchema.optional(), direction: z.enum(['inbound', 'outbound']).optional() }), req.body);
      const cdrs = generateCalls(ctx, { account_auth_id: body.account_auth_id, calls: body.calls, ...(body.mix ? { mix: body.mix } : {}), ...(body.direction ? { direction: body.direction } : {}) });
      return { generated: cdrs.length, cdrs, balance_after: toNumber(findCustomer(ctx, body.account_auth_id)?.balanceUnits ?? 0) };
    });
    app.post('/traffic/rate', async (req) => {
      const body = parse(z.object({ account_auth_id: z.string(), calls_per_minute: z.number().min(0), mix: MixSchema.optional() }), req.body);
      if (!findCustomer(ctx, body.account_auth_id)) throw new ApiError(404, { error: 'not_found', message: 'account not found' });
      setTrafficRate(ctx, body.account_auth_id, body.calls_per_minute, body.mix);
      return { account_auth_id: body.account_auth_id, calls_per_minute: body.calls_per_minute };
    });

    app.get('/ledger', async () => {
      const rows = ctx.db.all<{ account_auth_id: string; type: string; amount_units: number; category: string; transfer_id: string | null; description: string; reference: string | null; reference_type: string; created_at: string; id: string }>('SELECT * FROM ledger ORDER BY seq');
      const partner = getPartner(ctx);
      const isPartner = (r: { account_auth_id: string }) => r.account_auth_id === partner.doc.auth_id;
      const sum = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).reduce((s, r) => s + Number(r.amount_units), 0);
      const partnerDebits = sum((r) => isPartner(r) && r.category === 'transfer' && r.type === 'debit');
      const customerCredits = sum((r) => !isPartner(r) && r.category === 'transfer' && r.type === 'credit');
      const render = (r: (typeof rows)[number]) => ({ id: r.id, account_auth_id: r.account_auth_id, type: r.type, amount: toNumber(Number(r.amount_units)), category: r.category, reference_type: r.reference_type, transfer_id: r.transfer_id, description: r.description, reference: r.reference, created_at: r.created_at });
      return {
        partner: { auth_id: partner.doc.auth_id, balance: toNumber(partner.balanceUnits), rows: rows.filter(isPartner).map(render) },
        customers: rows.filter((r) => !isPartner(r)).map(render),
        balanced: partnerDebits === customerCredits,
        partner_transfer_debits: toNumber(partnerDebits),
        customer_transfer_credits: toNumber(customerCredits),
      };
    });

    // What Vobiz support closing an account looks like to the partner: the account leaves the partner's book, so every
    // partner read of it (details, balance, transfers) answers 404, as for an account that was never the partner's.
    app.post<{ Params: { authId: string } }>('/accounts/:authId/close', async (req) => {
      const customer = findCustomer(ctx, req.params.authId);
      if (!customer) throw new ApiError(404, { error: 'not_found', message: `no account ${req.params.authId}` });
      saveCustomerDoc(ctx, { ...customer.doc, partner_id: CLOSED_ACCOUNT_OWNER, status: 'closed' });
      return { auth_id: customer.doc.auth_id, status: 'closed' };
    });

    // Test-only: was this account created with this password? Answers from a salted hash; never returns the hash.
    app.post<{ Params: { authId: string } }>('/accounts/:authId/password-check', async (req) => {
      const { password } = parse(z.object({ password: z.string().min(1) }), req.body);
      const matches = passwordMatches(ctx, req.params.authId, password);
      if (matches === undefined) throw new ApiError(404, { error: 'not_found', message: `no password record for account ${req.params.authId}` });
      return { auth_id: req.params.authId, matches };
    });

    app.get('/state', async () => {
      const counts = Object.fromEntries(TABLES.map((t) => [t, Number(ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`)?.n ?? 0)]));
      const accounts = ctx.db.all<{ auth_id: string; kind: string; balance_units: number; doc: string }>('SELECT auth_id, kind, balance_units, doc FROM accounts ORDER BY seq')
        .map((a) => ({ auth_id: a.auth_id, kind: a.kind, balance: toNumber(Number(a.balance_units)), kyc_status: (JSON.parse(a.doc) as { kyc_status?: string }).kyc_status ?? null }));
      return {
        counts, accounts, kyc_sessions: listSessions(ctx).map(renderSessionForAdmin),
        numbers: ctx.db.all<{ e164: string; owner: string | null; status: string }>("SELECT e164, owner, status FROM numbers WHERE owner IS NOT NULL OR status <> 'active' ORDER BY e164"),
        trunks: ctx.db.all<{ trunk_id: string; owner: string }>('SELECT trunk_id, owner FROM trunks ORDER BY seq'),
        clock: { now: ctx.clock.iso(), offset_ms: ctx.clock.offset }, webhooks: ctx.webhooks.config, faults: listFaults(ctx),
      };
    });

    app.post('/faults', async (req, reply) => {
      const body = parse(z.object({
        route: z.string().regex(/^\S+\s+\/\S*$/, 'route must look like "POST /api/v1/partner/accounts/:id/transfer-balance"'),
        mode: z.enum(['error', 'latency', 'commit_then_drop']),
        status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(429)]).optional(),
        retryAfterSeconds: z.number().int().min(0).optional(),
        rate: z.number().min(0).max(1).optional(),
        count: z.number().int().min(1).optional(),
        latencyMs: z.number().int().min(0).max(120_000).optional(),
      }), req.body);
      void reply.code(201);
      return addFault(ctx, body);
    });
    app.get('/faults', async () => ({ faults: listFaults(ctx) }));
    app.delete('/faults', async () => ({ deleted: clearFaults(ctx) }));

    // Rotates the partner token, as a partner would in the Vobiz Console: calls with the old one get 401 from now on
    // (and webhooks are signed with the new one), until a service is given the new token or it is rotated back.
    app.post('/partner/token', async (req) => {
      const body = parse(z.object({ token: z.string().min(8, 'token must be at least 8 characters') }), req.body);
      ctx.partnerAuthToken = body.token;
      ensurePartner(ctx, 0);
      return { auth_id: ctx.partnerAuthId, rotated_at: ctx.clock.iso() };
    });

    app.get('/webhooks', async () => ctx.webhooks.config);
    app.post('/webhooks', async (req) =>
      ctx.webhooks.setConfig(parse(z.object({ duplicate: z.boolean(), delayMs: z.number().int().min(0).max(600_000), reorder: z.boolean(), unsigned: z.boolean() }).partial(), req.body)),
    );
    app.get('/webhooks/deliveries', async () => ({
      deliveries: ctx.webhooks.list().map((d) => ({
        id: d.id, event: d.event, session_id: d.session_id, url: d.url, status: d.status, attempts: d.attempts,
        last_status_code: d.last_status_code, last_error: d.last_error, attempt_log: JSON.parse(d.attempt_log) as unknown,
        signature: d.signature, body: d.body, created_at: d.created_at, delivered_at: d.delivered_at,
      })),
    }));
  };
}

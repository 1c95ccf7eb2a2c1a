/** Partner KYC session endpoints (doc §5.10), with the FastAPI-style error bodies of that family. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { parsePartnerBody, partnerError, validationError } from '../errors.js';
import { partnerInts, queryString, type Query } from '../pagination.js';
import {
  ALL_STATUSES, createSession, findSession, isTerminal, maskEmail, pageSessions, renderSession, resend, resendCooldownSeconds,
  revoke, widgetUrl,
} from '../kyc.js';
import { ownCustomer } from './partner-accounts.js';

const httpUrl = z.string().refine((u) => {
  try {
    return ['http:', 'https:'].includes(new URL(u).protocol);
  } catch {
    return false;
  }
}, 'URL must be an absolute http(s) URL');

const CreateSessionBody = z.object({
  account_auth_id: z.string().min(1),
  flow_type: z.enum(['email', 'redirect']).default('email'),
  customer_email: z.email('value is not a valid email address').optional(),
  redirect_url: httpUrl.optional(),
  // The doc says https; http is accepted too so that local receivers (tests, the bridge on localhost) work.
  webhook_url: httpUrl.optional(),
  expires_in_days: z.number().int('Input should be a valid integer').min(1, 'Input should be greater than or equal to 1').max(365, 'Input should be less than or equal to 365').default(7),
  reminder_schedule: z
    .array(z.object({ trigger: z.literal('days_before_expiry'), value: z.number().int('Input should be a valid integer').positive('Input should be greater than 0') }))
    .max(10, 'At most 10 reminders')
    .default([]),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const RevokeBody = z.object({ reason: z.string().max(500).optional() }).optional();

export function kycRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    app.post('/kyc-sessions', async (req, reply) => {
      const body = parsePartnerBody(CreateSessionBody, req.body);
      if (body.flow_type === 'redirect' && !body.redirect_url) {
        throw validationError([{ type: 'value_error', loc: ['body', 'redirect_url'], msg: 'Value error, redirect_url is required for the redirect flow', input: null }]);
      }
      const customer = ownCustomer(ctx, body.account_auth_id);
      // The doc requires customer_email for the email flow; the seed's example omits it and says the email "goes to
      // the address on their account", so a missing one defaults to the account's email.
      const email = body.flow_type === 'email' ? (body.customer_email ?? customer.doc.email) : undefined;
      const { doc, token } = createSession(ctx, { ...body, customer_email: email });
      void reply.code(201);
      const isEmail = doc.flow_type === 'email';
      return {
        session_id: doc.id,
        account_auth_id: doc.account_auth_id,
        customer_email: doc.customer_email,
        email_dispatched_to: doc.customer_email ? maskEmail(doc.customer_email) : null,
        kyc_type: null,
        status: doc.status,
        expires_at: doc.expires_at,
        widget_url: isEmail ? null : widgetUrl(ctx, token),
        kyc_link: null,
        message: isEmail ? 'KYC email dispatched successfully' : 'KYC session created - redirect your customer to widget_url to begin.',
      };
    });

    app.get<{ Querystring: Query }>('/kyc-sessions', async (req) => {
      const q = partnerInts(req.query, { page: { default: 1, min: 1 }, size: { default: 20, min: 1, max: 100 } });
      const status = queryString(req.query, 'status');
      if (status !== undefined && !(ALL_STATUSES as readonly string[]).includes(status)) {
        throw validationError([{ type: 'enum', loc: ['query', 'status'], msg: `Input should be one of ${ALL_STATUSES.join(', ')}`, input: status }]);
      }
      const account = queryString(req.query, 'account_auth_id');
      const page = q.page ?? 1;
      const size = q.size ?? 20;
      const { sessions, total } = pageSessions(ctx, { status, account, offset: (page - 1) * size, limit: size });
      return { sessions: sessions.map(renderSession), total, page, size };
    });

    app.get<{ Params: { id: string } }>('/kyc-sessions/:id', async (req) => renderSession(mustFind(ctx, req.params.id).doc));

    app.post<{ Params: { id: string } }>('/kyc-sessions/:id/resend', async (req, reply) => {
      const { doc, token } = mustFind(ctx, req.params.id);
      if (doc.flow_type === 'redirect') {
        throw partnerError(400, 'Resend is not available for redirect-flow sessions - no email is associated with this session.');
      }
      if (isTerminal(doc.status)) throw partnerError(409, `Cannot resend: session is '${doc.status}'`);
      const wait = resendCooldownSeconds(ctx, doc);
      if (wait > 0) {
        throw partnerError(429, `Email was sent recently. Please wait ${wait} seconds before resending.`, { retry_after_seconds: wait }, { 'retry-after': String(wait) });
      }
      const next = resend(ctx, doc, token);
      void reply.code(200);
      // Undocumented success body (the SDK does not parse it): the message plus what a caller needs to log it.
      // expires_at is not extended; the send time is on the admin view (/_sandbox/kyc/{id}).
      return { message: 'KYC email re-sent', session_id: next.id, status: next.status, email_dispatched_to: maskEmail(next.customer_email ?? ''), expires_at: next.expires_at };
    });

    app.delete<{ Params: { id: string } }>('/kyc-sessions/:id', async (req) => {
      const { doc } = mustFind(ctx, req.params.id);
      const body = parsePartnerBody(RevokeBody, req.body ?? undefined);
      if (isTerminal(doc.status)) throw partnerError(409, `Session is already in terminal status: '${doc.status}'`);
      ctx.db.tx(() => revoke(ctx, doc, body?.reason ?? null));
      return { message: 'Session revoked', session_id: doc.id };
    });
  };
}

function mustFind(ctx: SandboxContext, id: string) {
  const found = findSession(ctx, id);
  // Sessions of other partners do not exist in the sandbox; unknown ids are the documented 404.
  if (!found) throw partnerError(404, `KYC session ${id} not found`);
  return found;
}

/**
 * POST /webhooks/vobiz/kyc: a signed Vobiz KYC webhook (or, with BRIDGE_WEBHOOK_SIGNATURE=optional, an unsigned one) becomes the workflow's `kycEvent` Update, answered 2xx only
 * once Temporal has the event (invariant 2: no lost events) or the workflow said it cannot matter. Every check runs
 * before anything is sent, so a rejected delivery changes nothing. Bodies are never logged: they carry personal data.
 *
 * At most one Temporal call per delivery (the Update; a second, the signal, only while a worker predates the
 * Update), and none for a stale delivery, an exact replay of one this bridge delivered, or a customer over its
 * delivery rate (webhook-guards.ts). The workflow decides the rest: its validator refuses, without writing
 * history, an event it already took, one naming another Vobiz account and one for a session it is not waiting on.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KycEventRejection } from '../../workflows/messages.js';
import type { BridgeContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { deliverKycEvent, type KycEventDelivery } from '../kyc-event-delivery.js';
import { classifyKycWebhook, isCustomerWorkflowId, toKycEventSignal, type RelevantKycWebhook } from '../kyc-webhook.js';
import type { WebhookOutcome } from '../metrics/registry.js';
import { verifyVobizSignature } from '../signature.js';
import { createWebhookGuards, eventTimeProblem, type WebhookGuards } from '../webhook-guards.js';

export const KYC_WEBHOOK_PATH = '/webhooks/vobiz/kyc';

export async function kycWebhookRoutes(app: FastifyInstance, ctx: BridgeContext): Promise<void> {
  const guards = createWebhookGuards(ctx.bridge.webhookGuards);
  // Raw bytes, not parsed JSON: the signature covers the exact body Vobiz sent. Only JSON is accepted.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: ctx.bridge.maxBodyBytes }, (_req, body, done) =>
    done(null, body),
  );
  app.addHook('onRequest', async (request) => {
    if (!isJsonMediaType(request.headers['content-type'])) {
      throw HttpError.field(415, 'unsupported_media_type', 'content-type', 'must be application/json');
    }
  });

  app.post(KYC_WEBHOOK_PATH, async (request, reply) => handleKycWebhook(ctx, guards, request, reply));
}

function isJsonMediaType(header: string | undefined): boolean {
  return (header ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

async function handleKycWebhook(ctx: BridgeContext, guards: WebhookGuards, request: FastifyRequest, reply: FastifyReply) {
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  checkSignature(ctx, request, raw);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    ctx.recordWebhook('invalid_json');
    throw HttpError.field(400, 'invalid_json', 'body', 'must be valid JSON');
  }

  const classified = classifyKycWebhook(body);
  switch (classified.kind) {
    case 'invalid':
      request.log.warn({ problems: classified.problems.map((p) => p.field) }, 'KYC webhook rejected: invalid payload');
      ctx.recordWebhook('invalid_payload');
      throw HttpError.problems(400, 'invalid_payload', classified.problems);
    case 'unknown_event':
      request.log.warn({ event: classified.event.slice(0, 64) }, 'KYC webhook rejected: unknown event type');
      ctx.recordWebhook('unknown_event');
      throw HttpError.field(400, 'unknown_event', 'event', 'must be a Vobiz KYC event (kyc.completed, kyc.failed, kyc.session_revoked, kyc.session_expired, kyc.initiated, kyc.submitted)');
    case 'ignored':
      request.log.info({ event: classified.event }, 'KYC webhook acknowledged and ignored');
      ctx.recordWebhook('ignored_event');
      return reply.code(200).send({ ok: true, ignored: 'irrelevant_event' });
    case 'relevant':
      return deliver(ctx, guards, request, reply, classified.webhook);
  }
}

/**
 * A signature that is present must be right, whatever the setting. With BRIDGE_WEBHOOK_SIGNATURE=optional a
 * delivery without one goes on as a hint, counted `unsigned` besides its outcome: it can only wake a customer
 * waiting on that very session (the workflow's validator), which then asks Vobiz for the session's state.
 */
function checkSignature(ctx: BridgeContext, request: FastifyRequest, raw: Buffer): void {
  const header = request.headers['x-vobiz-signature'];
  if (header === undefined && ctx.bridge.webhookSignature === 'optional') {
    request.log.debug('KYC webhook without a signature: taken as a hint (BRIDGE_WEBHOOK_SIGNATURE=optional)');
    ctx.recordWebhook('unsigned');
    return;
  }
  if (header !== undefined && verifyVobizSignature(raw, header, ctx.bridge.webhookSecrets)) return;
  const problem = header === undefined ? 'missing' : 'mismatch';
  request.log.debug({ reason: 'bad_signature', problem }, 'KYC webhook rejected');
  ctx.signatureRefusals.refused(problem);
  ctx.recordWebhook('bad_signature');
  throw HttpError.field(401, 'invalid_signature', 'x-vobiz-signature', 'must be sha256=<hex HMAC-SHA256 of the raw body> under the partner auth token');
}

async function deliver(ctx: BridgeContext, guards: WebhookGuards, request: FastifyRequest, reply: FastifyReply, webhook: RelevantKycWebhook) {
  const { workflowId, event, sessionId } = webhook;
  const log = request.log.child({ event, sessionId, workflowId });
  if (!isCustomerWorkflowId(workflowId)) {
    log.warn('KYC webhook rejected: metadata.workflowId is not a customer workflow');
    ctx.recordWebhook('workflow_mismatch');
    throw HttpError.field(422, 'workflow_mismatch', 'metadata.workflowId', 'must be the customer-<customerRef> workflow that opened the session');
  }
  const timeProblem = eventTimeProblem(webhook, Date.now(), guards.settings.maxEventAgeMs);
  if (timeProblem) {
    log.warn({ field: timeProblem.field, kind: timeProblem.kind }, 'KYC webhook rejected: event time');
    if (timeProblem.kind === 'invalid') {
      ctx.recordWebhook('invalid_payload');
      throw HttpError.problems(400, 'invalid_payload', [{ field: timeProblem.field, rule: timeProblem.rule }]);
    }
    ctx.recordWebhook('stale_event');
    throw HttpError.field(422, 'stale_event', timeProblem.field, timeProblem.rule);
  }
  const kycEvent = toKycEventSignal(webhook, new Date());
  // An exact replay of what this bridge already handed over: answered from memory, no Temporal call, no token used.
  if (guards.recent.has(workflowId, kycEvent.eventKey)) {
    log.debug('KYC webhook already delivered: acknowledged from memory');
    ctx.recordWebhook('duplicate');
    return reply.code(200).send({ ok: true, ignored: 'duplicate' });
  }
  const quota = guards.limiter.take(workflowId, Date.now());
  if (!quota.allowed) {
    log.warn({ retryAfterSeconds: quota.retryAfterSeconds }, 'KYC webhook rejected: customer over its delivery rate');
    ctx.recordWebhook('rate_limited');
    void reply.header('retry-after', String(quota.retryAfterSeconds));
    throw new HttpError(429, {
      error: 'rate_limited',
      message: `too many deliveries for ${workflowId}; retry in ${quota.retryAfterSeconds} s`,
      field: 'metadata.workflowId',
      rule: `at most ${guards.settings.customerBurst} deliveries at once and ${guards.settings.customerPerMinute} a minute per customer (BRIDGE_WEBHOOK_CUSTOMER_BURST, BRIDGE_WEBHOOK_CUSTOMER_PER_MINUTE)`,
      retryAfterSeconds: quota.retryAfterSeconds,
    });
  }

  let delivery: KycEventDelivery;
  try {
    delivery = await deliverKycEvent(ctx.client, ctx.temporalTimeoutMs, workflowId, kycEvent);
  } catch (err) {
    ctx.recordWebhook('temporal_error');
    throw err;
  }
  switch (delivery.kind) {
    case 'workflow_not_found':
      // Closed or unknown: nothing can act on it. 200 so Vobiz stops retrying; the workflow polls the API anyway.
      log.warn('KYC webhook for a closed or unknown workflow: acknowledged, not delivered');
      ctx.recordWebhook('workflow_not_found');
      return reply.code(200).send({ ok: true, ignored: 'workflow_not_found' });
    case 'delivered':
    case 'signalled':
      guards.recent.remember(workflowId, kycEvent.eventKey);
      log.info(delivery.kind === 'delivered' ? 'KYC webhook delivered' : 'KYC webhook signalled (the workflow has no kycEvent update yet)');
      ctx.recordWebhook(delivery.kind);
      return reply.code(200).send({ ok: true });
    case 'refused': {
      // Refused by the workflow's validator: nothing reached its history, and a retry would change nothing. 200, so
      // Vobiz stops retrying; the reason is in the answer.
      if (delivery.reason === 'duplicate') guards.recent.remember(workflowId, kycEvent.eventKey);
      const outcome = REFUSED_OUTCOME[delivery.reason];
      if (delivery.reason === 'duplicate') log.debug('KYC webhook already taken in by the workflow');
      else if (delivery.reason === 'invalid' || delivery.reason === 'unexpected') log.warn({ type: delivery.type }, 'KYC webhook refused by the workflow');
      else log.info({ reason: outcome }, 'KYC webhook refused by the workflow: it cannot matter');
      ctx.recordWebhook(outcome);
      return reply.code(200).send({ ok: true, ignored: outcome });
    }
  }
}

const REFUSED_OUTCOME = {
  duplicate: 'duplicate',
  otherAccount: 'other_account',
  notWaiting: 'not_waiting',
  invalid: 'refused',
  unexpected: 'refused',
} as const satisfies Record<KycEventRejection | 'unexpected', WebhookOutcome>;

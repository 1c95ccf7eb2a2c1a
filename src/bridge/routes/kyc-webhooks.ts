/**
 * POST /webhooks/vobiz/kyc: a signed Vobiz KYC webhook becomes a `kycEvent` signal, answered 2xx only once
 * Temporal has accepted the signal (invariant 2: no lost events). Every check runs before anything is signalled,
 * so a rejected delivery changes nothing. Bodies are never logged: they carry personal data.
 *
 * One Temporal call per delivery: the signal itself. Whether the webhook's account is the workflow's own is
 * decided by the workflow (it ignores an event naming another account), not by a describe() before the signal.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { kycEventSignal } from '../../workflows/messages.js';
import type { BridgeContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { classifyKycWebhook, isCustomerWorkflowId, toKycEventSignal, type RelevantKycWebhook } from '../kyc-webhook.js';
import { verifyVobizSignature } from '../signature.js';
import { withDeadline } from '../../onboarding/temporal-calls.js';

export const KYC_WEBHOOK_PATH = '/webhooks/vobiz/kyc';

export async function kycWebhookRoutes(app: FastifyInstance, ctx: BridgeContext): Promise<void> {
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

  app.post(KYC_WEBHOOK_PATH, async (request, reply) => handleKycWebhook(ctx, request, reply));
}

export function isJsonMediaType(header: string | undefined): boolean {
  return (header ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

async function handleKycWebhook(ctx: BridgeContext, request: FastifyRequest, reply: FastifyReply) {
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (!verifyVobizSignature(raw, request.headers['x-vobiz-signature'], ctx.bridge.webhookSecrets)) {
    request.log.warn({ reason: 'bad_signature' }, 'KYC webhook rejected');
    ctx.recordWebhook('bad_signature');
    throw HttpError.field(401, 'invalid_signature', 'x-vobiz-signature', 'must be sha256=<hex HMAC-SHA256 of the raw body> under the partner auth token');
  }
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
      return deliver(ctx, request, reply, classified.webhook);
  }
}

async function deliver(ctx: BridgeContext, request: FastifyRequest, reply: FastifyReply, webhook: RelevantKycWebhook) {
  const { workflowId, event, sessionId } = webhook;
  const log = request.log.child({ event, sessionId, workflowId });
  if (!isCustomerWorkflowId(workflowId)) {
    log.warn('KYC webhook rejected: metadata.workflowId is not a customer workflow');
    ctx.recordWebhook('workflow_mismatch');
    throw HttpError.field(422, 'workflow_mismatch', 'metadata.workflowId', 'must be the customer-<customerRef> workflow that opened the session');
  }
  try {
    await withDeadline(ctx.client, ctx.temporalTimeoutMs, () =>
      ctx.client.workflow.getHandle(workflowId).signal(kycEventSignal, toKycEventSignal(webhook, new Date())),
    );
  } catch (err) {
    // Signalling an unknown or completed workflow fails with NOT_FOUND, which the SDK reports as WorkflowNotFoundError.
    if (err instanceof WorkflowNotFoundError) {
      // Closed or unknown: nothing can act on it. 200 so Vobiz stops retrying; the workflow polls the API anyway.
      log.warn('KYC webhook for a closed or unknown workflow: acknowledged, not signalled');
      ctx.recordWebhook('workflow_not_found');
      return reply.code(200).send({ ok: true, ignored: 'workflow_not_found' });
    }
    ctx.recordWebhook(err instanceof HttpError ? 'workflow_mismatch' : 'temporal_error');
    throw err;
  }
  log.info('KYC webhook signalled');
  ctx.recordWebhook('signalled');
  return reply.code(200).send({ ok: true });
}

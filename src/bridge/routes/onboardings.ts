/**
 * The start API for other services (bearer token): start or join a customer's workflow, read its state, and run
 * operator actions. Input is validated here (every problem named by field and rule) and again in the workflow.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidPageTokenError, ListOnboardingsQuerySchema, listOnboardings } from '../../onboarding/customers.js';
import { describeInputProblems, parseCustomerRef, parseOnboardingRequest } from '../../onboarding/input.js';
import { describeRefusal } from '../../onboarding/refusals.js';
import { workflowIdFor } from '../../workflows/input.js';
import { UNAUTHORIZED_RULE, createScopeCheck } from '../api-auth.js';
import type { BridgeContext } from '../context.js';
import { HttpError, refusalError, workerUnavailable } from '../http-errors.js';
import { OnboardingConflictError, getLifecycleState, startOnboarding } from '../../onboarding/start.js';
import {
  IDEMPOTENCY_KEY_RULE,
  IdempotencyKeyReusedError,
  OPERATOR_ACTIONS,
  isValidIdempotencyKey,
  parseOperatorAction,
  runOperatorAction,
  type OperatorActionName,
} from '../../onboarding/operator-actions.js';
import { CustomerFinishedError, WorkerUnavailableError, explainFailure, withDeadline } from '../../onboarding/temporal-calls.js';

export async function onboardingRoutes(app: FastifyInstance, ctx: BridgeContext): Promise<void> {
  // JSON only: Fastify would otherwise hand a text/plain body to the validator as a string (415 is clearer).
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', requireScope(ctx));

  app.post('/onboardings', { bodyLimit: ctx.bridge.maxBodyBytes }, async (request, reply) => {
    const parsed = await parseOnboardingRequest(request.body, ctx.onboarding);
    if (!parsed.ok) throw HttpError.problems(400, 'invalid_input', parsed.problems);
    const workflowId = workflowIdFor(parsed.input.customerRef);
    try {
      const outcome = await withDeadline(ctx.client, ctx.temporalTimeoutMs, () =>
        startOnboarding(ctx.client, { taskQueue: ctx.taskQueue, webUiUrl: ctx.bridge.webUiUrl }, parsed.input),
      );
      request.log.info({ workflowId, status: outcome.status }, 'onboarding start');
      return reply.code(outcome.status === 'started' ? 201 : 200).send(outcome);
    } catch (err) {
      if (err instanceof OnboardingConflictError) {
        request.log.warn({ workflowId, reason: err.reason }, 'onboarding start refused');
        throw new HttpError(409, {
          error: err.reason === 'different_input' ? 'conflict' : 'already_closed',
          message: err.message,
          field: 'customerRef',
          rule:
            err.reason === 'different_input'
              ? 'must not be reused with a different input while its workflow runs'
              : 'must not name a customer whose workflow has completed',
        });
      }
      throw err;
    }
  });

  app.get('/onboardings', async (request) => {
    const parsed = ListOnboardingsQuerySchema.safeParse(request.query ?? {}, { reportInput: true });
    if (!parsed.success) throw HttpError.problems(400, 'invalid_input', describeInputProblems(parsed.error));
    try {
      return await withDeadline(ctx.client, ctx.temporalTimeoutMs, () => listOnboardings(ctx.client, parsed.data));
    } catch (err) {
      if (err instanceof InvalidPageTokenError) throw HttpError.field(400, 'invalid_input', err.field, err.rule);
      throw err;
    }
  });

  app.get('/onboardings/:customerRef', async (request) => {
    const customerRef = customerRefParam(request);
    try {
      return await withDeadline(ctx.client, ctx.temporalTimeoutMs, () => getLifecycleState(ctx.client, customerRef));
    } catch (err) {
      throw notFoundOr(await explainFailure(ctx.client, customerRef, workflowIdFor(customerRef), err), customerRef);
    }
  });

  for (const name of OPERATOR_ACTIONS) {
    app.post(`/onboardings/:customerRef/${name}`, { bodyLimit: ctx.bridge.maxBodyBytes }, async (request, reply) => {
      const customerRef = customerRefParam(request);
      return runAction(ctx, request, reply, customerRef, name);
    });
  }
}

async function runAction(ctx: BridgeContext, request: FastifyRequest, reply: FastifyReply, customerRef: string, name: OperatorActionName) {
  const parsed = parseOperatorAction(name, request.body);
  if (!parsed.ok) throw HttpError.problems(400, 'invalid_input', parsed.problems);
  const workflowId = workflowIdFor(customerRef);
  // A caller's Idempotency-Key names the update (scoped by action): a retried request attaches to the first
  // instead of acting twice, and the same key sent with another action is refused (operator-actions.ts).
  const idempotencyKey = idempotencyKeyOf(request);
  try {
    const result = await withDeadline(ctx.client, ctx.updateTimeoutMs, () =>
      runOperatorAction(ctx.client, customerRef, parsed.action, idempotencyKey),
    );
    request.log.info({ workflowId, action: name }, 'operator action done');
    return { workflowId, customerRef, action: name, result };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const refusal = describeRefusal(err.cause);
      // The type and kind only: failure messages may name things (numbers, e-mail hints) that logs must not carry.
      request.log.warn({ workflowId, action: name, kind: refusal.kind, type: refusal.type }, 'operator action refused or failed');
      if (refusal.retryAfterSeconds !== undefined) void reply.header('retry-after', String(refusal.retryAfterSeconds));
      throw refusalError(refusal);
    }
    if (err instanceof IdempotencyKeyReusedError) {
      throw new HttpError(422, {
        error: 'idempotency_key_reused',
        message: err.message,
        field: 'Idempotency-Key',
        rule: `must not be reused for another action (it was used for ${err.usedFor} on this customer): send a new key for each action`,
      });
    }
    throw notFoundOr(await explainFailure(ctx.client, customerRef, workflowId, err), customerRef);
  }
}

/**
 * The start API's bearer check: any token reads (GET), only a BRIDGE_API_TOKENS token starts or acts. Every route
 * scope behind it (onboardings, Vobiz reads) adds it as its onRequest hook.
 */
export function requireScope(ctx: Pick<BridgeContext, 'bridge'>) {
  const scopeOf = createScopeCheck(ctx.bridge);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const scope = scopeOf(request.headers.authorization);
    if (!scope) {
      void reply.header('www-authenticate', 'Bearer');
      throw HttpError.field(401, 'unauthorized', 'authorization', UNAUTHORIZED_RULE);
    }
    if (scope === 'read' && request.method !== 'GET' && request.method !== 'HEAD') {
      throw HttpError.field(403, 'forbidden', 'authorization', 'is a read-only token (BRIDGE_READ_TOKENS): it may read but not start or act');
    }
  };
}

export function customerRefParam(request: FastifyRequest): string {
  const { customerRef } = request.params as { customerRef: string };
  const parsed = parseCustomerRef(customerRef);
  if (!parsed.ok) throw HttpError.problems(400, 'invalid_input', parsed.problems);
  return parsed.customerRef;
}

/** Not found, finished, or no worker: what a caller can act on; anything else goes to the error handler. */
export function notFoundOr(err: unknown, customerRef: string): unknown {
  if (err instanceof CustomerFinishedError) {
    return new HttpError(409, { error: 'finished', message: err.message, field: 'customerRef', rule: 'must name a customer whose workflow still runs' });
  }
  if (err instanceof WorkerUnavailableError) return workerUnavailable(err);
  if (err instanceof WorkflowNotFoundError) {
    return new HttpError(404, {
      error: 'not_found',
      message: `no onboarding for customerRef ${customerRef} (or its workflow has closed)`,
      field: 'customerRef',
      rule: 'must name an onboarding that exists',
    });
  }
  return err;
}

/** The request's Idempotency-Key, if any; one that breaks the rule is refused rather than ignored (that would act twice). */
function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (Array.isArray(value) || !isValidIdempotencyKey(value)) {
    throw HttpError.field(400, 'invalid_input', 'Idempotency-Key', Array.isArray(value) ? 'must be sent once' : IDEMPOTENCY_KEY_RULE);
  }
  return value;
}

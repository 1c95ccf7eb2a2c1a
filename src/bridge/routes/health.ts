/** /healthz: the process answers. /readyz: Temporal answers too (load balancers route only to ready bridges). */
import type { FastifyInstance } from 'fastify';
import type { BridgeContext } from '../context.js';
import { withDeadline } from '../../onboarding/temporal-calls.js';

const READINESS_TIMEOUT_MS = 2_000;

export async function healthRoutes(app: FastifyInstance, ctx: BridgeContext): Promise<void> {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (request, reply) => {
    try {
      await withDeadline(ctx.client, Math.min(READINESS_TIMEOUT_MS, ctx.temporalTimeoutMs), () =>
        ctx.client.workflowService.getSystemInfo({}),
      );
      return { ok: true, temporal: 'reachable' };
    } catch (err) {
      request.log.warn({ err }, 'not ready: Temporal unreachable');
      return reply.code(503).send({ ok: false, error: 'temporal_unavailable', field: 'temporal', rule: 'must be reachable', message: 'Temporal did not answer' });
    }
  });
}

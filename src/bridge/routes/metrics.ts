/**
 * GET /metrics: Prometheus text exposition, served on the bridge's metrics listener (BRIDGE_METRICS_ADDRESS,
 * loopback by default), never on the public webhook port. Unauthenticated there, so Prometheus needs no token: it
 * holds no personal data, refs, ids or tokens (labels are route templates, status codes, outcomes and stages).
 * Off (BRIDGE_METRICS=false): no metrics listener at all.
 */
import type { FastifyInstance } from 'fastify';
import type { BridgeMetrics } from '../metrics/registry.js';

const METRICS_PATH = '/metrics';

export async function metricsRoutes(app: FastifyInstance, metrics: BridgeMetrics): Promise<void> {
  app.get(METRICS_PATH, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}

/**
 * GET /metrics: Prometheus text exposition. Unauthenticated, like /healthz, so Prometheus needs no bridge token;
 * it holds no personal data, refs, ids or tokens (labels are route templates, status codes, outcomes and stages).
 * Where the bridge's port is public (webhooks from Vobiz), keep /metrics off the public path at the proxy, or set
 * BRIDGE_METRICS=false. Off (BRIDGE_METRICS=false): the route does not exist (404).
 */
import type { FastifyInstance } from 'fastify';
import type { BridgeMetrics } from '../metrics/registry.js';

export const METRICS_PATH = '/metrics';

export async function metricsRoutes(app: FastifyInstance, metrics: BridgeMetrics): Promise<void> {
  app.get(METRICS_PATH, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}

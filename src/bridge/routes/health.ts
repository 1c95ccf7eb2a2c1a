/**
 * /healthz: the process answers. /readyz: the bridge's checks (startup-checks.ts) run now; 503 while one it needs
 * to serve fails (Temporal, the namespace, the codec keys), so load balancers route only to ready bridges. The body
 * names every check and its result, and for one that fails or warns what was found and the fix: never a secret
 * (variable names, key ids, counts and the public URL only).
 */
import type { FastifyInstance } from 'fastify';
import type { BridgeContext } from '../context.js';
import { READINESS_CHECKS } from '../startup-checks.js';

export async function healthRoutes(app: FastifyInstance, ctx: BridgeContext): Promise<void> {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_request, reply) => {
    const results = await ctx.checks.run();
    const failing = results.filter((r) => r.status === 'fail').map((r) => r.name);
    const blocking = failing.filter((name) => READINESS_CHECKS.includes(name));
    const checks = results.map((r) => (r.status === 'ok' || r.status === 'skipped' ? { name: r.name, status: r.status } : r));
    if (blocking.length === 0) return { ok: failing.length === 0, ready: true, failing, checks };
    const temporalDown = blocking.includes('temporal');
    return reply.code(503).send({
      ok: false,
      ready: false,
      error: temporalDown ? 'temporal_unavailable' : 'not_ready',
      field: blocking[0],
      rule: temporalDown ? 'must be reachable' : 'must pass',
      message: temporalDown ? 'Temporal did not answer' : `failing: ${blocking.join(', ')}`,
      failing,
      checks,
    });
  });
}

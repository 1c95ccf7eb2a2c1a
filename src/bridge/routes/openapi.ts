/**
 * GET /openapi.json: the start API's contract, for other services' code generators. Behind the start API's bearer
 * tokens (read-only ones too), like the API it describes: on the public port (Vobiz must reach the webhook there) it should not map the
 * API for anyone who scans it, and whoever integrates holds a token anyway.
 */
import type { FastifyInstance } from 'fastify';
import { UNAUTHORIZED_RULE, createScopeCheck } from '../api-auth.js';
import type { BridgeContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { buildOpenApiDocument } from '../openapi.js';

export async function openApiRoutes(app: FastifyInstance, ctx: Pick<BridgeContext, 'bridge'>): Promise<void> {
  const document = buildOpenApiDocument();
  const scopeOf = createScopeCheck(ctx.bridge);
  app.get('/openapi.json', async (request, reply) => {
    if (!scopeOf(request.headers.authorization)) {
      void reply.header('www-authenticate', 'Bearer');
      throw HttpError.field(401, 'unauthorized', 'authorization', UNAUTHORIZED_RULE);
    }
    return document;
  });
}

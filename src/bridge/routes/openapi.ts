/**
 * GET /openapi.json: the start API's contract, for other services' code generators. Behind the start API's bearer
 * token, like the API it describes: on the public port (Vobiz must reach the webhook there) it should not map the
 * API for anyone who scans it, and whoever integrates holds a token anyway.
 */
import type { FastifyInstance } from 'fastify';
import { createTokenCheck } from '../api-auth.js';
import type { BridgeContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { buildOpenApiDocument } from '../openapi.js';

export async function openApiRoutes(app: FastifyInstance, ctx: Pick<BridgeContext, 'bridge'>): Promise<void> {
  const document = buildOpenApiDocument();
  const isAuthorised = createTokenCheck(ctx.bridge.apiTokens);
  app.get('/openapi.json', async (request, reply) => {
    if (!isAuthorised(request.headers.authorization)) {
      void reply.header('www-authenticate', 'Bearer');
      throw HttpError.field(401, 'unauthorized', 'authorization', 'must be "Bearer <token>" with a token from BRIDGE_API_TOKENS');
    }
    return document;
  });
}

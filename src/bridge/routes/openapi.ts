/** GET /openapi.json: the start API's contract, for other services' code generators. No token: it holds no data. */
import type { FastifyInstance } from 'fastify';
import { buildOpenApiDocument } from '../openapi.js';

export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  const document = buildOpenApiDocument();
  app.get('/openapi.json', async () => document);
}

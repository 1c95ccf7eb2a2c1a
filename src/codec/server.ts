/**
 * The codec server: lets the Temporal Web UI and CLI show decrypted payloads to people allowed to see them, without
 * ever giving the keys to the UI or the Temporal server.
 *
 * Protocol (Temporal remote codec): `POST /encode` and `POST /decode` with a JSON body
 * `{ "payloads": [{ "metadata": { "<key>": "<base64>" }, "data": "<base64>" }] }` (the proto3 JSON form of
 * Payload) and the same shape back. The UI calls it from the browser, so it needs CORS for the UI's origin,
 * including the `x-namespace` and `authorization` headers and credentials.
 *
 * Payload contents are never logged, and error replies never echo them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../logging.js';
import { EncryptionCodec, PayloadDecryptionError, UnknownEncryptionKeyError } from './encryption-codec.js';
import type { CodecKey } from './keys.js';

export interface CodecServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  keys: readonly CodecKey[];
  /** When set, POST requests need `Authorization: Bearer <token>`. */
  token?: string;
  /** Exact origins (scheme://host[:port]) whose browsers may call the server, e.g. the Web UI's. */
  corsOrigins: readonly string[];
  logger: Logger;
  /** Largest request body; payloads are up to 2 MB each and base64 adds a third. Default 16 MiB. */
  bodyLimitBytes?: number;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

const ALLOWED_HEADERS = 'x-namespace, content-type, authorization';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

// Standard or URL-safe base64, padding optional: both are valid proto3 JSON for bytes.
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const JsonPayload = z.object({
  metadata: z.record(z.string(), base64).nullish(),
  data: base64.nullish(),
});
// The Temporal CLI posts `{}` (no `payloads`) when a command has nothing to encode, e.g. `workflow query` without
// arguments: an empty or missing list is answered with an empty list, as the remote-codec protocol intends.
const PayloadsBody = z.object({ payloads: z.array(JsonPayload).nullish().transform((p) => p ?? []) });
type JsonPayload = z.infer<typeof JsonPayload>;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): { metadata: Record<string, string>; data: string } => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/** Compares digests so neither the token's length nor its prefix leaks through timing. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const codec = new EncryptionCodec(options.keys);
  const allowedOrigins = new Set(options.corsOrigins);
  const log = options.logger.child({ component: 'codec-server' });
  const app = Fastify({
    loggerInstance: log,
    // Fastify's request lines are replaced by our onResponse line, which carries no body and no auth header.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
  });

  // CORS on every response from an allowed origin; other origins get no allow headers, so browsers refuse them.
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin && allowedOrigins.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
    }
    reply.header('vary', 'Origin');
  });

  app.addHook('onResponse', async (request, reply) => {
    log.info(
      {
        method: request.method,
        path: request.url,
        status: reply.statusCode,
        namespace: request.headers['x-namespace'],
        ms: Math.round(reply.elapsedTime),
      },
      'codec request',
    );
  });

  // Parser and size errors carry fragments of the body in their messages: reply and log without them.
  app.setErrorHandler(async (error: { statusCode?: number; code?: string; name?: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) log.error({ errorName: error.name, code: error.code }, 'codec server error');
    const message =
      status === 413 ? 'request body too large' : status === 415 ? 'content-type must be application/json' : status === 500 ? 'internal error' : 'invalid request body';
    return reply.code(status).send({ error: message });
  });

  const preflight = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (!origin || !allowedOrigins.has(origin)) return reply.code(403).send();
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
      .send();
  };

  const handler = (direction: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
    if (options.token && !tokenMatches(request.headers.authorization, options.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid bearer token' });
    }
    const body = PayloadsBody.safeParse(request.body ?? {});
    if (!body.success) {
      const where = body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return reply.code(400).send({ error: `expected {"payloads":[{"metadata":{...},"data":"base64"}]}; ${where}` });
    }
    const payloads = body.data.payloads.map(fromJson);
    try {
      const result = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      return reply.send({ payloads: result.map(toJson) });
    } catch (err) {
      if (err instanceof UnknownEncryptionKeyError || err instanceof PayloadDecryptionError) {
        log.warn({ errorName: err.name, keyId: err.keyId }, 'payload could not be decoded');
        return reply.code(400).send({ error: err.message });
      }
      throw err;
    }
  };

  for (const direction of ['encode', 'decode'] as const) {
    app.post(`/${direction}`, handler(direction));
    app.options(`/${direction}`, preflight);
  }

  const address = await app.listen({ host: options.host, port: options.port });
  log.info({ url: address, origins: [...allowedOrigins], auth: Boolean(options.token) }, 'codec server listening');
  return { url: address, close: () => app.close() };
}

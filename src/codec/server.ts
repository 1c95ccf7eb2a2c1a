/**
 * The codec server: lets the Temporal Web UI and CLI show decrypted payloads to people allowed to see them, without
 * ever giving the keys to the UI or the Temporal server.
 *
 * Protocol (Temporal remote codec): `POST /encode` and `POST /decode` with a JSON body
 * `{ "payloads": [{ "metadata": { "<key>": "<base64>" }, "data": "<base64>" }] }` (the proto3 JSON form of
 * Payload) and the same shape back. What the callers send besides (read from their sources): the Web UI posts from
 * the browser with `Content-Type`, `X-Namespace`, and, with its "pass access token" setting and an https endpoint,
 * `Authorization: Bearer <access token>` and `Authorization-Extras: <id token>`; newer UIs add
 * `?preserveStorageRefs=true`. The Temporal CLI (`--codec-endpoint`) posts without an Origin, with `X-Namespace`,
 * `--codec-auth` as `Authorization` and any `--codec-header`. Neither names the workflow; a browser's Referer does
 * when the UI's page reaches the server same-origin (behind the UI's proxy), so it is logged where present.
 *
 * The door, in order: an Origin that is not allowed is refused (403, preflight and POST alike); then the request
 * must authenticate (./auth.ts: static token or the UI's OIDC token; 401); then it is served, and one audit line says
 * who decoded how many payloads of which namespace (and workflow, when the Referer names it). Payload contents and
 * credentials are never logged, and error replies never echo them.
 */
import type { Payload } from '@temporalio/common';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { OidcSettings } from '../config/codec-server.js';
import { isLoopbackHost } from '../config/fields.js';
import type { Logger } from '../logging.js';
import { createCodecAuth } from './auth.js';
import { EncryptionCodec, PayloadDecryptionError, UnknownEncryptionKeyError } from './encryption-codec.js';
import type { CodecKey } from './keys.js';

interface CodecServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  keys: readonly CodecKey[];
  /** A static bearer token: requests may authenticate with `Authorization: Bearer <token>`. */
  token?: string;
  /** The Web UI's OIDC provider: requests may authenticate with a valid access token it issued. */
  oidc?: OidcSettings;
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

const ALLOWED_HEADERS = 'x-namespace, content-type, authorization, authorization-extras';
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

/** A Web UI page URL names its workflow: /namespaces/<ns>/workflows/<workflowId>/<runId>/... */
function workflowFromReferer(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    const match = /\/namespaces\/[^/]+\/workflows\/([^/?#]+)/.exec(new URL(referer).pathname);
    return match?.[1] ? decodeURIComponent(match[1]).slice(0, 256) : undefined;
  } catch {
    return undefined;
  }
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' ? value.slice(0, 256) : undefined;
};

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const auth = createCodecAuth({ ...(options.token ? { token: options.token } : {}), ...(options.oidc ? { oidc: options.oidc } : {}) });
  // Config refuses this too; the server checks again, so no caller can open an unauthenticated door to the network.
  if (!auth.required && !isLoopbackHost(options.host)) {
    throw new Error(`codec server: refusing to listen on ${options.host} without authentication (a token or OIDC settings)`);
  }
  const codec = new EncryptionCodec(options.keys);
  const allowedOrigins = new Set(options.corsOrigins);
  const log = options.logger.child({ component: 'codec-server' });
  const app = Fastify({
    loggerInstance: log,
    // Fastify's request lines are replaced by our own, which carry no body and no auth header.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
  });

  // Every request, every route: a browser on another origin is refused before anything else happens. Requests
  // without an Origin (the CLI, curl) pass here and must authenticate.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (!allowedOrigins.has(origin)) {
      log.warn({ origin: origin.slice(0, 200), method: request.method, path: request.routeOptions.url ?? 'unmatched' }, 'codec request from a disallowed origin refused');
      return reply.code(403).send({ error: 'origin not allowed (CODEC_CORS_ORIGINS)' });
    }
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
  });

  app.addHook('onResponse', async (request, reply) => {
    log.info(
      { method: request.method, path: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, namespace: header(request, 'x-namespace'), ms: Math.round(reply.elapsedTime) },
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

  const preflight = async (_request: FastifyRequest, reply: FastifyReply) => {
    // Reached only from an allowed origin (the hook above); without an Origin there is nothing to allow.
    if (!reply.hasHeader('access-control-allow-origin')) return reply.code(403).send();
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
      .send();
  };

  const handler = (direction: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
    const namespace = header(request, 'x-namespace');
    const caller = await auth.check(request.headers.authorization, request.headers.origin !== undefined);
    if (!caller.ok) {
      log.warn({ direction, namespace, reason: caller.reason, status: caller.status }, 'codec request refused');
      if (caller.status === 401) void reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return reply.code(caller.status).send({ error: caller.status === 401 ? `unauthorized: ${caller.reason}` : 'cannot verify tokens now; try again' });
    }
    const body = PayloadsBody.safeParse(request.body ?? {});
    if (!body.success) {
      const where = body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return reply.code(400).send({ error: `expected {"payloads":[{"metadata":{...},"data":"base64"}]}; ${where}` });
    }
    const payloads = body.data.payloads.map(fromJson);
    try {
      const result = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      const workflowId = workflowFromReferer(header(request, 'referer'));
      // The audit line: who, which namespace (and workflow where the request says), how many; never what.
      log.info({ direction, who: caller.who, auth: caller.method, namespace, payloads: payloads.length, ...(workflowId ? { workflowId } : {}) }, `payloads ${direction}d`);
      return reply.send({ payloads: result.map(toJson) });
    } catch (err) {
      if (err instanceof UnknownEncryptionKeyError || err instanceof PayloadDecryptionError) {
        log.warn({ errorName: err.name, keyId: err.keyId, who: caller.who, namespace }, 'payload could not be decoded');
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
  log.info(
    { url: address, origins: [...allowedOrigins], token: Boolean(options.token), oidcIssuer: options.oidc?.issuer ?? null, authRequired: auth.required },
    'codec server listening',
  );
  return { url: address, close: () => app.close() };
}

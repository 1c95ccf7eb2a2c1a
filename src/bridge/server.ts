/**
 * The bridge: KYC webhooks in, signals out; the start API for other services, with the Vobiz reads beside it; health
 * checks. Stateless (all state
 * lives in Temporal), so several can run behind a load balancer. `close()` stops accepting and lets in-flight
 * requests finish, so a deploy never drops a webhook Vobiz thinks was delivered.
 *
 * Two listeners: the public one (webhooks from Vobiz, the start API and /openapi.json behind its bearer token,
 * health checks) and, apart from it, /metrics for Prometheus on BRIDGE_METRICS_ADDRESS (loopback by default), so
 * nothing answers unauthenticated on the public port but the webhook (signed) and the health checks.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import Fastify, { LogController, type FastifyError } from 'fastify';
import type { BridgeConfig } from '../config/bridge.js';
import type { OnboardingConfig } from '../config/onboarding-limits.js';
import type { TemporalConfig } from '../config/temporal.js';
import type { Logger } from '../logging.js';
import { activityReads } from './activity-reads.js';
import type { BridgeContext } from './context.js';
import { HttpError, temporalUnavailable, type ErrorBody } from './http-errors.js';
import { healthRoutes } from './routes/health.js';
import { kycWebhookRoutes } from './routes/kyc-webhooks.js';
import { onboardingRoutes } from './routes/onboardings.js';
import { vobizReadRoutes } from './routes/vobiz-reads.js';
import { openApiRoutes } from './routes/openapi.js';
import { traceRequests } from './request-tracing.js';
import { metricsRoutes } from './routes/metrics.js';
import { createBridgeMetrics, type BridgeMetrics } from './metrics/registry.js';
import { isTemporalUnavailable } from '../onboarding/temporal-calls.js';
import { createSignatureRefusals } from './signature-refusals.js';
import { createBridgeChecks } from './startup-checks.js';

/** Each check's deadline when /readyz runs them: a load balancer's probe is answered within a few seconds. */
const READINESS_TIMEOUT_MS = 2_000;

interface StartBridgeOptions {
  config: { bridge: BridgeConfig; onboarding: OnboardingConfig; temporal: Pick<TemporalConfig, 'taskQueue'> };
  client: Client;
  logger: Logger;
  /** Deadline for start/signal/describe/query calls; default 5 s. */
  temporalTimeoutMs?: number;
  /** Deadline for operator updates; default 30 s. */
  updateTimeoutMs?: number;
  /** Deadline for one page of a Vobiz read, retries included (it waits its turn in the rate budget); default 30 s. */
  readTimeoutMs?: number;
  /** Traces every request on the public listener (tracing configured); unset, no hook is installed. */
  tracer?: Tracer;
}

export interface RunningBridge {
  url: string;
  /** Where GET /metrics answers (its own listener); undefined when BRIDGE_METRICS is off. */
  metricsUrl?: string;
  close(): Promise<void>;
}

const urlOf = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

function boundPort(app: { server: { address(): unknown } }, fallback: number): number {
  const address = app.server.address();
  return typeof address === 'object' && address && 'port' in address ? Number(address.port) : fallback;
}

export async function startBridge(options: StartBridgeOptions): Promise<RunningBridge> {
  const { config, client } = options;
  const logger = options.logger.child({ component: 'bridge' });
  const metrics = config.bridge.metrics.enabled
    ? createBridgeMetrics({
        client,
        stageCountTtlMs: config.bridge.metrics.stageCountTtlMs,
        onStageCountError: (err) => logger.warn({ err }, 'metrics: customers-by-stage count failed'),
      })
    : undefined;
  const ctx: BridgeContext = {
    client,
    logger,
    bridge: config.bridge,
    onboarding: config.onboarding,
    taskQueue: config.temporal.taskQueue,
    temporalTimeoutMs: options.temporalTimeoutMs ?? 5_000,
    updateTimeoutMs: options.updateTimeoutMs ?? 30_000,
    reads: activityReads(client, config.temporal.taskQueue, { deadlineMs: options.readTimeoutMs ?? 30_000 }),
    recordWebhook: (outcome) => metrics?.webhook(outcome),
    checks: createBridgeChecks({
      client,
      taskQueue: config.temporal.taskQueue,
      bridge: config.bridge,
      production: config.onboarding.production,
      logger,
      timeoutMs: Math.min(READINESS_TIMEOUT_MS, options.temporalTimeoutMs ?? 5_000),
      ...(metrics ? { record: (results) => metrics.startupChecks(results) } : {}),
    }),
    signatureRefusals: createSignatureRefusals(logger),
  };
  const app = buildBridgeApp(ctx, metrics, options.tracer);
  await app.listen({ host: config.bridge.host, port: config.bridge.port });
  const url = urlOf(config.bridge.host, boundPort(app, config.bridge.port));
  let metricsApp: ReturnType<typeof buildMetricsApp> | undefined;
  let metricsUrl: string | undefined;
  if (metrics) {
    metricsApp = buildMetricsApp(logger, metrics);
    try {
      await metricsApp.listen({ host: config.bridge.metrics.host, port: config.bridge.metrics.port });
    } catch (err) {
      await app.close();
      throw new Error(`bridge metrics: cannot listen on ${config.bridge.metrics.host}:${config.bridge.metrics.port} (BRIDGE_METRICS_ADDRESS): ${(err as Error).message}`);
    }
    metricsUrl = urlOf(config.bridge.metrics.host, boundPort(metricsApp, config.bridge.metrics.port));
  }
  logger.info({ url, metricsUrl }, 'bridge listening');
  // The start-up checks: each failure logged at error, the gauge set. Not awaited here: a slow Temporal never
  // delays listening (and /readyz runs them again); close() waits for them, so they never outlive the connection.
  const firstChecks = ctx.checks.run();
  return {
    url,
    ...(metricsUrl ? { metricsUrl } : {}),
    close: async () => void (await Promise.all([app.close(), metricsApp?.close(), firstChecks])),
  };
}

/** The metrics listener: GET /metrics and nothing else. */
function buildMetricsApp(logger: Logger, metrics: BridgeMetrics) {
  const app = Fastify({ loggerInstance: logger.child({ listener: 'metrics' }), logController: new LogController({ disableRequestLogging: true }) });
  void app.register(async (scope) => metricsRoutes(scope, metrics));
  return app;
}

function buildBridgeApp(ctx: BridgeContext, metrics?: BridgeMetrics, tracer?: Tracer) {
  const app = Fastify({
    loggerInstance: ctx.logger,
    // Fastify's own request lines include headers and URLs verbatim; ours (below) log only what is safe.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.bridge.maxBodyBytes,
    return503OnClosing: true,
  });
  if (tracer) traceRequests(app, tracer);

  app.addHook('onResponse', async (request, reply) => {
    // The route template, never the URL: it holds customer refs (and unmatched URLs anything a caller sent).
    const route = request.routeOptions.url ?? 'unmatched';
    request.log.info({ method: request.method, route, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    metrics?.observeRequest(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    const { statusCode, body } = toErrorResponse(err);
    if (statusCode >= 500) request.log.error({ err }, 'request failed');
    return reply.code(statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, field: 'path', rule: 'must be a bridge route' }),
  );

  // Scopes: the webhook scope reads raw bytes for the signature; the API scope parses JSON and checks tokens.
  void app.register(async (scope) => healthRoutes(scope, ctx));
  void app.register(async (scope) => openApiRoutes(scope, ctx));
  void app.register(async (scope) => kycWebhookRoutes(scope, ctx));
  void app.register(async (scope) => onboardingRoutes(scope, ctx));
  void app.register(async (scope) => vobizReadRoutes(scope, ctx));
  return app;
}

function toErrorResponse(err: FastifyError | HttpError): { statusCode: number; body: ErrorBody } {
  if (err instanceof HttpError) return { statusCode: err.statusCode, body: err.body };
  if (isTemporalUnavailable(err)) {
    const e = temporalUnavailable();
    return { statusCode: e.statusCode, body: e.body };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { statusCode: 413, body: { error: 'payload_too_large', message: err.message, field: 'body', rule: 'must not exceed BRIDGE_MAX_BODY_BYTES' } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { statusCode: 415, body: { error: 'unsupported_media_type', message: err.message, field: 'content-type', rule: 'must be application/json' } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { statusCode: 400, body: { error: 'invalid_json', message: err.message, field: 'body', rule: 'must be valid JSON' } };
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return { statusCode: err.statusCode, body: { error: 'bad_request', message: err.message, field: 'request', rule: err.message } };
  }
  return { statusCode: 500, body: { error: 'internal', message: 'internal error; retry later', field: 'server', rule: 'see the bridge logs' } };
}

/**
 * startSandbox(): one Fastify server that stands in for the Vobiz Partner + Customer API, with the hosted KYC
 * widget and the /_sandbox admin API, all state in one SQLite file.
 */
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { SandboxConfig } from './config.js';
import { createLogger, type Logger } from '../src/logging.js';
import { SandboxDb } from './db.js';
import { Clock } from './clock.js';
import type { SandboxContext } from './context.js';
import { WebhookDispatcher } from './webhooks.js';
import { DEFAULT_MAX_ACCOUNTS, ensurePartner } from './accounts.js';
import { seedInventory, advanceReleases } from './numbers.js';
import { backfillDueTimes, runKycTimers } from './kyc.js';
import { runScheduledTraffic } from './traffic.js';
import { ApiError } from './errors.js';
import { matchFault, type FaultRule } from './faults.js';
import { RequestMeter } from './request-meter.js';
import { partnerAccountsRoutes } from './routes/partner-accounts.js';
import { partnerProfileRoutes } from './routes/partner-profile.js';
import { kycRoutes } from './routes/kyc.js';
import { partnerCdrRoutes, customerCdrRoutes } from './routes/cdrs.js';
import { customerNumberRoutes } from './routes/customer-numbers.js';
import { trunkRoutes } from './routes/trunks.js';
import { customerAccountRoutes } from './routes/customer-account.js';
import { adminRoutes } from './routes/admin.js';
import { widgetRoutes } from './widget.js';
import { requirePartner } from './auth.js';
import { customerConcurrencyRoutes, customerProfileRoutes } from './routes/customer-profile.js';
import { casingServed } from './path-casing.js';
import type { SandboxSettings } from './context.js';

export interface SandboxOptions {
  host?: string;
  /** 0 = an ephemeral port (tests). */
  port?: number;
  dbPath: string;
  partnerAuthId: string;
  partnerAuthToken: string;
  /** The partner's opening balance in INR; used only when the database is new. */
  partnerBalance: number;
  /** Base URL for widget links in emails and `widget_url`; defaults to the listening URL. */
  publicUrl?: string;
  webhookMaxAttempts?: number;
  webhookInitialBackoffMs?: number;
  /** Webhook deliveries in flight at once, to different sessions (default 16). */
  webhookConcurrency?: number;
  /** The partner's `max_accounts`: creating one more customer is refused with 403 (default 1000, as Vobiz documents). */
  maxAccounts?: number;
  logger?: Logger;
  /** How often due expiries, reminders, releases and scheduled traffic are checked (default 1000 ms). */
  tickIntervalMs?: number;
  /** `sdk` (default) or `prose`: which source wins where Vobiz's SDK models and prose docs conflict (context.ts). */
  responseShape?: SandboxSettings['responseShape'];
  /** Refuse customer paths in a casing the real API does not serve (default false). */
  strictPathCasing?: boolean;
  /** Refuse API requests over this many in any one second with 429 (default: no limit; POST /_sandbox/requests/limit). */
  maxRequestsPerSecond?: number;
}

export interface RunningSandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

/** Sandbox options from the SANDBOX_* settings (what `npm run sandbox` and `npm start` run with). */
export function sandboxOptionsFromConfig(config: SandboxConfig, logger: Logger, overrides: Partial<SandboxOptions> = {}): SandboxOptions {
  return {
    host: config.host,
    port: config.port,
    dbPath: config.dbPath,
    partnerAuthId: config.partnerAuthId,
    partnerAuthToken: config.partnerAuthToken,
    partnerBalance: config.partnerBalance,
    publicUrl: config.publicUrl,
    webhookMaxAttempts: config.webhookMaxAttempts,
    webhookInitialBackoffMs: config.webhookInitialBackoffMs,
    maxAccounts: config.maxAccounts,
    logger,
    ...overrides,
  };
}

const DEFAULT_WEBHOOK_CONCURRENCY = 16;

const CUSTOMER_PREFIXES = ['/api/v1/Account/:authId', '/api/v1/account/:authId'];

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const logger = options.logger ?? createLogger({ name: 'sandbox', level: 'silent' });
  const db = new SandboxDb(options.dbPath);
  const clock = new Clock(db);
  const webhooks = new WebhookDispatcher(db, logger, () => options.partnerAuthToken, {
    maxAttempts: options.webhookMaxAttempts ?? 8,
    initialBackoffMs: options.webhookInitialBackoffMs ?? 500,
    concurrency: options.webhookConcurrency ?? DEFAULT_WEBHOOK_CONCURRENCY,
  });
  let working = false;
  const ctx: SandboxContext = {
    db, clock, logger, webhooks,
    partnerAuthId: options.partnerAuthId,
    partnerAuthToken: options.partnerAuthToken,
    publicUrl: options.publicUrl ?? '',
    settings: { responseShape: options.responseShape ?? 'sdk', strictPathCasing: options.strictPathCasing ?? false },
    requests: new RequestMeter(),
    runDueWork: () => {
      if (working) return; // a handler that calls it while a tick runs would otherwise re-enter
      working = true;
      try {
        runKycTimers(ctx);
        advanceReleases(ctx);
        runScheduledTraffic(ctx);
      } catch (err) {
        logger.error({ err: { message: (err as Error).message } }, 'sandbox tick failed');
      } finally {
        working = false;
      }
    },
  };
  if (options.maxRequestsPerSecond) ctx.requests.limitPerSecond = options.maxRequestsPerSecond;
  ensurePartner(ctx, options.partnerBalance, options.maxAccounts ?? DEFAULT_MAX_ACCOUNTS);
  seedInventory(ctx);
  backfillDueTimes(ctx);

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1024 * 1024 });
  const dropAfterCommit = new WeakSet<FastifyRequest>();

  // JSON that tolerates an empty body (DELETE /kyc-sessions/{id} has an optional one) and reports bad JSON as 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError(400, { error: 'bad_request', message: 'Request body is not valid JSON' }), undefined);
    }
  });
  // The widget's HTML forms.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  // Fault injection runs before authentication and routing, like a failing proxy in front of the API would.
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (path.startsWith('/_sandbox')) return;
    if (path.startsWith('/api/')) {
      const retryAfterSeconds = ctx.requests.arrive(req.method, req.routeOptions.url ?? 'unmatched');
      if (retryAfterSeconds !== undefined) {
        return reply
          .code(429)
          .header('retry-after', String(retryAfterSeconds))
          .send({ error: 'rate_limited', message: 'Too many requests: the partner rate limit was exceeded', status_code: 429 });
      }
    }
    if (ctx.settings.strictPathCasing && !casingServed(path)) {
      // "Wrong casing gives 401/404" (doc §1): the sandbox answers as an unknown route would.
      return reply.code(404).send({ error: 'not_found', message: `No route for ${req.method} ${path} (path casing)` });
    }
    const fault = matchFault(ctx, req.method, path);
    if (!fault) return;
    await applyFault(fault, req, reply, dropAfterCommit);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (dropAfterCommit.has(req)) {
      // The handler has committed; the client never hears about it.
      logger.warn({ method: req.method, route: req.routeOptions.url, status: reply.statusCode }, 'fault: dropping connection after commit');
      req.raw.socket.destroy();
    }
    return payload;
  });
  // Method, route pattern and status only: URLs can carry emails (search=, to=) and bodies carry tokens.
  app.addHook('onResponse', async (req, reply) => {
    logger.info({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) return reply.code(err.statusCode).headers(err.headers).send(err.body);
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: 'bad_request', message: err.message });
    }
    logger.error({ route: req.routeOptions.url, err: { message: err.message, stack: err.stack } }, 'unhandled error');
    return reply.code(500).send({ error: 'internal_server_error', message: 'Internal server error' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `No route for ${req.method} ${req.url.split('?')[0] ?? ''}`, status_code: 404 }),
  );

  await app.register(async (partner) => {
    partner.addHook('preHandler', async (req) => requirePartner(ctx, req));
    await partner.register(partnerAccountsRoutes(ctx));
    await partner.register(partnerProfileRoutes(ctx));
    await partner.register(partnerCdrRoutes(ctx));
    await partner.register(kycRoutes(ctx));
  }, { prefix: '/api/v1/partner' });
  for (const prefix of CUSTOMER_PREFIXES) {
    await app.register(async (customer) => {
      await customer.register(customerNumberRoutes(ctx));
      await customer.register(trunkRoutes(ctx));
      await customer.register(customerCdrRoutes(ctx));
      await customer.register(customerAccountRoutes(ctx));
      await customer.register(customerConcurrencyRoutes(ctx));
    }, { prefix });
  }
  await app.register(customerProfileRoutes(ctx), { prefix: '/api/v1' });
  await app.register(widgetRoutes(ctx));
  await app.register(adminRoutes(ctx, new Date()), { prefix: '/_sandbox' });

  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 4010 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 4010);
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  if (!ctx.publicUrl) ctx.publicUrl = url;

  clock.onChange(() => ctx.runDueWork());
  const ticker = setInterval(() => {
    ctx.runDueWork();
    webhooks.kick();
  }, options.tickIntervalMs ?? 1000);
  ticker.unref();
  ctx.runDueWork();
  webhooks.kick(); // resume deliveries left pending by a previous run
  logger.info({ url, dbPath: options.dbPath }, 'sandbox listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    close: () =>
      (closing ??= (async () => {
        clearInterval(ticker);
        await webhooks.close();
        await app.close();
        db.close();
      })()),
  };
}

async function applyFault(fault: FaultRule, req: FastifyRequest, reply: FastifyReply, drops: WeakSet<FastifyRequest>): Promise<void> {
  if (fault.latency_ms) await new Promise((r) => setTimeout(r, fault.latency_ms ?? 0));
  if (fault.mode === 'commit_then_drop') {
    drops.add(req);
    return;
  }
  if (fault.mode === 'error') {
    const status = fault.status ?? 500;
    const headers: Record<string, string> = fault.retry_after_seconds !== null ? { 'retry-after': String(fault.retry_after_seconds) } : {};
    await reply.code(status).headers(headers).send({ error: status === 429 ? 'rate_limited' : 'service_unavailable', message: `Injected fault (${status})`, status_code: status });
  }
}

/**
 * HTTP transport for the Vobiz client, on undici.
 *
 * - One keep-alive `Pool` for the API origin, reused by every call (partner and customer alike) until `close()`.
 *   Tests inject a `dispatcher` (undici `MockAgent`) instead.
 * - Connect/headers/body timeouts come from config; each maps to `VobizTimeoutError`.
 * - Credentials are per call (`X-Auth-ID`/`X-Auth-Token`), so one transport serves the partner and any customer.
 * - Every call takes an `AbortSignal`. An aborted call rejects with the signal's reason (what Temporal passes as its
 *   cancellation), unwrapped, so the caller's cancellation handling sees its own error.
 * - An optional rate budget (`maxRequestsPerSecond`): requests leave this process evenly paced, no more than that in
 *   any one-second window, so a burst after an outage is spread out, not sent at once; callers wait their turn.
 * - An optional observer sees every call's route template, status and latency, and every rate-budget wait (metrics).
 * - An optional tracer wraps every call in a client span (a child of the caller's active span, e.g. the activity's)
 *   with the method, the route template, the status and any rate-budget wait: never the URL (it holds ids), a
 *   query, a body or a credential. No trace header is sent to Vobiz.
 * - No retries here: the caller (a Temporal activity) owns the retry policy, and most writes are not idempotent.
 *   Errors say whether a retry can help (`retryable`) and whether the write may already exist (`mayHaveCommitted`).
 */
import { SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { Pool, type Dispatcher } from 'undici';
import type { z } from 'zod';
import {
  VobizNetworkError,
  VobizResponseError,
  VobizTimeoutError,
  type VobizErrorContext,
  type VobizSchemaIssue,
} from './errors.js';
import { parseApiError } from './error-body.js';
import { routeTemplate, type VobizCallStatus, type VobizObserver } from './observer.js';
import { Pacer } from './pacer.js';

export interface VobizCredentials {
  authId: string;
  authToken: string;
}

/** The last argument of every client method. */
export interface CallOptions {
  /** Cancels the in-flight request, e.g. a Temporal activity's `cancellationSignal`. */
  signal?: AbortSignal | undefined;
}

export interface TransportOptions {
  /** e.g. `https://api.vobiz.ai` or the sandbox URL; a path prefix is kept. */
  baseUrl: string;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** For tests: an undici dispatcher (e.g. `MockAgent`) used instead of the transport's own pool. */
  dispatcher?: Dispatcher;
  /** At most this many requests leave this process in any one second (unset: no limit). */
  maxRequestsPerSecond?: number;
  /** Told about every call and rate-budget wait (metrics); never affects a call's result. */
  observer?: VobizObserver;
  /** Traces every call (unset: no span is made). */
  tracer?: Tracer;
}

type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type Query = Record<string, QueryValue>;

interface RequestSpec<S extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the base URL, already built with `encodePathSegment` for ids and E.164 numbers. */
  path: string;
  query?: Query;
  body?: unknown;
  credentials: VobizCredentials;
  /** Parses the 2xx body; an empty body (204) is parsed as `undefined`. */
  schema: S;
  signal?: AbortSignal | undefined;
}

const DEFAULT_TIMEOUTS = { connect: 5_000, headers: 15_000, body: 15_000 };

/** Path segment for ids and E.164 numbers: `+91…` becomes `%2B91…` as the API requires. */
export function encodePathSegment(value: string): string {
  return encodeURIComponent(value);
}

/** Socket error codes raised before any byte of the request left this process. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

export class Transport {
  private readonly origin: string;
  private readonly host: string;
  private readonly prefix: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly timeouts: { connect: number; headers: number; body: number };
  private closed = false;
  /** Paces requests to the rate budget (undefined: no budget). */
  private readonly pacer: Pacer | undefined;
  private readonly observer: VobizObserver | undefined;
  private readonly tracer: Tracer | undefined;

  constructor(options: TransportOptions) {
    this.observer = options.observer;
    this.tracer = options.tracer;
    this.pacer = options.maxRequestsPerSecond ? new Pacer(options.maxRequestsPerSecond) : undefined;
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.host = url.hostname;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.timeouts = {
      connect: options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connect,
      headers: options.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headers,
      body: options.bodyTimeoutMs ?? DEFAULT_TIMEOUTS.body,
    };
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new Pool(this.origin, {
        connect: { timeout: this.timeouts.connect },
        headersTimeout: this.timeouts.headers,
        bodyTimeout: this.timeouts.body,
        // Keep sockets warm between activity calls; Vobiz sends no Keep-Alive hint, so pick our own idle limit.
        keepAliveTimeout: 10_000,
        keepAliveMaxTimeout: 60_000,
      });
      this.ownsDispatcher = true;
    }
  }

  /** Closes the pool (waits for in-flight requests). An injected dispatcher is left to its owner. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  async request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
    if (!this.tracer) return this.send(spec, undefined);
    const route = routeTemplate(this.prefix + spec.path);
    const span = this.tracer.startSpan(`${spec.method} ${route}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': spec.method, 'url.template': route, 'server.address': this.host },
    });
    try {
      return await this.send(spec, span);
    } catch (err) {
      // The error's class, never its message: a Vobiz message can quote the customer's data.
      span.setAttribute('error.type', err instanceof Error ? err.name : typeof err);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  }

  private async send<S extends z.ZodType>(spec: RequestSpec<S>, span: Span | undefined): Promise<z.output<S>> {
    const ctx: VobizErrorContext = { method: spec.method, path: this.prefix + spec.path };
    spec.signal?.throwIfAborted();
    if (this.closed) throw new Error('VobizClient is closed');
    if (this.pacer) {
      const waitedMs = await this.pacer.admit(spec.signal); // cancelled while it waits: nothing is sent
      if (waitedMs > 0) {
        span?.setAttribute('vobiz.rate_budget_wait_ms', Math.round(waitedMs));
        this.observe(() => this.observer?.rateBudgetWait?.(waitedMs));
      }
    }

    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-auth-id': spec.credentials.authId,
      'x-auth-token': spec.credentials.authToken,
    };
    let body: string | undefined;
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body);
    }
    const secrets = [spec.credentials.authToken];

    let status: number;
    let resHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    const sentAt = performance.now();
    try {
      const res = await this.dispatcher.request({
        origin: this.origin,
        path: ctx.path + buildQuery(spec.query),
        method: spec.method,
        headers,
        body,
        signal: spec.signal,
        headersTimeout: this.timeouts.headers,
        bodyTimeout: this.timeouts.body,
      });
      status = res.statusCode;
      span?.setAttribute('http.response.status_code', status);
      resHeaders = res.headers;
      text = await res.body.text();
    } catch (err) {
      const failure = this.mapFailure(err, ctx, spec.signal);
      const outcome: VobizCallStatus = spec.signal?.aborted ? 'cancelled' : failure instanceof VobizTimeoutError ? 'timeout' : 'network_error';
      this.observeCall(spec, outcome, sentAt);
      throw failure;
    }

    if (status < 200 || status >= 300) {
      const error = parseApiError(ctx, { status, headers: resHeaders, bodyText: text, secrets });
      this.observeCall(spec, status, sentAt, error.retryAfterMs);
      throw error;
    }
    this.observeCall(spec, status, sentAt);

    let json: unknown;
    if (text.trim() === '') {
      json = undefined;
    } else {
      try {
        json = JSON.parse(text);
      } catch {
        throw new VobizResponseError(ctx, status, [], 'was not JSON');
      }
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) throw new VobizResponseError(ctx, status, toIssues(parsed.error));
    return parsed.data;
  }

  private observeCall(spec: { method: string; path: string }, status: VobizCallStatus, sentAt: number, retryAfterMs?: number): void {
    if (!this.observer?.call) return;
    const durationMs = performance.now() - sentAt;
    this.observe(() => this.observer?.call?.({ method: spec.method, route: routeTemplate(spec.path), status, durationMs, retryAfterMs }));
  }

  /** An observer's fault (a metrics bug) must never fail or change a Vobiz call. */
  private observe(report: () => void): void {
    try {
      report();
    } catch {
      // deliberately ignored: see above
    }
  }

  private mapFailure(err: unknown, ctx: VobizErrorContext, signal: AbortSignal | undefined): unknown {
    // Cancellation is the caller's, not a Vobiz failure: hand back exactly what they aborted with.
    if (signal?.aborted) return signal.reason ?? err;
    const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } };
    if (e?.name === 'AbortError') return err;
    const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
    if (code === undefined) return err; // a programming error, not the network
    // A GET has no effect to commit; any other method may have landed once its bytes were sent.
    const sent = !NOT_SENT_CODES.has(code);
    const mayHaveCommitted = sent && ctx.method !== 'GET';
    const what = `Vobiz ${ctx.method} ${ctx.path}`;
    const hint = mayHaveCommitted ? ' (the request may have been applied: reconcile before repeating it)' : '';
    switch (code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new VobizTimeoutError(`${what}: connect timeout after ${this.timeouts.connect} ms`, ctx, {
          phase: 'connect',
          timeoutMs: this.timeouts.connect,
          mayHaveCommitted: false,
          cause: err,
        });
      case 'UND_ERR_HEADERS_TIMEOUT':
        return new VobizTimeoutError(`${what}: no response within ${this.timeouts.headers} ms${hint}`, ctx, {
          phase: 'headers',
          timeoutMs: this.timeouts.headers,
          mayHaveCommitted,
          cause: err,
        });
      case 'UND_ERR_BODY_TIMEOUT':
        return new VobizTimeoutError(`${what}: response body stalled for ${this.timeouts.body} ms${hint}`, ctx, {
          phase: 'body',
          timeoutMs: this.timeouts.body,
          mayHaveCommitted,
          cause: err,
        });
      default:
        return new VobizNetworkError(`${what}: ${code} ${typeof e.message === 'string' ? e.message : ''}${hint}`.trim(), ctx, {
          mayHaveCommitted,
          errorCode: code,
          cause: err,
        });
    }
  }
}

function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function toIssues(error: z.ZodError): VobizSchemaIssue[] {
  // Paths and codes only: zod messages from our money transform would echo the received value.
  return error.issues.map((issue) => {
    const expected = 'expected' in issue && typeof issue.expected === 'string' ? issue.expected : undefined;
    return { path: issue.path.map(String).join('.'), code: issue.code, ...(expected ? { expected } : {}) };
  });
}

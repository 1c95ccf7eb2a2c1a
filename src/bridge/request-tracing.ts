/**
 * A server span for every request on the bridge's public listener, when tracing is configured: the root of the trace
 * a webhook or a start-API call begins. Its name and attributes hold the method, the route template and the status,
 * never the URL (it holds customer refs), a query, a header or a body. The span is made active for the route's
 * handler, so the Temporal calls the handler makes (the kycEvent Update, a start) are its children and carry it on
 * to the workflow.
 *
 * A caller's own `traceparent` (another service calling the start API) is kept as a link, not taken as the parent:
 * the public port is open to anyone, so no caller decides which trace the bridge's work joins.
 */
import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging.js';

export function traceRequests(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>, tracer: Tracer): void {
  const spans = new WeakMap<FastifyRequest, Span>();

  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const caller = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, request.headers));
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route },
        ...(caller && isSpanContextValid(caller) ? { links: [{ context: caller }] } : {}),
      },
      ROOT_CONTEXT,
    );
    spans.set(request, span);
    done();
  });

  // Entered here, not in onRequest: the body is read between the two, on stream events that would not carry it.
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (span) context.with(trace.setSpan(context.active(), span), done);
    else done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });

  app.addHook('onRequestAbort', (request, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('error.type', 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });
}

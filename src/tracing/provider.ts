/**
 * One process's traces: a tracer provider whose spans pass the privacy filter (span-privacy.ts) and are exported by
 * OTLP/HTTP in batches. Made only when tracing is configured (src/config/tracing.ts); a process without it never
 * loads a provider, registers no context manager and installs no hook or interceptor, so tracing off costs nothing.
 *
 * The provider is not made the global one: every part that traces is handed its tracer (the bridge's hooks, the
 * Temporal interceptors, the Vobiz client), so nothing else in the process starts exporting by accident. What is
 * global is how a trace travels: the AsyncLocalStorage context manager (the active span follows async calls) and
 * the W3C trace-context propagator, which Temporal's interceptors use to put the trace in headers.
 */
import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config/tracing.js';
import { PrivateSpanProcessor } from './span-privacy.js';

/** The instrumentation scope of the spans this project makes itself (bridge requests, Vobiz calls). */
const TRACER_NAME = 'vobiz-lifecycle';

export interface Tracing {
  /** The project's own tracer (bridge requests, Vobiz calls). */
  readonly tracer: Tracer;
  /** The tracer Temporal's interceptors make their spans with. */
  readonly temporalTracer: Tracer;
  readonly resource: Resource;
  /** Where finished spans go: the privacy filter, then the exporter (the workflow span sink feeds it too). */
  readonly spanProcessor: SpanProcessor;
  /** Exports what is buffered. */
  forceFlush(): Promise<void>;
  /** Exports what is buffered and stops; call once, as the process ends. */
  shutdown(): Promise<void>;
}

interface StartTracingOptions {
  /**
   * Where spans go instead of the OTLP endpoint, each as it ends (tests: the SDK's InMemorySpanExporter). The
   * privacy filter applies all the same.
   */
  exporter?: SpanExporter;
}

export function startTracing(config: Pick<TracingConfig, 'serviceName'> & Partial<TracingConfig>, options: StartTracingOptions = {}): Tracing {
  useW3cContextPropagation();
  const exporting = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ ...(config.tracesUrl ? { url: config.tracesUrl } : {}), headers: config.headers ?? {} }));
  const spanProcessor = new PrivateSpanProcessor(exporting);
  const resource = new Resource({ 'service.name': config.serviceName });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  return {
    tracer: provider.getTracer(TRACER_NAME),
    temporalTracer: provider.getTracer('@temporalio/interceptors-opentelemetry'),
    resource,
    spanProcessor,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * The active span follows async calls, and traces cross process boundaries as W3C `traceparent`: registered once
 * per process (the no-op propagator, the API's default, has no fields).
 */
function useW3cContextPropagation(): void {
  if (propagation.fields().length > 0) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/**
 * What a span may carry out of the process: names (fixed strings and route templates), times, kinds, links, status
 * codes, and the attributes listed here, nothing else. The instrumentation this project uses sets more on some spans:
 * Temporal's interceptors record a failure's message and stack as an exception event and the status message, and a
 * terminate reason; a failure message can quote what Vobiz answered, and that can be a customer's e-mail. So every
 * span passes this filter before any exporter sees it, whoever made it (bridge, client, workflow, activity, Vobiz
 * client): a new attribute is dropped until it is listed, never leaked until it is noticed.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';

/**
 * The attributes a span keeps. Workflow IDs are `customer-<customerRef>` or keyed hashes (account claims); activity
 * and update IDs are Temporal's or made from Vobiz session keys; routes are templates with `{id}` for every value.
 */
export const SPAN_ATTRIBUTES = new Set([
  // Temporal's interceptors (@temporalio/interceptors-opentelemetry) and the workflow span sink.
  'temporalWorkflowId',
  'run_id',
  'temporalActivityId',
  'temporalUpdateId',
  'temporalWorkflowType',
  // HTTP: the bridge's requests and the Vobiz client's calls (OpenTelemetry's semantic conventions).
  'http.request.method',
  'http.route',
  'url.template',
  'http.response.status_code',
  'server.address',
  'error.type',
  // The Vobiz client: how long a call waited for its turn in the partner's rate budget.
  'vobiz.rate_budget_wait_ms',
]);

/** An exception event keeps its type (an error class or Temporal failure type), never its message or stack. */
const EXCEPTION_ATTRIBUTES = new Set(['exception.type']);

function pick(attributes: Attributes | undefined, allowed: ReadonlySet<string>): Attributes {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes ?? {})) if (allowed.has(key)) kept[key] = value;
  return kept;
}

/** The span as it may leave the process. */
function withoutPersonalData(span: ReadableSpan): ReadableSpan {
  const events: TimedEvent[] = span.events.map((event) => ({
    name: event.name,
    time: event.time,
    attributes: pick(event.attributes, event.name === 'exception' ? EXCEPTION_ATTRIBUTES : SPAN_ATTRIBUTES),
  }));
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    // The code says whether it failed; the message is a failure's text.
    status: { code: span.status.code },
    attributes: pick(span.attributes, SPAN_ATTRIBUTES),
    links: span.links.map((link) => ({ context: link.context, attributes: pick(link.attributes, SPAN_ATTRIBUTES) })),
    events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Hands `next` (the exporting processor) each finished span filtered by `withoutPersonalData`. */
export class PrivateSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(withoutPersonalData(span));
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/**
 * The workflow side of tracing: the interceptor module a traced workflow bundle carries (src/tracing/temporal.ts
 * puts it in `interceptors.workflowModules`, scripts/bundle-workflows.ts in the prebuilt traced bundle). It runs in
 * the workflow sandbox, so it is deterministic like workflow code, and it must leave every command exactly as an
 * untraced worker makes it, so that tracing can be switched on or off under running customers. It makes the spans
 * and headers Temporal's interceptors (@temporalio/interceptors-opentelemetry) make, with their tracer, names and
 * `_tracer-data` header, but not with their interceptor methods, for two reasons found by replaying (the replay and
 * tracing-determinism tests):
 *
 * - Their methods await around the call they trace, so a handler's or an activity's result reaches the workflow
 *   several microtasks later than without them, and commands made meanwhile come out in another order: a history
 *   recorded with them, where the main flow cancelled its wait before the kycEvent Update completed, no longer
 *   replays without them. Here each method returns the traced call's own promise and ends its span beside it.
 * - The OpenTelemetry SDK makes span IDs with Math.random, which in a workflow is the run's seeded stream: with their
 *   methods every random value the workflow draws after a span changes (the poll jitter, a branch). Here span IDs
 *   come from a random stream of their own (`getRandomStream`).
 *
 * No span for queries and update validators (they never run on replay, and status reads would add a span each).
 * A signal's or update's trace carries on into the first activity the workflow schedules in the same activation,
 * which is what the message woke: the main flow confirms a KYC session because a webhook's kycEvent Update asked it
 * to, so the confirming activity's span is the Update handler's child and the webhook's trace runs on to the Vobiz
 * call, instead of joining the trace of the workflow's start.
 */
import { context, SpanStatusCode, trace, type Context, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { extractContextFromHeaders, headersWithContext, UPDATE_ID_ATTR_KEY } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import { SPAN_DELIMITER, SpanName } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import { OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor } from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import {
  ContinueAsNew,
  getRandomStream,
  workflowInfo,
  type ActivityInput,
  type ConcludeActivationInput,
  type ConcludeActivationOutput,
  type ContinueAsNewInput,
  type LocalActivityInput,
  type Next,
  type QueryInput,
  type SignalInput,
  type SignalWorkflowInput,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
  type WorkflowRandomStream,
} from '@temporalio/workflow';

/** The name of the span IDs' random stream (derived from the run's seed, apart from the workflow's own). */
const SPAN_ID_STREAM = 'vobiz-lifecycle/trace-ids';

type Inbound = Required<WorkflowInboundCallsInterceptor>;
type Outbound = Required<WorkflowOutboundCallsInterceptor>;

/** The span of the message handled in the current activation, if any: the cause of what the workflow does next. */
class MessageCause {
  private span: SpanContext | undefined;

  note(span: Span): void {
    this.span = span.spanContext();
  }

  take(): SpanContext | undefined {
    const span = this.span;
    this.span = undefined;
    return span;
  }
}

/** Spans made with Temporal's workflow tracer (its sink exports them), their IDs from the span-ID stream. */
class Spans {
  constructor(
    private readonly tracer: Tracer,
    private readonly ids: WorkflowRandomStream,
  ) {}

  start(name: string, parent: Context): Span {
    return this.ids.with(() => this.tracer.startSpan(name, {}, parent));
  }

  /**
   * Runs `call` with `span` active and hands back the call's own promise: the span ends beside it, so whoever awaits
   * the call sees it settle exactly when it would untraced. Only the error's kind reaches the span (span-privacy.ts).
   */
  around<T>(span: Span, call: () => Promise<T>, expected: (err: unknown) => boolean = () => false): Promise<T> {
    const result = context.with(trace.setSpan(context.active(), span), call);
    result.then(
      () => span.end(),
      (err: unknown) => {
        if (!expected(err)) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    );
    return result;
  }
}

const isContinueAsNew = (err: unknown) => err instanceof ContinueAsNew;

/** Workflow runs, signals and updates: each a span, the child of the span that sent it (the call's header). */
class InboundSpans implements WorkflowInboundCallsInterceptor {
  constructor(
    private readonly spans: Spans,
    private readonly cause: MessageCause,
  ) {}

  private parentOf(headers: WorkflowExecuteInput['headers']): Context {
    return extractContextFromHeaders(headers) ?? context.active();
  }

  execute(input: WorkflowExecuteInput, next: Next<Inbound, 'execute'>): Promise<unknown> {
    const span = this.spans.start(`${SpanName.WORKFLOW_EXECUTE}${SPAN_DELIMITER}${workflowInfo().workflowType}`, this.parentOf(input.headers));
    return this.spans.around(span, () => next(input), isContinueAsNew);
  }

  handleSignal(input: SignalInput, next: Next<Inbound, 'handleSignal'>): Promise<void> {
    const span = this.spans.start(`${SpanName.WORKFLOW_HANDLE_SIGNAL}${SPAN_DELIMITER}${input.signalName}`, this.parentOf(input.headers));
    this.cause.note(span);
    return this.spans.around(span, () => next(input));
  }

  handleUpdate(input: UpdateInput, next: Next<Inbound, 'handleUpdate'>): Promise<unknown> {
    const span = this.spans.start(`${SpanName.WORKFLOW_HANDLE_UPDATE}${SPAN_DELIMITER}${input.name}`, this.parentOf(input.headers));
    span.setAttribute(UPDATE_ID_ATTR_KEY, input.updateId);
    this.cause.note(span);
    return this.spans.around(span, () => next(input));
  }

  validateUpdate(input: UpdateInput, next: Next<Inbound, 'validateUpdate'>): void {
    next(input);
  }

  handleQuery(input: QueryInput, next: Next<Inbound, 'handleQuery'>): Promise<unknown> {
    return next(input);
  }
}

/** What the workflow starts elsewhere: each a span whose context travels in the command's header. */
class OutboundSpans implements WorkflowOutboundCallsInterceptor {
  constructor(
    private readonly spans: Spans,
    private readonly cause: MessageCause,
  ) {}

  /** A span for `name`, the header carrying it, and the call made with that header. */
  private traced<I extends { headers: ActivityInput['headers'] }, T>(name: string, input: I, call: (input: I) => Promise<T>, parent = context.active()): Promise<T> {
    const span = this.spans.start(name, parent);
    const headers = context.with(trace.setSpan(parent, span), () => headersWithContext(input.headers));
    return this.spans.around(span, () => call({ ...input, headers }), isContinueAsNew);
  }

  scheduleActivity(input: ActivityInput, next: Next<Outbound, 'scheduleActivity'>): Promise<unknown> {
    const cause = this.cause.take();
    const parent = cause ? trace.setSpanContext(context.active(), cause) : context.active();
    return this.traced(`${SpanName.ACTIVITY_START}${SPAN_DELIMITER}${input.activityType}`, input, next, parent);
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<Outbound, 'scheduleLocalActivity'>): Promise<unknown> {
    return this.traced(`${SpanName.ACTIVITY_START}${SPAN_DELIMITER}${input.activityType}`, input, next);
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<Outbound, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return this.traced(`${SpanName.CHILD_WORKFLOW_START}${SPAN_DELIMITER}${input.workflowType}`, input, next);
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<Outbound, 'signalWorkflow'>): Promise<void> {
    return this.traced(`${SpanName.WORKFLOW_SIGNAL}${SPAN_DELIMITER}${input.signalName}`, input, next);
  }

  continueAsNew(input: ContinueAsNewInput, next: Next<Outbound, 'continueAsNew'>): Promise<never> {
    return this.traced(`${SpanName.CONTINUE_AS_NEW}${SPAN_DELIMITER}${input.options.workflowType}`, input, next);
  }
}

/** A message noted in one activation is not the cause of what a later one does. */
class ForgetMessageCause implements WorkflowInternalsInterceptor {
  constructor(private readonly cause: MessageCause) {}

  concludeActivation(input: ConcludeActivationInput, next: Next<Required<WorkflowInternalsInterceptor>, 'concludeActivation'>): ConcludeActivationOutput {
    this.cause.take();
    return next(input);
  }
}

/** Temporal's workflow tracer: its provider exports through the `exporter` sink (src/tracing/temporal.ts). */
class TemporalWorkflowTracer extends OpenTelemetryInboundInterceptor {
  get workflowTracer(): Tracer {
    return this.tracer;
  }
}

/** Called once per workflow run: its interceptors. */
export const interceptors = (): WorkflowInterceptors => {
  const cause = new MessageCause();
  const spans = new Spans(new TemporalWorkflowTracer().workflowTracer, getRandomStream(SPAN_ID_STREAM));
  return {
    inbound: [new InboundSpans(spans, cause)],
    outbound: [new OutboundSpans(spans, cause)],
    // Temporal's internals interceptor releases its context manager when the run leaves the cache.
    internals: [new OpenTelemetryInternalsInterceptor(), new ForgetMessageCause(cause)],
  };
};

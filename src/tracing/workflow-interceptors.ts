/**
 * The workflow side of tracing: the interceptor module a traced workflow bundle carries (src/tracing/temporal.ts
 * puts it in `interceptors.workflowModules`, scripts/bundle-workflows.ts in the prebuilt traced bundle). It runs in
 * the workflow sandbox, so it is deterministic like workflow code. Temporal's interceptors
 * (@temporalio/interceptors-opentelemetry) make the spans, with three changes:
 *
 * - Span IDs come from a random stream of their own (`getRandomStream`), never the workflow's `Math.random`: the
 *   OpenTelemetry SDK draws IDs from `Math.random`, which in a workflow is the run's seeded stream, so without this
 *   turning tracing on would change the poll jitter a running customer draws, and a replay with tracing switched the
 *   other way could take another branch.
 * - No span for queries and update validators: they never run on replay, so their spans could not be made again
 *   the same way, and status queries (the bridge's and the CLI's reads) would add a span per read.
 * - A signal's or update's trace carries on into the first activity the workflow schedules in the same activation,
 *   which is what the message woke: the workflow's main flow confirms a KYC session because a webhook's kycEvent
 *   Update asked it to, and without this the confirming activity would belong to the trace of the workflow's start,
 *   not the webhook's. The activity's span is the handler span's child, so the webhook's trace runs on to the Vobiz
 *   call.
 *
 * Nothing here changes a command: spans, and the `_tracer-data` header Temporal's interceptors add to activities,
 * child workflows, signals and continue-as-new (headers are not part of the replay comparison; docs/operations.md).
 */
import { context, trace, type SpanContext } from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import {
  getRandomStream,
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
} from '@temporalio/workflow';

/** The name of the span IDs' random stream (derived from the run's seed, apart from the workflow's own). */
const SPAN_ID_STREAM = 'vobiz-lifecycle/trace-ids';

type Inbound = Required<WorkflowInboundCallsInterceptor>;
type Outbound = Required<WorkflowOutboundCallsInterceptor>;

/** Temporal's inbound spans, their IDs from the stream; none for queries and validators. */
class InboundSpans extends OpenTelemetryInboundInterceptor {
  private readonly ids = getRandomStream(SPAN_ID_STREAM);

  override execute(input: WorkflowExecuteInput, next: Next<Inbound, 'execute'>): Promise<unknown> {
    return this.ids.with(() => super.execute(input, next));
  }

  override handleSignal(input: SignalInput, next: Next<Inbound, 'handleSignal'>): Promise<void> {
    return this.ids.with(() => super.handleSignal(input, next));
  }

  override handleUpdate(input: UpdateInput, next: Next<Inbound, 'handleUpdate'>): Promise<unknown> {
    return this.ids.with(() => super.handleUpdate(input, next));
  }

  override validateUpdate(input: UpdateInput, next: Next<Inbound, 'validateUpdate'>): void {
    next(input);
  }

  override handleQuery(input: QueryInput, next: Next<Inbound, 'handleQuery'>): Promise<unknown> {
    return next(input);
  }
}

/** Temporal's outbound spans (and headers), their IDs from the stream. */
class OutboundSpans extends OpenTelemetryOutboundInterceptor {
  private readonly ids = getRandomStream(SPAN_ID_STREAM);

  override scheduleActivity(input: ActivityInput, next: Next<Outbound, 'scheduleActivity'>): Promise<unknown> {
    return this.ids.with(() => super.scheduleActivity(input, next));
  }

  override scheduleLocalActivity(input: LocalActivityInput, next: Next<Outbound, 'scheduleLocalActivity'>): Promise<unknown> {
    return this.ids.with(() => super.scheduleLocalActivity(input, next));
  }

  override startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<Outbound, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return this.ids.with(() => super.startChildWorkflowExecution(input, next));
  }

  override continueAsNew(input: ContinueAsNewInput, next: Next<Outbound, 'continueAsNew'>): Promise<never> {
    return this.ids.with(() => super.continueAsNew(input, next));
  }

  override signalWorkflow(input: SignalWorkflowInput, next: Next<Outbound, 'signalWorkflow'>): Promise<void> {
    return this.ids.with(() => super.signalWorkflow(input, next));
  }
}

/** The span of the message handled in the current activation, if any: the cause of what the workflow does next. */
class MessageCause {
  private span: SpanContext | undefined;

  note(): void {
    this.span = trace.getSpanContext(context.active());
  }

  take(): SpanContext | undefined {
    const span = this.span;
    this.span = undefined;
    return span;
  }
}

/** Runs inside Temporal's handler spans: notes the handler's span. */
class NoteMessageCause implements WorkflowInboundCallsInterceptor {
  constructor(private readonly cause: MessageCause) {}

  handleSignal(input: SignalInput, next: Next<Inbound, 'handleSignal'>): Promise<void> {
    this.cause.note();
    return next(input);
  }

  handleUpdate(input: UpdateInput, next: Next<Inbound, 'handleUpdate'>): Promise<unknown> {
    this.cause.note();
    return next(input);
  }
}

/** Runs before Temporal's activity span: makes the noted handler span its parent. */
class ContinueMessageTrace implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly cause: MessageCause) {}

  scheduleActivity(input: ActivityInput, next: Next<Outbound, 'scheduleActivity'>): Promise<unknown> {
    const cause = this.cause.take();
    return cause ? context.with(trace.setSpanContext(context.active(), cause), () => next(input)) : next(input);
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

/** Called once per workflow run: its interceptors, in chain order (the first is outermost). */
export const interceptors = (): WorkflowInterceptors => {
  const cause = new MessageCause();
  return {
    inbound: [new InboundSpans(), new NoteMessageCause(cause)],
    outbound: [new ContinueMessageTrace(cause), new OutboundSpans()],
    internals: [new OpenTelemetryInternalsInterceptor(), new ForgetMessageCause(cause)],
  };
};

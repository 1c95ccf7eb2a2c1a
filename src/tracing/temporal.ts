/**
 * Tracing through Temporal (@temporalio/interceptors-opentelemetry 1.24.0, OpenTelemetry JS v1): what a traced
 * client and a traced worker add. The client interceptor wraps each start, update, signal and query in a span and
 * puts the trace in the call's headers; the workflow interceptors (workflow-interceptors.ts, in the workflow bundle)
 * continue it and pass it to activities; the activity interceptor continues it around the activity, where the Vobiz
 * client's spans join it. Workflow spans leave the sandbox through the `exporter` sink.
 *
 * Without tracing none of this is installed: no interceptor, no workflow module, no sink.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { Tracing } from './provider.js';

/** The workflow interceptor module (its source under tsx, its compiled file under dist/). */
export const TRACING_WORKFLOW_MODULE = ['ts', 'js']
  .map((ext) => fileURLToPath(new URL(`./workflow-interceptors.${ext}`, import.meta.url)))
  .find((path) => existsSync(path))!;

/** The traced twin of a prebuilt workflow bundle: `npm run build` writes both, `dist/workflow-bundle.traced.js` beside `dist/workflow-bundle.js`. */
export function tracedBundlePath(bundlePath: string): string {
  return bundlePath.replace(/(\.js)?$/, '.traced.js');
}

/** The interceptors of a traced Temporal client (bridge, CLI, the worker's own client). */
export function tracingClientInterceptors(tracing: Tracing): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.temporalTracer })] };
}

/** Spans around every activity, children of the span that scheduled it. */
export function tracingActivityInterceptor(tracing: Tracing): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.temporalTracer }),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  });
}

/**
 * The sink workflow spans leave the sandbox by, into the process's span processor. The SDK's exporter copies
 * whatever it is given as workflow info into every span's attributes; it is given the run's identity only (the
 * info also holds the memo, search attributes and the last failure).
 */
export function tracingSinks(tracing: Pick<Tracing, 'spanProcessor' | 'resource'>): InjectedSinks<OpenTelemetrySinks> {
  const exporter = makeWorkflowExporter(tracing.spanProcessor, tracing.resource);
  return {
    exporter: {
      export: {
        fn: (info: WorkflowInfo, spans) =>
          exporter.export.fn({ temporalWorkflowId: info.workflowId, run_id: info.runId, temporalWorkflowType: info.workflowType } as unknown as WorkflowInfo, spans),
      },
    },
  };
}

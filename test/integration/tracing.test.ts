// Traces through the real pieces: the start API and the sandbox's signed KYC webhook reach a traced bridge, whose
// traced client starts the workflow and sends the kycEvent Update; a traced worker runs the traced bundle and the
// Vobiz client's calls. Spans go to the OpenTelemetry SDK's in-memory exporter through the same privacy filter an
// OTLP export uses. One customer is onboarded, completes KYC by webhook and is offboarded; its spans must form the
// two traces (start → activities, webhook → Vobiz call), linked parent to child, with nothing personal in them. An
// untraced bridge and worker beside it make no span and put no trace header in history.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplayGate } from '../../scripts/replay.js';
import { startBridge, type RunningBridge } from '../../src/bridge/server.js';
import { DEVELOPMENT_BRIDGE_API_TOKEN, loadBridgeConfig } from '../../src/config/bridge.js';
import { createLogger } from '../../src/logging.js';
import { connectClient } from '../../src/temporal/connection.js';
import { startTracing, type Tracing } from '../../src/tracing/provider.js';
import { SPAN_ATTRIBUTES } from '../../src/tracing/span-privacy.js';
import { tracingClientInterceptors } from '../../src/tracing/temporal.js';
import { workflowIdFor, type OnboardingRequest } from '../../src/workflows/input.js';
import type { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { TEST_PARTNER } from '../../sandbox/testing.js';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { inject } from 'vitest';
import { atStage, onboardingRequest, startLifecycleRig, TEST_PASSWORD, waitForState, type LifecycleRig } from '../support/lifecycle.js';

const TRACE_HEADER = '_tracer-data';

/** What the start API accepts (its polls at least a minute apart): KYC and usage polls an hour away. */
const startApiRequest = () =>
  onboardingRequest({ kyc: { pollInterval: '1 hour' }, monitoring: { cdrPollInterval: '1 hour', lowBalanceThreshold: '100' } });

interface Stack {
  rig: LifecycleRig;
  bridge: RunningBridge;
  closeClient(): Promise<void>;
}

/** A bridge (its own client, traced or not) and a worker (traced or not) on a rig of their own. */
async function startStack(tracing: Tracing | undefined): Promise<Stack> {
  const rig = await startLifecycleRig();
  const client = await connectClient(
    { address: inject('temporalAddress'), namespace: rig.server.namespace, taskQueue: rig.taskQueue },
    { keys: [DEVELOPMENT_KEY] },
    tracing ? { interceptors: tracingClientInterceptors(tracing) } : {},
  );
  const base = loadBridgeConfig({ BRIDGE_METRICS: 'false' });
  const bridge = await startBridge({
    config: { ...base, bridge: { ...base.bridge, port: 0, webhookSecrets: [TEST_PARTNER.authToken] }, temporal: { ...base.temporal, taskQueue: rig.taskQueue } },
    client,
    logger: createLogger({ level: 'silent' }),
    ...(tracing ? { tracer: tracing.tracer } : {}),
  });
  await rig.startWorker({ kycWebhookUrl: `${bridge.url}/webhooks/vobiz/kyc`, ...(tracing ? { tracing } : {}) });
  return { rig, bridge, closeClient: () => client.connection.close() };
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  await stack?.bridge.close();
  await stack?.closeClient();
  await stack?.rig.close();
}

/** Starts an onboarding through the stack's start API; its handle. */
async function onboardByApi(stack: Stack, request: OnboardingRequest): Promise<WorkflowHandle<typeof customerLifecycle>> {
  const res = await fetch(`${stack.bridge.url}/onboardings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEVELOPMENT_BRIDGE_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  expect(res.status, await res.text()).toBe(201);
  return stack.rig.client.workflow.getHandle<typeof customerLifecycle>(workflowIdFor(request.customerRef));
}

/** Every header key in a history's events (start, activities, updates, signals). */
async function headerKeys(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((e) =>
    Object.keys(
      e.workflowExecutionStartedEventAttributes?.header?.fields ??
        e.activityTaskScheduledEventAttributes?.header?.fields ??
        e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.header?.fields ??
        {},
    ),
  );
}

describe('traces from the bridge to the Vobiz call', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let traced: Stack;
  let untraced: Stack;
  let request: OnboardingRequest;
  let handle: WorkflowHandle<typeof customerLifecycle>;
  let sessionId: string;
  let spans: ReadableSpan[];

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'vobiz-lifecycle-test' }, { exporter });
    [traced, untraced] = await Promise.all([startStack(tracing), startStack(undefined)]);

    // One customer, start to finish: onboarded by the start API, KYC completed by the sandbox's webhook alone (its
    // poll is an hour away), offboarded by the operator route.
    request = startApiRequest();
    handle = await onboardByApi(traced, request);
    const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'a KYC session' });
    sessionId = kyc.kyc.attempts[0]!.sessionId;
    await traced.rig.sandbox.admin.completeKyc(sessionId, { pan: 'ABCPE1234F' });
    await waitForState(handle, atStage('active'), { timeoutMs: 60_000, what: 'active after the webhook' });
    const offboard = await fetch(`${traced.bridge.url}/onboardings/${request.customerRef}/offboard`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEVELOPMENT_BRIDGE_API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Contract ended' }),
    });
    expect(offboard.status).toBe(200);
    await handle.result();
    await tracing.forceFlush();
    spans = exporter.getFinishedSpans();
  });
  afterAll(async () => {
    await Promise.all([stopStack(traced), stopStack(untraced)]);
    await tracing?.shutdown();
  });

  const named = (name: string) => spans.filter((s) => s.name === name);
  const parent = (span: ReadableSpan) => spans.find((s) => s.spanContext().spanId === span.parentSpanId);
  /** The span's ancestry, the span first, up to the trace's root (a span whose parent was not exported ends it). */
  const ancestry = (span: ReadableSpan): ReadableSpan[] => {
    const chain = [span];
    for (let p = parent(span); p; p = parent(p)) chain.push(p);
    return chain;
  };
  const isRoot = (span: ReadableSpan) => span.parentSpanId === undefined;

  it('one KYC webhook is one trace: bridge request → kycEvent Update → the workflow handling it → the confirming activity → the Vobiz call', () => {
    const webhooks = named('POST /webhooks/vobiz/kyc');
    expect(webhooks).toHaveLength(1);
    const [webhook] = webhooks;
    expect(webhook!.attributes).toMatchObject({ 'http.route': '/webhooks/vobiz/kyc', 'http.request.method': 'POST', 'http.response.status_code': 200 });

    const trace = spans.filter((s) => s.spanContext().traceId === webhook!.spanContext().traceId);
    const vobizCalls = trace.filter((s) => /^GET \/.*kyc-sessions\/\{id\}/.test(s.name));
    expect(vobizCalls).toHaveLength(1);
    const vobizCall = vobizCalls[0]!;
    expect(vobizCall.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
    expect(vobizCall.attributes['url.template']).toMatch(/\{id\}/);

    // Parent by parent, checked explicitly: every link of the chain, in order, ending at the bridge's root span.
    expect(ancestry(vobizCall).map((s) => s.name)).toEqual([
      vobizCall.name,
      'RunActivity:getKycSession',
      'StartActivity:getKycSession',
      'HandleUpdate:kycEvent',
      'StartWorkflowUpdate:kycEvent',
      'POST /webhooks/vobiz/kyc',
    ]);
    expect(isRoot(webhook!)).toBe(true);
    const workflowId = workflowIdFor(request.customerRef);
    const handled = trace.find((s) => s.name === 'HandleUpdate:kycEvent')!.attributes;
    expect(handled.temporalWorkflowId).toBe(workflowId);
    expect(handled.temporalUpdateId).toMatch(/^kyc-event-/); // the event key's hash: the same for every copy of one delivery
    expect(trace.find((s) => s.name === 'RunActivity:getKycSession')!.attributes).toMatchObject({ temporalWorkflowId: workflowId });
  });

  it("a start-API onboarding is one trace that covers the workflow's own activities and their Vobiz calls", async () => {
    const [start] = named('POST /onboardings');
    expect(start).toBeDefined();
    expect(isRoot(start!)).toBe(true);
    const [run] = named('RunWorkflow:customerLifecycle');
    expect(ancestry(run!).map((s) => s.name)).toEqual(['RunWorkflow:customerLifecycle', 'StartWorkflow:customerLifecycle', 'POST /onboardings']);

    // Each activity the history scheduled ran in a span, and those the main flow scheduled by itself (not woken by a
    // message) are children of the run's span, in the start's trace; each of their Vobiz calls is a child of theirs.
    const { events } = await handle.fetchHistory();
    const scheduled = (events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    for (const type of new Set(scheduled)) expect(named(`RunActivity:${type}`).length, type).toBeGreaterThan(0);
    for (const type of ['createCustomerAccount', 'transferOpeningBalance', 'openKycSession', 'createSipTrunk']) {
      const [activity] = named(`RunActivity:${type}`);
      expect(ancestry(activity!).map((s) => s.name), type).toEqual([`RunActivity:${type}`, `StartActivity:${type}`, ...ancestry(run!).map((s) => s.name)]);
      const calls = spans.filter((s) => parent(s) === activity);
      expect(calls.length, `${type}'s Vobiz calls`).toBeGreaterThan(0);
      for (const call of calls) expect(call.name).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \//);
    }
  });

  it('no span carries personal data, a credential, a URL with ids or a body: only the listed attributes, route templates', () => {
    const customer = request.customer;
    const secrets = [customer.name, customer.email, customer.phone, customer.phone.replace('+', ''), customer.company!, customer.password, TEST_PASSWORD, 'ABCPE1234F', TEST_PARTNER.authToken, DEVELOPMENT_BRIDGE_API_TOKEN];
    const exported = spans.map((s) => ({
      name: s.name,
      attributes: s.attributes,
      status: s.status,
      events: s.events,
      links: s.links.map((l) => l.attributes ?? {}),
      resource: s.resource.attributes,
    }));
    const text = JSON.stringify(exported);
    for (const secret of secrets) expect(text, 'a secret or personal datum in a span').not.toContain(secret);
    for (const span of spans) {
      for (const key of Object.keys(span.attributes)) expect(SPAN_ATTRIBUTES.has(key), `${span.name}: ${key}`).toBe(true);
      expect(span.status.message, span.name).toBeUndefined();
      for (const event of span.events) expect(Object.keys(event.attributes ?? {}).filter((k) => k !== 'exception.type')).toEqual([]);
      // IDs only as the workflow ID (customer-<customerRef>, allowed) and Temporal's IDs: never in a name or a route.
      expect(`${span.name} ${String(span.attributes['http.route'] ?? '')} ${String(span.attributes['url.template'] ?? '')}`).not.toMatch(
        new RegExp(`${request.customerRef}|${sessionId}|MA_[A-Z0-9]`),
      );
    }
    expect(spans.length).toBeGreaterThan(20);
  });

  it("passes the replay gate (npm run replay): the traced customer's history replays with tracing and without", async () => {
    const lines: string[] = [];
    const gate = await runReplayGate({
      address: inject('temporalAddress'),
      namespace: traced.rig.server.namespace,
      query: `WorkflowId = "${handle.workflowId}"`,
      limit: 1,
      env: { NODE_ENV: 'test' },
      print: (line) => lines.push(line),
    });
    expect(gate).toEqual({ replayed: 1, failures: [] });
    expect(lines.at(-1)).toBe('1 replayed with tracing and without, 0 failed');
  });

  it('records the trace in history headers when traced, and nothing (no span, no header, no interceptor) when not', async () => {
    expect(await headerKeys(handle)).toContain(TRACE_HEADER);

    const plain = startApiRequest();
    const plainHandle = await onboardByApi(untraced, plain);
    await waitForState(plainHandle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'a KYC session' });
    await plainHandle.terminate('test over');
    expect(await headerKeys(plainHandle)).not.toContain(TRACE_HEADER);
    await tracing.forceFlush();
    const plainId = workflowIdFor(plain.customerRef);
    const late = exporter.getFinishedSpans().slice(spans.length);
    expect(late.filter((s) => s.attributes.temporalWorkflowId === plainId || s.name === 'POST /onboardings').map((s) => s.name)).toEqual([]);

    // Off means not installed (no cost to measure): the untraced workers have the retry counter alone, no workflow
    // interceptor module (their bundle is the plain one) and no span sink; the traced ones the activity spans too
    // and the sink (their bundle carries the module: the trace header above).
    for (const [stack, on] of [[untraced, false], [traced, true]] as const) {
      for (const worker of [stack.rig.workers!.workflowWorker, stack.rig.workers!.vobizWorker]) {
        expect(worker.options.interceptors.activity).toHaveLength(on ? 2 : 1);
        expect(worker.options.interceptors.workflowModules).toEqual([]);
        expect('exporter' in (worker.options.sinks ?? {})).toBe(on);
      }
    }
  });
});

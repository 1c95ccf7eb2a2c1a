// Tracing must not change what a workflow decides. The OpenTelemetry SDK makes span IDs with Math.random, which in a
// workflow is the run's seeded stream: Temporal's own workflow interceptors (1.24.0) would shift every random value
// the workflow draws after a span, so switching tracing on or off under running customers would change their
// branches and break replay. The project's interceptor module draws span IDs from a stream of their own. Checked on a
// workflow that branches on Math.random after every span, queried between its steps.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter.js';
import { startTracing, type Tracing } from '../../src/tracing/provider.js';
import { tracingActivityInterceptor, tracingSinks } from '../../src/tracing/temporal.js';
import { tossesQuery, tossSignal, type CoinActivities, type coinTosses } from '../fixtures/coin-toss-workflows.js';
import { connectDevServer, uniqueTaskQueue, workflowBundle, type DevServer } from '../support/temporal.js';

const WORKFLOWS = fileURLToPath(new URL('../fixtures/coin-toss-workflows.ts', import.meta.url));
const TOSSES = 16;
const activities: CoinActivities = { heads: async () => undefined, tails: async () => undefined };

let server: DevServer;
let tracing: Tracing;
const bundles: Record<'plain' | 'traced' | 'sdkModule', { code: string }> = {} as never;

beforeAll(async () => {
  server = await connectDevServer();
  tracing = startTracing({ serviceName: 'determinism-test' }, { exporter: new InMemorySpanExporter() });
  const sdkModule = createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js');
  [bundles.plain, bundles.traced, bundles.sdkModule] = await Promise.all([
    workflowBundle(WORKFLOWS),
    workflowBundle(WORKFLOWS, { traced: true }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS, failureConverterPath: FAILURE_CONVERTER_PATH, workflowInterceptorModules: [sdkModule], logger: quiet }),
  ]);
});
afterAll(async () => {
  await tracing?.shutdown();
  await server?.close();
});

const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

/** Runs the coin tosses on a worker with `bundle` (traced ones with the activity interceptor and the sink), querying before each toss. */
async function recordRun(bundle: 'plain' | 'traced'): Promise<{ history: History; workflowId: string }> {
  const taskQueue = uniqueTaskQueue('coin-toss');
  const worker = await Worker.create({
    connection: server.nativeConnection,
    namespace: server.namespace,
    taskQueue,
    workflowBundle: bundles[bundle],
    activities,
    ...(bundle === 'traced' ? { interceptors: { activity: [tracingActivityInterceptor(tracing)] }, sinks: tracingSinks(tracing) } : {}),
  });
  const workflowId = `coin-toss-${taskQueue}`;
  return worker.runUntil(async () => {
    const handle = await server.client.workflow.start<typeof coinTosses>('coinTosses', { taskQueue, workflowId, args: [TOSSES] });
    for (let i = 0; i < TOSSES; i++) {
      expect(await handle.query(tossesQuery)).toHaveLength(i);
      await handle.signal(tossSignal);
      for (let wait = 0; (await handle.query(tossesQuery)).length === i; wait++) {
        if (wait > 200) throw new Error(`toss ${i + 1} not taken`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    expect(await handle.result()).toHaveLength(TOSSES);
    return { history: await handle.fetchHistory(), workflowId };
  });
}

function replay(bundle: keyof typeof bundles, run: { history: History; workflowId: string }): Promise<void> {
  return Worker.runReplayHistory(
    { workflowBundle: bundles[bundle], ...(bundle === 'plain' ? {} : { sinks: tracingSinks(tracing) }), replayName: `coin tosses (${bundle})` },
    run.history,
    run.workflowId,
  );
}

describe('tracing and the workflow random stream', () => {
  it('a run without tracing replays with the tracing interceptors: they draw nothing from the workflow random stream', async () => {
    const run = await recordRun('plain');
    await replay('traced', run);
    await replay('plain', run);
    // Why the module wraps Temporal's interceptors: installed as they come, their span IDs shift the tosses.
    await expect(replay('sdkModule', run)).rejects.toThrow(/[Nn]ondetermin/);
  });

  it('a traced run, queried before every toss, replays with tracing and without', async () => {
    const run = await recordRun('traced');
    const headers = (run.history.events ?? []).flatMap((e) => Object.keys(e.activityTaskScheduledEventAttributes?.header?.fields ?? {}));
    expect(headers).toContain('_tracer-data');
    await replay('traced', run);
    await replay('plain', run);
  });
});

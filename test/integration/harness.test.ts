import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessActivities } from '../fixtures/harness-activities.js';
import { activityRoundTrip, multiDayTimer } from '../fixtures/harness-workflows.js';
import { connectDevServer, createTimeSkippingEnv, uniqueTaskQueue, withWorker, type DevServer } from '../support/temporal.js';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/temporal.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

const workflowsPath = fileURLToPath(new URL('../fixtures/harness-workflows.ts', import.meta.url));

describe('dev server', () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await connectDevServer();
  });
  afterAll(() => server?.close());

  it('runs a workflow that calls an activity', async () => {
    const taskQueue = uniqueTaskQueue('harness');
    const result = await withWorker(
      { connection: server.nativeConnection, namespace: server.namespace, taskQueue, workflowsPath, activities: harnessActivities },
      () =>
        server.client.workflow.execute(activityRoundTrip, { taskQueue, workflowId: `harness-${taskQueue}`, args: ['ping'] }),
    );
    expect(result).toBe(`ping ran as describeRun attempt 1 in harness-${taskQueue}`);
  });

  it('has the project search attributes registered', async () => {
    const { customAttributes } = await server.client.connection.operatorService.listSearchAttributes({ namespace: server.namespace });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['VobizStage', 'VobizKycStatus', 'VobizAuthId']));
  });
});

describe('time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  it('drives a 14-day timer in workflow time without waiting for it', async () => {
    const taskQueue = uniqueTaskQueue('timer');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(workflowsPath),
    });
    const wallStart = Date.now();
    const before = await env.currentTimeMs();
    const elapsed = await worker.runUntil(
      env.client.workflow.execute(multiDayTimer, { taskQueue, workflowId: `timer-${taskQueue}`, args: [14] }),
    );
    expect(elapsed).toBeGreaterThanOrEqual(14 * 24 * 3600 * 1000);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(14 * 24 * 3600 * 1000);
    // 14 days passed in workflow time within a test's timeout: the server skipped time.
    expect(Date.now() - wallStart).toBeLessThan(60_000);
  });
});

/**
 * Versioned deploys with Temporal's Worker Deployments (SDK 1.24 `workerDeploymentOptions`, AUTO_UPGRADE as
 * src/worker.ts runs them), on the self-hosted cluster:
 * - build v1 is the deployment's current version; customers park in KYC on it;
 * - build v2 (a `patched()` change) starts polling but gets no task while it is not current — a customer started
 *   now still runs on v1 — and the replay gate passes for it;
 * - v2 is made current: the parked customers move to v2 on their next task (AUTO_UPGRADE) and finish on their old
 *   path (no patch marker); a new customer takes the new path on v2.
 */
import { rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { completeOnboarding, startChildWorker, waitFor, workflowBundleFile, type ChildWorker } from '../support/crash.js';
import { onboardingRequest, waitForState } from '../support/lifecycle.js';
import { uniqueTaskQueue } from '../support/temporal.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { tookPatchedPath, writeVariantBundle } from './support/workflow-variants.js';
import { runReplayGate } from '../../scripts/replay.js';

describe('worker versioning: Worker Deployments with AUTO_UPGRADE and patched()', () => {
  let cluster: TestCluster;
  let sandbox: TestSandbox;
  let v1Bundle: string;
  let v2: { bundlePath: string; dir: string };
  const workers: ChildWorker[] = [];
  const deploymentName = `vobiz-lifecycle-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') }); // the in-process replay gate's worker stays quiet
    [cluster, sandbox, v1Bundle, v2] = await Promise.all([startTestCluster(), startTestSandbox(), workflowBundleFile(), writeVariantBundle('patched')]);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.crash()));
    if (v2) rmSync(v2.dir, { recursive: true, force: true });
    await sandbox?.close();
    await cluster?.close();
  });

  async function startWorker(taskQueue: string, buildId: string, bundlePath: string): Promise<void> {
    workers.push(await startChildWorker({ address: cluster.address, namespace: cluster.namespace, taskQueue, sandboxUrl: sandbox.url, bundlePath, deployment: { deploymentName, buildId } }));
  }

  /** What `temporal worker deployment set-current-version` does; retried until the new build has polled. */
  async function setCurrentVersion(buildId: string): Promise<void> {
    await waitFor(
      async () => {
        await cluster.client.workflowService.setWorkerDeploymentCurrentVersion({ namespace: cluster.namespace, deploymentName, buildId, identity: 'versioning-test' });
        return true;
      },
      { what: `build ${buildId} to become current`, timeoutMs: 60_000, intervalMs: 500 },
    );
  }

  async function runsOn(handle: WorkflowHandle): Promise<{ buildId?: string | null; behavior?: unknown }> {
    const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
    return { buildId: info?.deploymentVersion?.buildId, behavior: info?.behavior };
  }

  async function start(taskQueue: string): Promise<WorkflowHandle> {
    const req = onboardingRequest();
    return cluster.client.workflow.start(customerLifecycle, { taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] });
  }

  const atKyc = (handle: WorkflowHandle) => waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'a customer parked in KYC', timeoutMs: 90_000 });

  it('moves parked customers to the new build only when it is made current, each on its own path', async () => {
    const taskQueue = uniqueTaskQueue('versioning');
    await startWorker(taskQueue, 'v1', v1Bundle);
    await setCurrentVersion('v1');
    const parked = [await start(taskQueue), await start(taskQueue)];
    for (const handle of parked) await atKyc(handle);
    for (const handle of parked) expect(await runsOn(handle)).toMatchObject({ buildId: 'v1' });

    // v2 polls, but v1 stays current: a customer started now still runs on v1.
    await startWorker(taskQueue, 'v2', v2.bundlePath);
    const startedBeforeSwitch = await start(taskQueue);
    await atKyc(startedBeforeSwitch);
    expect(await runsOn(startedBeforeSwitch)).toMatchObject({ buildId: 'v1' });
    parked.push(startedBeforeSwitch);

    // The gate on every running customer's history, for the v2 bundle, before it becomes current.
    const gate = await runReplayGate({ address: cluster.address, namespace: cluster.namespace, query: `TaskQueue = "${taskQueue}"`, limit: 10, bundle: v2.bundlePath, env: { ...process.env, NODE_ENV: 'test', CODEC_KEYS: '' }, print: () => undefined });
    expect(gate).toEqual({ replayed: 6, failures: [] }); // the 3 customers and the 3 account claims they took

    await setCurrentVersion('v2');
    for (const handle of parked) {
      const state = await completeOnboarding(handle, sandbox.admin, { timeoutMs: 120_000 });
      expect(state.stage).toBe('active');
      expect(await runsOn(handle)).toMatchObject({ buildId: 'v2' }); // auto-upgraded on its next task
      expect(await tookPatchedPath(handle)).toBe(false); // but on its version-1 path
    }
    const fresh = await start(taskQueue);
    expect((await completeOnboarding(fresh, sandbox.admin, { timeoutMs: 120_000 })).stage).toBe('active');
    expect(await runsOn(fresh)).toMatchObject({ buildId: 'v2' });
    expect(await tookPatchedPath(fresh)).toBe(true); // the version-2 path
  });
});

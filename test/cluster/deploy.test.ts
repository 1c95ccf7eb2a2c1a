/**
 * Deploying new workflow code to customers who live for years, on the self-hosted cluster:
 * - customers parked in KYC on version 1 (the current code);
 * - the replay gate (`npm run replay`, scripts/replay.ts) downloads their histories from the cluster and passes
 *   for the current code and for version 2, whose change is guarded by `patched()`; it exits non-zero with
 *   "nondeterminism" for the same change unguarded;
 * - version 2 is deployed (the version-1 worker process dies, a version-2 one takes the task queue): the parked
 *   customers finish on their old path, and a new customer takes the new path (its history has the patch marker).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { completeOnboarding, startChildWorker, workflowBundleFile, type ChildWorker } from '../support/crash.js';
import { onboardingRequest, waitForState } from '../support/lifecycle.js';
import { uniqueTaskQueue } from '../support/temporal.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { tookPatchedPath, writeVariantBundle } from './support/workflow-variants.js';

const run = promisify(execFile);

describe('deploying a workflow change to long-lived customers (replay gate + patched())', () => {
  let cluster: TestCluster;
  let sandbox: TestSandbox;
  let v1: string;
  let v2Patched: string;
  let v2Unpatched: string;
  const workers: ChildWorker[] = [];

  const variantDirs: string[] = [];

  beforeAll(async () => {
    let patched: { bundlePath: string; dir: string };
    let unpatched: { bundlePath: string; dir: string };
    [cluster, sandbox, v1, patched, unpatched] = await Promise.all([
      startTestCluster(),
      startTestSandbox(),
      workflowBundleFile(),
      writeVariantBundle('patched'),
      writeVariantBundle('unpatched'),
    ]);
    v2Patched = patched.bundlePath;
    v2Unpatched = unpatched.bundlePath;
    variantDirs.push(patched.dir, unpatched.dir);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.crash()));
    for (const dir of variantDirs) rmSync(dir, { recursive: true, force: true });
    await sandbox?.close();
    await cluster?.close();
  });

  async function startWorker(taskQueue: string, bundlePath: string): Promise<ChildWorker> {
    const worker = await startChildWorker({ address: cluster.address, namespace: cluster.namespace, taskQueue, sandboxUrl: sandbox.url, bundlePath });
    workers.push(worker);
    return worker;
  }

  /** `npm run replay` as CI runs it; resolves with its exit code and output. */
  async function replayGate(taskQueue: string, bundle?: string): Promise<{ code: number; output: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn' };
    for (const name of Object.keys(env)) if (/^(TEMPORAL_(?!CLI)|CODEC_)/.test(name)) delete env[name];
    const args = ['--import', 'tsx', 'scripts/replay.ts', '--address', cluster.address, '--query', `TaskQueue = "${taskQueue}"`, ...(bundle ? ['--bundle', bundle] : [])];
    try {
      const { stdout, stderr } = await run(process.execPath, args, { cwd: PROJECT_ROOT, env });
      return { code: 0, output: stdout + stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  }

  it('gates the deploy, then old customers finish on version 1 paths and new ones take version 2', async () => {
    const taskQueue = uniqueTaskQueue('deploy');
    const v1Worker = await startWorker(taskQueue, v1);
    const parked: { handle: WorkflowHandle; req: ReturnType<typeof onboardingRequest> }[] = [];
    for (let i = 0; i < 2; i++) {
      const req = onboardingRequest();
      const handle = await cluster.client.workflow.start(customerLifecycle, { taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] });
      parked.push({ handle, req });
    }
    for (const { handle } of parked) {
      await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'a customer parked in KYC', timeoutMs: 90_000 });
    }

    // The gate on the parked customers' histories, downloaded from the cluster: the 2 customers and the 2 account
    // claims they took (the claim workflow is in the bundle too, and a change to it must pass the gate as well).
    const current = await replayGate(taskQueue);
    expect(current.code, current.output).toBe(0);
    // From source the gate replays on the code with the tracing interceptors and without (both ship).
    expect(current.output).toContain('4 replayed with tracing and without, 0 failed');
    const patched = await replayGate(taskQueue, v2Patched);
    expect(patched.code, patched.output).toBe(0);
    expect(patched.output).toMatch(/4 replayed( with tracing and without)?, 0 failed/);
    // The unpatched change breaks the 2 customers; their claims still replay.
    const unpatched = await replayGate(taskQueue, v2Unpatched);
    expect(unpatched.code, unpatched.output).toBe(1);
    expect(unpatched.output).toMatch(/4 replayed( with tracing and without)?, 2 failed/);
    expect(unpatched.output).toMatch(/FAIL customer-test-\S+ \(run [0-9a-f-]+\): nondeterminism/);
    // A query that matches nothing does not pass the gate.
    const nothing = await replayGate(uniqueTaskQueue('nobody'), v2Patched);
    expect(nothing.code).toBe(1);
    expect(nothing.output).toContain('no workflow matched the query');

    // Deploy version 2: the version-1 process goes away, a version-2 worker takes the task queue.
    await v1Worker.crash();
    await startWorker(taskQueue, v2Patched);
    for (const { handle } of parked) {
      const state = await completeOnboarding(handle, sandbox.admin, { timeoutMs: 120_000 });
      expect(state.stage).toBe('active');
      expect(await tookPatchedPath(handle)).toBe(false); // finished on the version-1 path
    }
    const req = onboardingRequest();
    const fresh = await cluster.client.workflow.start(customerLifecycle, { taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] });
    const state = await completeOnboarding(fresh, sandbox.admin, { timeoutMs: 120_000 });
    expect(state.stage).toBe('active');
    expect(await tookPatchedPath(fresh)).toBe(true); // took the version-2 path

    // And the gate still passes for version 2 with both kinds of history on the cluster (3 customers, 3 claims).
    const after = await replayGate(taskQueue, v2Patched);
    expect(after.code, after.output).toBe(0);
    expect(after.output).toMatch(/6 replayed( with tracing and without)?, 0 failed/);
  });
});

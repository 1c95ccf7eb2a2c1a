/**
 * A rolling deploy while the fleet is parked, as docs/operations.md runs one (Worker Deployments, AUTO_UPGRADE):
 * the workers run build v1, the deployment's current version; build v2 — the workflow code with a change behind
 * `patched()` (the deploy tests' variant, test/cluster/support/workflow-variants.ts) — starts beside it on as many
 * workers, the replay gate runs v2 against the parked customers' histories, v2 is made current, and the v1 workers
 * are stopped. Then every parked customer is woken (a signal each): on v2's empty caches each one replays its whole
 * history on the new code before it takes the signal, so a nondeterminism would fail its workflow task. Counted:
 * the new workers' failed workflow tasks (Temporal Core's `workflow_task_execution_failed`), the customers still
 * running in KYC afterwards, and which build a sample of them now runs on.
 */
import type { Client } from '@temporalio/client';
import { runReplayGate } from '../../scripts/replay.js';
import { writeVariantBundle } from '../../test/cluster/support/workflow-variants.js';
import { countCustomers, type ParkedCustomer } from './customers.js';
import { metricSum, waitForQuiet, wakeAll } from './memory.js';
import { setCurrentVersion, TASK_QUEUE, type FleetSystem } from './system.js';

export interface DeployFigures {
  deploymentName: string;
  from: string;
  to: string;
  /** Parked customers when v2 was made current. */
  parked: number;
  gate: { replayed: number; failures: number };
  /** Seconds from v2's workers starting to v1's stopped (gate and promotion included). */
  rolloutSeconds: number;
  /** Seconds to wake every parked customer on v2 (each replaying its history). */
  wakeSeconds: number;
  /** v2's failed workflow tasks while they woke: all causes, and nondeterminism. */
  failedWorkflowTasks: number;
  nondeterminism: number;
  /** Still running in KYC after the wake (every one of `parked` carried on). */
  parkedAfter: number;
  /** Of a sample of woken customers, how many run on v2 now. */
  sampled: number;
  sampledOnNewBuild: number;
}

/**
 * `keep` is told the folder of v2's bundle: the new workers run on it until the bench ends, so the caller removes it
 * then.
 */
export async function rollingDeploy(
  system: FleetSystem,
  client: Client,
  parkedPrefix: string,
  parked: readonly ParkedCustomer[],
  concurrency: number,
  log: (line: string) => void,
  keep: (dir: string) => void,
): Promise<DeployFigures> {
  const deployment = system.deployment;
  if (!deployment) throw new Error('a rolling deploy needs the workers to run as a Worker Deployment (--deploy)');
  const to = 'v2';
  const variant = await writeVariantBundle('patched');
  keep(variant.dir);
  const began = performance.now();
  const old = [...system.workers];
  const added = await system.addWorkers(old.length, { WORKER_BUILD_ID: to, WORKER_WORKFLOW_BUNDLE: variant.bundlePath });
  const gate = await runReplayGate({
    address: system.temporalAddress,
    namespace: system.namespace,
    query: `WorkflowType = "customerLifecycle" AND ExecutionStatus = "Running" AND TaskQueue = "${TASK_QUEUE}"`,
    limit: 200,
    bundle: variant.bundlePath,
    env: { ...process.env, NODE_ENV: 'development', CODEC_KEYS: '', CODEC_KEYS_FILE: '' },
    print: () => undefined,
  });
  log(`replay gate for ${to}: ${gate.replayed} replayed, ${gate.failures.length} failed`);
  if (gate.failures.length > 0) throw new Error(`the replay gate refused build ${to}: ${gate.failures[0]!.message}`);
  const parkedNow = await countCustomers(client, parkedPrefix, 'kyc');
  await setCurrentVersion(system.temporalAddress, deployment.deploymentName, to);
  await system.retireWorkers(old);
  const rolloutSeconds = (performance.now() - began) / 1000;
  log(`build ${to} current with ${parkedNow} parked; build ${deployment.buildId}'s workers stopped (${rolloutSeconds.toFixed(0)} s)`);

  const wakeBegan = performance.now();
  await wakeAll(client, parked, concurrency, 'deploy');
  await waitForQuiet(system.workerMetricsUrls, 600_000);
  const wakeSeconds = (performance.now() - wakeBegan) / 1000;
  const failures = await Promise.all(added.map((w) => metricSum(`http://${w.spec.env.WORKER_METRICS_ADDRESS}/metrics`, 'temporal_workflow_task_execution_failed')));
  const nondeterminism = await Promise.all(
    added.map((w) => metricSum(`http://${w.spec.env.WORKER_METRICS_ADDRESS}/metrics`, 'temporal_workflow_task_execution_failed', 'NonDeterminism')),
  );
  const sample = parked.filter((_, i) => i % Math.max(1, Math.floor(parked.length / 20)) === 0).slice(0, 20);
  const builds = await Promise.all(sample.map(async (c) => (await client.workflow.getHandle(c.workflowId).describe()).raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId));
  deployment.buildId = to;
  return {
    deploymentName: deployment.deploymentName,
    from: 'v1',
    to,
    parked: parkedNow,
    gate: { replayed: gate.replayed, failures: gate.failures.length },
    rolloutSeconds,
    wakeSeconds,
    failedWorkflowTasks: failures.reduce((a, b) => a + b, 0),
    nondeterminism: nondeterminism.reduce((a, b) => a + b, 0),
    parkedAfter: await countCustomers(client, parkedPrefix, 'kyc'),
    sampled: sample.length,
    sampledOnNewBuild: builds.filter((b) => b === to).length,
  };
}

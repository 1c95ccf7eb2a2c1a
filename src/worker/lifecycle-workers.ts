/**
 * The lifecycle workers, assembled here and nowhere else. Every runner builds them with this function: the
 * production worker (src/worker.ts, which `npm start`, the chaos runner and the fleet bench start as a process),
 * the crash-test worker, the history recorder and the integration tests' rig. Two workers share one connection:
 *
 *  - the customers' task queue: the lifecycle, account-claim, KYC sweep and worker-checks workflows, and every
 *    activity (an activity scheduled on this queue before the Vobiz queue existed still runs);
 *  - `<queue>-vobiz` (src/workflows/task-queues.ts): every Vobiz call, inside the partner's rate budget.
 *
 * Both register the same activities (the lifecycle's, the KYC sweep's, the start-up checks' and the bridge's Vobiz reads), count activity retries, encrypt
 * payloads with the codec keys and, given a deployment version, take tasks only as that version (AUTO_UPGRADE).
 * Given tracing, both also trace (src/tracing/temporal.ts): activity spans, the workflow interceptor module, the
 * workflow span sink; without it none of that is installed.
 */
import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { Runtime, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivitySettings } from '../activities/index.js';
import { kycSweepActivities } from '../activities/kyc-sweep.js';
import { readActivities } from '../activities/reads.js';
import { workerCheckActivities } from '../activities/worker-checks.js';
import { createDataConverter } from '../codec/data-converter.js';
import type { CodecKey } from '../codec/keys.js';
import { countActivityRetries } from '../metrics/worker-metrics.js';
import type { Tracing } from '../tracing/provider.js';
import { TRACING_WORKFLOW_MODULE, tracingActivityInterceptor, tracingSinks } from '../tracing/temporal.js';
import type { UnsealingKey } from '../secrets/keys.js';
import type { WorkerMemory } from '../config/worker-memory.js';
import { AccountClaims, type AccountClaimKey } from '../temporal/account-claims.js';
import type { VobizClient } from '../vobiz/index.js';
import { vobizTaskQueue } from '../workflows/task-queues.js';

/** The SDK's own default, for a runner that sets no activity concurrency. */
const SDK_MAX_CONCURRENT_ACTIVITIES = 100;

export interface LifecycleWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  /** The customers' task queue; the Vobiz calls run on `<taskQueue>-vobiz`. */
  taskQueue: string;
  /** The workflow code: a prebuilt bundle, or the source entry (bundled when the workers are created). */
  workflows: Required<Pick<WorkerOptions, 'workflowBundle'>> | Required<Pick<WorkerOptions, 'workflowsPath'>>;
  /** A client of the namespace: account creation claims e-mails with it, the KYC sweep lists and signals customers. */
  client: Client;
  vobiz: VobizClient;
  activitySettings: ActivitySettings;
  /** The secrets private keys that open sealed passwords (SECRETS_KEYS). */
  unsealingKeys: readonly UnsealingKey[];
  /** The key of account claims' IDs (ACCOUNT_CLAIM_KEY). */
  accountClaimKey: AccountClaimKey;
  /** The codec keys payloads are encrypted with (CODEC_KEYS). */
  codec: { keys: readonly CodecKey[] };
  /** The partner's budget (VOBIZ_MAX_REQUESTS_PER_SECOND): Vobiz activities started per second across every worker; unset, unlimited. */
  maxRequestsPerSecond?: number;
  /** Worker tuning (WORKER_MAX_*); the SDK's defaults where unset. */
  maxCachedWorkflows?: number;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  /** How long running activities may finish once shutdown starts before they are cancelled. */
  shutdownGraceTimeMs: number;
  /** A worker process's budget and cache: its checks compare its heap limit with them (unset: not checked). */
  memory?: WorkerMemory;
  /** Worker versioning: this process is build `buildId` of Worker Deployment `deploymentName`. */
  deployment?: { deploymentName: string; buildId: string };
  /** How soon a workflow task waiting on this worker's sticky queue goes back to the shared queue (the SDK's default: 10 s). */
  stickyQueueScheduleToStartTimeoutMs?: number;
  /** Where activity retries are counted (default: the Runtime's meter, a no-op one without a metrics endpoint). */
  meter?: MetricMeter;
  /**
   * Traces (OTEL_* settings): unset, nothing traces. A prebuilt `workflows.workflowBundle` must then be the traced
   * one (`tracedBundlePath`), since a bundle's workflow interceptors are fixed when it is built.
   */
  tracing?: Tracing;
}

export interface LifecycleWorkers {
  /** The customers' task queue: workflows and every activity. */
  workflowWorker: Worker;
  /** `<taskQueue>-vobiz`: the Vobiz calls, within the rate budget. */
  vobizWorker: Worker;
  /** Runs both until they are shut down; if one fails, the other is shut down (and awaited) before the error is passed on. */
  run(): Promise<void>;
  /** Starts a graceful shutdown of both (running activities get the grace time). */
  shutdown(): void;
}

export async function createLifecycleWorkers(options: LifecycleWorkersOptions): Promise<LifecycleWorkers> {
  const { connection, namespace, taskQueue, client, vobiz } = options;
  const activities = {
    ...createActivities({
      vobiz,
      settings: options.activitySettings,
      unsealingKeys: options.unsealingKeys,
      accountClaims: new AccountClaims({ client, taskQueue, key: options.accountClaimKey }),
    }),
    ...kycSweepActivities({ vobiz, client }),
    ...readActivities({ vobiz }),
    ...workerCheckActivities({
      client,
      namespace,
      taskQueue,
      vobiz,
      unsealingKeys: options.unsealingKeys,
      ...(options.activitySettings.kycWebhookUrl ? { kycWebhookUrl: options.activitySettings.kycWebhookUrl } : {}),
      production: options.activitySettings.onboarding?.production ?? false,
      ...(options.memory ? { memory: options.memory } : {}),
    }),
  };
  const maxConcurrentActivities = options.maxConcurrentActivityTaskExecutions ?? SDK_MAX_CONCURRENT_ACTIVITIES;
  const shared = {
    connection,
    namespace,
    activities,
    dataConverter: createDataConverter(options.codec),
    shutdownGraceTime: options.shutdownGraceTimeMs,
    interceptors: {
      activity: [
        ...(options.tracing ? [tracingActivityInterceptor(options.tracing)] : []),
        countActivityRetries(options.meter ?? Runtime.instance().metricMeter),
      ],
      // Bundled at start from source: with the tracing module (a prebuilt bundle has its interceptors built in).
      ...(options.tracing && 'workflowsPath' in options.workflows ? { workflowModules: [TRACING_WORKFLOW_MODULE] } : {}),
    },
    ...(options.tracing ? { sinks: tracingSinks(options.tracing) } : {}),
    // Versioned deploys: a new build takes tasks only once it is made the deployment's current version, and
    // customers' workflows (which live for years) move to it on their next task: AUTO_UPGRADE, never pinned;
    // changes are made replay-safe with patched() and the replay gate (docs/operations.md). Both workers are the
    // same build, so a version's activities run on that version's code.
    ...(options.deployment
      ? { workerDeploymentOptions: { useWorkerVersioning: true as const, version: options.deployment, defaultVersioningBehavior: 'AUTO_UPGRADE' as const } }
      : {}),
  };
  const workflowWorker = await Worker.create({
    ...shared,
    taskQueue,
    ...options.workflows,
    maxConcurrentActivityTaskExecutions: maxConcurrentActivities,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.maxConcurrentWorkflowTaskExecutions !== undefined ? { maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions } : {}),
    ...(options.stickyQueueScheduleToStartTimeoutMs !== undefined ? { stickyQueueScheduleToStartTimeout: options.stickyQueueScheduleToStartTimeoutMs } : {}),
  });
  const vobizWorker = await Worker.create({
    ...shared,
    taskQueue: vobizTaskQueue(taskQueue),
    ...vobizQueueLimits(options.maxRequestsPerSecond, maxConcurrentActivities),
  });
  const workers = [workflowWorker, vobizWorker];
  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    workflowWorker,
    vobizWorker,
    shutdown,
    async run() {
      const runs = workers.map((w) => w.run());
      try {
        await Promise.all(runs);
      } catch (err) {
        shutdown();
        await Promise.allSettled(runs);
        throw err;
      }
    },
  };
}

/**
 * The Vobiz queue's limits from the rate budget: activity starts per second across the fleet (Temporal enforces
 * it for the whole task queue), and this worker's concurrency capped at twice the budget. An activity can make
 * several requests, so without the cap started activities would queue inside this process for the client's own
 * budget while their startToCloseTimeout runs; with it the backlog waits in Temporal's queue, which has no timeout.
 */
function vobizQueueLimits(
  maxRequestsPerSecond: number | undefined,
  maxConcurrentActivities: number,
): Pick<WorkerOptions, 'maxTaskQueueActivitiesPerSecond' | 'maxConcurrentActivityTaskExecutions'> {
  if (!maxRequestsPerSecond) return { maxConcurrentActivityTaskExecutions: maxConcurrentActivities };
  return {
    maxTaskQueueActivitiesPerSecond: maxRequestsPerSecond,
    maxConcurrentActivityTaskExecutions: Math.max(1, Math.min(maxConcurrentActivities, Math.ceil(2 * maxRequestsPerSecond))),
  };
}

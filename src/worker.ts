/**
 * The worker: runs the customer-lifecycle workflows and their Vobiz activities.
 *
 *   npm run worker                    development: workflows bundled from source at start
 *   NODE_ENV=production node dist/worker.js   production: the prebuilt bundle from `npm run build`
 *
 * SIGINT/SIGTERM start a graceful shutdown: no new tasks are taken and running activities get
 * WORKER_SHUTDOWN_GRACE_TIME to finish before they are cancelled (a cancelled activity aborts its HTTP call, and
 * every activity is safe to run again).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { makeTelemetryFilterString, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities/index.js';
import { kycSweepActivities } from './activities/kyc-sweep.js';
import { loadOrExit } from './config/problems.js';
import { loadWorkerConfig, type WorkerProcessConfig } from './config/worker.js';
import { createLogger, TemporalPinoLogger, temporalLogLevel, type Logger } from './logging.js';
import { countActivityRetries, HISTOGRAM_BUCKETS, vobizMetricsObserver } from './metrics/worker-metrics.js';
import { connectClient, connectWorker, createDataConverter } from './temporal/connection.js';
import { AccountClaims } from './temporal/account-claims.js';
import { ensureKycSweepSchedule } from './temporal/kyc-sweep-schedule.js';
import { vobizQueueLimits } from './temporal/vobiz-queue.js';
import { vobizTaskQueue } from './workflows/task-queues.js';
import { VobizClient } from './vobiz/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Production runs the prebuilt bundle (no webpack at start-up, identical code on every replica). */
function workflowSource(config: WorkerProcessConfig, logger: Logger): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (config.env === 'production') {
    const codePath = resolve(config.worker.workflowBundlePath);
    if (!existsSync(codePath)) {
      throw new Error(`Workflow bundle ${codePath} not found: run \`npm run build\` (or set WORKER_WORKFLOW_BUNDLE)`);
    }
    logger.info({ codePath }, 'Running workflows from the prebuilt bundle');
    return { workflowBundle: { codePath } };
  }
  const sourceEntry = [join(here, 'workflows', 'index.ts'), join(here, 'workflows', 'index.js')].find(existsSync);
  return { workflowsPath: sourceEntry! };
}

export async function runWorker(config: WorkerProcessConfig): Promise<void> {
  // Its loader has refused a worker without the keys to open sealed passwords or the account-claim key (production)
  // before it got here.
  const { unsealingKeys } = config.secrets;
  const accountClaimKey = config.accountClaims.key;
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  Runtime.install({
    logger: new TemporalPinoLogger(logger),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: temporalLogLevel(config.logLevel === 'silent' ? 'error' : config.logLevel) }) },
      ...(config.worker.metricsAddress
        ? { metrics: { prometheus: { bindAddress: config.worker.metricsAddress, histogramBucketOverrides: HISTOGRAM_BUCKETS } } }
        : {}),
    },
  });

  // Business metrics beside the SDK's (src/metrics/worker-metrics.ts); without WORKER_METRICS_ADDRESS the runtime's
  // meter is a no-op one.
  const meter = Runtime.instance().metricMeter;
  const vobiz = VobizClient.fromConfig(config.vobiz, { observer: vobizMetricsObserver(meter) });
  const connection = await connectWorker(config.temporal);
  // The KYC sweep lists customers through visibility and signals them, and account creation claims e-mails: both
  // need a client as well.
  const client = await connectClient(config.temporal, config.codec);
  try {
    const activities = {
      ...createActivities({
        vobiz,
        settings: { kycWebhookUrl: config.kycWebhookUrl, alertTimeoutMs: 5_000, onboarding: config.onboarding },
        unsealingKeys,
        accountClaims: new AccountClaims({ client, taskQueue: config.temporal.taskQueue, key: accountClaimKey }),
      }),
      ...kycSweepActivities({ vobiz, client }),
    };
    // Versioned deploys: a new build takes tasks only once it is made the deployment's current version, and
    // customers' workflows (which live for years) move to it on their next task: AUTO_UPGRADE, never pinned;
    // changes are made replay-safe with patched() and the replay gate (docs/operations.md).
    const deploymentOptions = config.worker.deployment
      ? { workerDeploymentOptions: { useWorkerVersioning: true as const, version: config.worker.deployment, defaultVersioningBehavior: 'AUTO_UPGRADE' as const } }
      : {};
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      ...workflowSource(config, logger),
      // Every activity, also here: activities scheduled on this queue before the Vobiz queue existed still run.
      activities,
      dataConverter: createDataConverter(config.codec),
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTaskExecutions,
      shutdownGraceTime: config.worker.shutdownGraceTimeMs,
      interceptors: { activity: [countActivityRetries(meter)] },
      ...deploymentOptions,
    });
    // Every Vobiz call, on its own queue: Temporal starts at most the partner's budget of these per second across
    // all workers, and the client caps this process's requests per second as well (an activity may make several).
    const vobizWorker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: vobizTaskQueue(config.temporal.taskQueue),
      activities,
      dataConverter: createDataConverter(config.codec),
      ...vobizQueueLimits(config.vobiz.maxRequestsPerSecond, config.worker.maxConcurrentActivityTaskExecutions),
      shutdownGraceTime: config.worker.shutdownGraceTimeMs,
      interceptors: { activity: [countActivityRetries(meter)] },
      // The same build of the same deployment: a version's activities run on that version's code.
      ...deploymentOptions,
    });
    logger.info(
      {
        address: config.temporal.address,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        vobizTaskQueue: vobizTaskQueue(config.temporal.taskQueue),
        vobizMaxRequestsPerSecond: config.vobiz.maxRequestsPerSecond,
        vobiz: config.vobiz.baseUrl,
      },
      'Worker started',
    );
    await scheduleKycSweep(client, config, logger);
    await runTogether(worker, vobizWorker); // resolves after SIGINT/SIGTERM once in-flight work is done (Runtime's shutdown signals)
    logger.info('Worker stopped');
  } finally {
    await client.connection.close();
    await connection.close();
    await vobiz.close();
  }
}

/** Runs both workers; if one fails, the other is shut down (and awaited) before the error is passed on. */
async function runTogether(...workers: Worker[]): Promise<void> {
  const runs = workers.map((w) => w.run());
  try {
    await Promise.all(runs);
  } catch (err) {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(runs);
    throw err;
  }
}

/** The sweep's schedule, created or brought up to date; without it customers still poll, so a failure only warns. */
async function scheduleKycSweep(client: Client, config: WorkerProcessConfig, logger: Logger): Promise<void> {
  try {
    const { scheduleId, outcome } = await ensureKycSweepSchedule(client, {
      taskQueue: config.temporal.taskQueue,
      intervalMs: config.worker.kycSweepIntervalMs,
      fullPagingEveryMs: config.worker.kycSweepFullPagingEveryMs,
    });
    logger.info(
      { scheduleId, outcome, intervalMs: config.worker.kycSweepIntervalMs, fullPagingEveryMs: config.worker.kycSweepFullPagingEveryMs },
      'KYC sweep schedule ready',
    );
  } catch (err) {
    logger.error({ error: err instanceof Error ? err.message : String(err) }, 'Could not create the KYC sweep schedule: lost webhooks wait for each customer\'s own poll');
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runWorker(loadOrExit(loadWorkerConfig)).catch((err: unknown) => {
    process.stderr.write(`Worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

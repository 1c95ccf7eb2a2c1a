/**
 * The worker: runs the customer-lifecycle workflows and their Vobiz activities (src/worker/lifecycle-workers.ts),
 * and keeps the KYC sweep's schedule.
 *
 *   npm run worker                    development: workflows bundled from source at start
 *   NODE_ENV=production node dist/worker.js   production: the prebuilt bundle from `npm run build`
 *
 * Outside production, WORKER_WORKFLOW_BUNDLE names a prebuilt bundle to run instead of bundling at start: the chaos
 * runner and the fleet bench build one so that a restarted worker polls within seconds.
 *
 * At start, once its schedule is in place, it runs its start-up checks (src/checks/worker.ts) and says what fails:
 * an error line each, and `vobiz_startup_check{check,result}` on its metrics. It keeps running whatever they say
 * (a customer that cannot move stalls visibly, as it would anyway); `npm run cli -- doctor` runs them again.
 *
 * With tracing configured (OTEL_*), workflows, activities and Vobiz calls are traced and exported; a prebuilt bundle
 * is then its traced twin (`npm run build` writes both: dist/workflow-bundle.traced.js).
 *
 * SIGINT/SIGTERM start a graceful shutdown: no new tasks are taken and running activities get
 * WORKER_SHUTDOWN_GRACE_TIME to finish before they are cancelled (a cancelled activity aborts its HTTP call, and
 * every activity is safe to run again).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { loadSettingsOrExit } from './config/dotenv.js';
import { loadWorkerConfig, WORKER_PROCESS, type WorkerProcessConfig } from './config/worker.js';
import { withRequestShare } from './config/vobiz.js';
import { createLogger, TemporalPinoLogger, temporalLogLevel, type Logger } from './logging.js';
import { HISTOGRAM_BUCKETS, vobizMetricsObserver } from './metrics/worker-metrics.js';
import { connectClient, connectWorker } from './temporal/connection.js';
import { ensureKycSweepSchedule } from './temporal/kyc-sweep-schedule.js';
import { runChecks } from './checks/run.js';
import { workerChecks } from './checks/worker.js';
import { reportStartupChecks } from './worker/startup-checks.js';
import { startTracing } from './tracing/provider.js';
import { tracedBundlePath, tracingClientInterceptors } from './tracing/temporal.js';
import { createLifecycleWorkers, type LifecycleWorkersOptions } from './worker/lifecycle-workers.js';
import { bundleLifecycleWorkflows } from './worker/workflow-bundle.js';
import { vobizTaskQueue } from './workflows/task-queues.js';
import { VobizClient } from './vobiz/index.js';

/**
 * A prebuilt bundle when one is configured (production always: no webpack at start-up, identical code on every
 * replica), with tracing its traced twin, since a bundle's workflow interceptors are fixed when it is built;
 * otherwise the source, bundled now (with the tracing module when tracing is on).
 */
async function workflowSource(config: WorkerProcessConfig, logger: Logger): Promise<LifecycleWorkersOptions['workflows']> {
  const configured = config.worker.workflowBundlePath;
  if (configured) {
    const bundlePath = config.tracing ? tracedBundlePath(configured) : configured;
    const codePath = resolve(bundlePath);
    if (!existsSync(codePath)) {
      const which = config.tracing ? `the traced twin of WORKER_WORKFLOW_BUNDLE (tracing is on: OTEL_*)` : 'WORKER_WORKFLOW_BUNDLE';
      throw new Error(`Workflow bundle ${codePath} not found (${which}): run \`npm run build\`, which writes both`);
    }
    logger.info({ codePath }, 'Running workflows from the prebuilt bundle');
    return { workflowBundle: { codePath } };
  }
  return { workflowBundle: { code: await bundleLifecycleWorkflows(logger, { tracing: Boolean(config.tracing) }) } };
}

export async function runWorker(config: WorkerProcessConfig): Promise<void> {
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

  const tracing = config.tracing ? startTracing(config.tracing) : undefined;
  // Business metrics beside the SDK's (src/metrics/worker-metrics.ts); without WORKER_METRICS_ADDRESS the runtime's
  // meter is a no-op one.
  // The partner's budget is shared by every worker process (WORKER_REPLICAS): this one paces its share.
  const vobiz = VobizClient.fromConfig(withRequestShare(config.vobiz, config.worker.replicas), {
    observer: vobizMetricsObserver(Runtime.instance().metricMeter),
    ...(tracing ? { tracer: tracing.tracer } : {}),
  });
  const connection = await connectWorker(config.temporal);
  // The KYC sweep lists customers through visibility and signals them, and account creation claims e-mails: both
  // need a client as well (traced: a claim or a sweep's signal joins the trace of the activity that sends it).
  const client = await connectClient(config.temporal, config.codec, tracing ? { interceptors: tracingClientInterceptors(tracing) } : {});
  const memory = { budgetMb: config.worker.memoryBudgetMb, cachedWorkflows: config.worker.maxCachedWorkflows };
  let startupChecks: Promise<void> | undefined;
  try {
    const workers = await createLifecycleWorkers({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflows: await workflowSource(config, logger),
      client,
      vobiz,
      activitySettings: { kycWebhookUrl: config.kycWebhookUrl, alertTimeoutMs: 5_000, onboarding: config.onboarding },
      // Its loader has refused a production worker without the keys to open sealed passwords or the account-claim
      // key before it got here.
      unsealingKeys: config.secrets.unsealingKeys,
      accountClaimKey: config.accountClaims.key,
      codec: config.codec,
      maxRequestsPerSecond: config.vobiz.maxRequestsPerSecond,
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTaskExecutions,
      shutdownGraceTimeMs: config.worker.shutdownGraceTimeMs,
      memory,
      ...(config.worker.deployment ? { deployment: config.worker.deployment } : {}),
      ...(tracing ? { tracing } : {}),
    });
    logger.info(
      {
        address: config.temporal.address,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        vobizTaskQueue: vobizTaskQueue(config.temporal.taskQueue),
        vobizMaxRequestsPerSecond: config.vobiz.maxRequestsPerSecond,
        vobizRequestsPerSecondHere: withRequestShare(config.vobiz, config.worker.replicas).maxRequestsPerSecond,
        // Which setting sized the cache: WORKER_MAX_CACHED_WORKFLOWS overrides the memory budget when set.
        maxCachedWorkflows: config.worker.maxCachedWorkflows,
        cacheSizeFrom: config.worker.cacheSizeFrom,
        memoryBudgetMb: config.worker.memoryBudgetMb,
        vobiz: config.vobiz.baseUrl,
        tracing: config.tracing !== undefined,
      },
      'Worker started',
    );
    await scheduleKycSweep(client, config, logger);
    const checks = workerChecks({
      client,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      vobiz,
      unsealingKeys: config.secrets.unsealingKeys,
      kycWebhookUrl: config.kycWebhookUrl,
      production: config.env === 'production',
      memory,
    });
    // Beside the workers, not before them: a slow Vobiz never delays polling. Awaited before the connections close.
    startupChecks = runChecks(checks).then((results) => reportStartupChecks(results, logger, Runtime.instance().metricMeter));
    await workers.run(); // resolves after SIGINT/SIGTERM once in-flight work is done (Runtime's shutdown signals)
    logger.info('Worker stopped');
  } finally {
    await startupChecks;
    await client.connection.close();
    await connection.close();
    await vobiz.close();
    await tracing?.shutdown(); // exports the spans still buffered
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
  runWorker(loadSettingsOrExit(WORKER_PROCESS, loadWorkerConfig)).catch((err: unknown) => {
    process.stderr.write(`Worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

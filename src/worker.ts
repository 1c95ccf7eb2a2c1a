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
import { makeTelemetryFilterString, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities/index.js';
import { ConfigError, loadConfigOrExit, requireUnsealingKeys, type AppConfig } from './config.js';
import { createLogger, TemporalPinoLogger, temporalLogLevel, type Logger } from './logging.js';
import { connectWorker, createDataConverter } from './temporal/connection.js';
import { VobizClient } from './vobiz/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Production runs the prebuilt bundle (no webpack at start-up, identical code on every replica). */
function workflowSource(config: AppConfig, logger: Logger): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
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

export async function runWorker(config: AppConfig): Promise<void> {
  // Before anything connects: a worker that cannot open sealed passwords would fail every account creation.
  const unsealingKeys = requireUnsealingKeys(config);
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  Runtime.install({
    logger: new TemporalPinoLogger(logger),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: temporalLogLevel(config.logLevel === 'silent' ? 'error' : config.logLevel) }) },
      ...(config.worker.metricsAddress ? { metrics: { prometheus: { bindAddress: config.worker.metricsAddress } } } : {}),
    },
  });

  const vobiz = VobizClient.fromConfig(config.vobiz);
  const connection = await connectWorker(config.temporal);
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      ...workflowSource(config, logger),
      activities: createActivities({
        vobiz,
        settings: { kycWebhookUrl: config.bridge.kycWebhookUrl, alertTimeoutMs: 10_000 },
        unsealingKeys,
      }),
      dataConverter: createDataConverter(config.codec),
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTaskExecutions,
      shutdownGraceTime: config.worker.shutdownGraceTimeMs,
      // Versioned deploys: a new build takes tasks only once it is made the deployment's current version, and
      // customers' workflows (which live for years) move to it on their next task: AUTO_UPGRADE, never pinned;
      // changes are made replay-safe with patched() and the replay gate (docs/operations.md).
      ...(config.worker.deployment
        ? { workerDeploymentOptions: { useWorkerVersioning: true, version: config.worker.deployment, defaultVersioningBehavior: 'AUTO_UPGRADE' as const } }
        : {}),
    });
    logger.info(
      { address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, vobiz: config.vobiz.baseUrl },
      'Worker started',
    );
    await worker.run(); // resolves after SIGINT/SIGTERM once in-flight work is done (Runtime's shutdown signals)
    logger.info('Worker stopped');
  } finally {
    await connection.close();
    await vobiz.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runWorker(loadConfigOrExit()).catch((err: unknown) => {
    process.stderr.write(`Worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof ConfigError ? 78 : 1); // 78: EX_CONFIG, as for any other bad environment
  });
}

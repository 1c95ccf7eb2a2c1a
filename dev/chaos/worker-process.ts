/**
 * A lifecycle worker for the chaos runner: the same activities, data converter and settings as src/worker.ts,
 * but it always runs the prebuilt workflow bundle at WORKER_WORKFLOW_BUNDLE (the runner bundles once), so a worker
 * that was SIGKILLed is replaced in seconds instead of re-bundling from source. Started by dev/chaos/system.ts.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import { loadOrExit } from '../../src/config/problems.js';
import { loadWorkerConfig } from '../../src/config/worker.js';
import { createLogger, TemporalPinoLogger, temporalLogLevel } from '../../src/logging.js';
import { createDataConverter } from '../../src/codec/data-converter.js';
import { AccountClaims } from '../../src/temporal/account-claims.js';
import { connectClient, connectWorker } from '../../src/temporal/connection.js';
import { vobizQueueLimits } from '../../src/temporal/vobiz-queue.js';
import { VobizClient } from '../../src/vobiz/index.js';
import { vobizTaskQueue } from '../../src/workflows/task-queues.js';

const config = loadOrExit(loadWorkerConfig);
const logger = createLogger({ level: config.logLevel, name: 'chaos-worker' });
const codePath = resolve(config.worker.workflowBundlePath);
if (!existsSync(codePath)) {
  process.stderr.write(`chaos worker: workflow bundle ${codePath} not found (WORKER_WORKFLOW_BUNDLE)\n`);
  process.exit(1);
}
Runtime.install({
  logger: new TemporalPinoLogger(logger),
  telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: temporalLogLevel(config.logLevel === 'silent' ? 'error' : config.logLevel) }) } },
});
const { unsealingKeys } = config.secrets;
const vobiz = VobizClient.fromConfig(config.vobiz);
const connection = await connectWorker(config.temporal);
const client = await connectClient(config.temporal, config.codec);
const accountClaims = new AccountClaims({ client, taskQueue: config.temporal.taskQueue, key: config.accountClaims.key });
const activities = createActivities({
  vobiz,
  unsealingKeys,
  accountClaims,
  settings: { kycWebhookUrl: config.kycWebhookUrl, alertTimeoutMs: 5_000, onboarding: config.onboarding },
});
const worker = await Worker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  workflowBundle: { codePath },
  activities,
  dataConverter: createDataConverter(config.codec),
  maxCachedWorkflows: config.worker.maxCachedWorkflows,
  maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivityTaskExecutions,
  maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTaskExecutions,
  shutdownGraceTime: config.worker.shutdownGraceTimeMs,
});
// Every Vobiz call runs on its own queue (the rate budget), as in src/worker.ts: without this poller they never run.
const vobizWorker = await Worker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: vobizTaskQueue(config.temporal.taskQueue),
  activities,
  dataConverter: createDataConverter(config.codec),
  ...vobizQueueLimits(config.vobiz.maxRequestsPerSecond, config.worker.maxConcurrentActivityTaskExecutions),
  shutdownGraceTime: config.worker.shutdownGraceTimeMs,
});
logger.info({ taskQueue: config.temporal.taskQueue, vobizTaskQueue: vobizTaskQueue(config.temporal.taskQueue) }, 'chaos worker polling');
await Promise.all([worker.run(), vobizWorker.run()]);
await client.connection.close();
await connection.close();
await vobiz.close();

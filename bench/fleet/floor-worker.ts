/**
 * The floor workflow's worker (bench/fleet/floor-workflow.ts): its own process and its own bundle (WORKER_WORKFLOW_BUNDLE,
 * built by the bench), on FLOOR_TASK_QUEUE, with the default data converter (no codec) and the same cache and
 * concurrency settings as the lifecycle worker (the WORKER_* variables of src/config/worker.ts).
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadSettingsOrExit } from '../../src/config/dotenv.js';
import { loadWorkerConfig, WORKER_PROCESS } from '../../src/config/worker.js';
import { floorActivities } from './floor-activities.js';

const config = loadSettingsOrExit(WORKER_PROCESS, loadWorkerConfig);
const taskQueue = process.env.FLOOR_TASK_QUEUE;
const codePath = config.worker.workflowBundlePath;
if (!taskQueue || !codePath) {
  process.stderr.write('floor worker: FLOOR_TASK_QUEUE and WORKER_WORKFLOW_BUNDLE must be set\n');
  process.exit(1);
}
const connection = await NativeConnection.connect({ address: config.temporal.address });
const worker = await Worker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue,
  workflowBundle: { codePath },
  activities: floorActivities,
  maxCachedWorkflows: config.worker.maxCachedWorkflows,
  maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivityTaskExecutions,
  maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTaskExecutions,
  shutdownGraceTime: '2s',
});
await worker.run();
await connection.close();

/**
 * The real worker (`src/worker.ts`) as its own process, for tests that scrape what it exports (its Prometheus
 * endpoint): started with only the environment given, ready once Temporal sees it poll the task queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { loadWorkerNodeFlags } from '../../src/config/worker.js';
import { WORKER_PROCESS_ENV } from '../../src/config/worker-memory.js';
import { waitFor } from './crash.js';

export interface WorkerProcess {
  child: ChildProcess;
  /** What the worker wrote to stderr, for the failure message of a worker that exits early. */
  output: string[];
  stop(): Promise<void>;
}

export async function startWorkerProcess(options: {
  env: Record<string, string | undefined>;
  client: Client;
  namespace: string;
  taskQueue: string;
  timeoutMs: number;
}): Promise<WorkerProcess> {
  // With the Node options its memory budget derives, as every launcher of the project starts a worker.
  const child = spawn(process.execPath, [...loadWorkerNodeFlags(options.env), '--import', 'tsx', join(PROJECT_ROOT, 'src', 'worker.ts')], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...WORKER_PROCESS_ENV, ...options.env },
  });
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`worker exited early:\n${output.join('')}`);
      const { pollers } = await options.client.workflowService.describeTaskQueue({ namespace: options.namespace, taskQueue: { name: options.taskQueue } });
      return pollers.length > 0;
    },
    { what: 'the worker to poll', timeoutMs: options.timeoutMs, intervalMs: 500 },
  );
  return { child, output, stop };
}

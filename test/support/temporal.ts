/**
 * Test helpers for a real Temporal server: a client and worker connection to the run's shared dev server, a
 * workflow bundle cache, a worker scope, and time-skipping environments for timer-heavy tests.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter.js';
import { TRACING_WORKFLOW_MODULE } from '../../src/tracing/temporal.js';
import { temporalTestServerPath } from '../../dev/temporal-binaries.js';

export interface DevServer {
  client: Client;
  nativeConnection: NativeConnection;
  namespace: string;
  close(): Promise<void>;
}

/** Connects to the dev server that global setup started for this run. */
export async function connectDevServer(): Promise<DevServer> {
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection, namespace }),
    nativeConnection,
    namespace,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

const bundles = new Map<string, Promise<{ code: string }>>();

/**
 * Bundles a workflows module once per test file; bundling costs seconds, so files share it across tests. `traced`:
 * with the tracing interceptor module, as `npm run build` makes the traced twin.
 */
export function workflowBundle(workflowsPath: string, { traced = false }: { traced?: boolean } = {}): Promise<{ code: string }> {
  const key = `${workflowsPath}${traced ? ' (traced)' : ''}`;
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      workflowInterceptorModules: traced ? [TRACING_WORKFLOW_MODULE] : [],
      logger: quietBundlerLogger,
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

const noop = () => undefined;
const quietBundlerLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Runs `fn` while a worker polls; the worker is shut down (and awaited) however `fn` ends. */
export async function withWorker<T>(
  options: Omit<WorkerOptions, 'workflowsPath' | 'workflowBundle'> & { workflowsPath: string },
  fn: (worker: Worker) => Promise<T>,
): Promise<T> {
  const { workflowsPath, ...rest } = options;
  const worker = await Worker.create({ ...rest, workflowBundle: await workflowBundle(workflowsPath) });
  return worker.runUntil(() => fn(worker));
}

/** A time-skipping test server for this file; the caller tears it down. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = temporalTestServerPath();
  try {
    return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  } catch (err) {
    throw new Error(
      `Could not start the Temporal time-skipping test server (${path}): ${(err as Error).message}\n` +
        'Run `npm run setup` to (re)install it, or set TEMPORAL_TEST_SERVER to a working binary.',
    );
  }
}

/** The message an update was rejected or failed with (the innermost cause: the validator's or handler's error). */
export async function updateRejection(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (err) {
    let e = err as Error & { cause?: unknown };
    while (e.cause instanceof Error) e = e.cause;
    return e.message;
  }
  throw new Error('expected the update to be rejected, but it succeeded');
}

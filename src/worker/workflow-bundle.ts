/**
 * The lifecycle's workflow code bundled from source, as a worker that bundles at start runs it: the workflows'
 * entry beside this module (src/workflows/index.ts, or index.js under dist/) with the failure converter the data
 * converter names, as `npm run build` bundles it (scripts/bundle-workflows.ts).
 *
 * webpack's own report (every module by path, one multi-line record) buried the start-up lines that matter: it goes
 * to debug, and the bundle gets one info line with its size and how long bundling took.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter.js';
import type { Logger } from '../logging.js';
import { TRACING_WORKFLOW_MODULE } from '../tracing/temporal.js';

const workflowsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'workflows');

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'debug', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, string>;

/** The bundler's logger: its info lines (webpack's report, "bundle created") at debug, warnings and errors as they are. */
function bundlerLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[PINO_LEVEL[level]](meta ?? {}, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * Bundles the workflow code, with the tracing interceptor module when `tracing` (a bundle's workflow interceptors
 * are fixed when it is built); logs one line at info (size, time), webpack's report at debug.
 */
export async function bundleLifecycleWorkflows(logger: Logger, { tracing = false }: { tracing?: boolean } = {}): Promise<string> {
  const started = performance.now();
  const workflowsPath = [join(workflowsDir, 'index.ts'), join(workflowsDir, 'index.js')].find(existsSync);
  if (!workflowsPath) throw new Error(`no workflow source in ${workflowsDir}: set WORKER_WORKFLOW_BUNDLE to a prebuilt bundle`);
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    workflowInterceptorModules: tracing ? [TRACING_WORKFLOW_MODULE] : [],
    logger: bundlerLogger(logger),
  });
  const bytes = Buffer.byteLength(code);
  const ms = Math.round(performance.now() - started);
  logger.info({ bytes, ms }, `Workflow code bundled (${(bytes / 1e6).toFixed(2)} MB in ${(ms / 1000).toFixed(1)} s)`);
  return code;
}

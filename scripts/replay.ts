/**
 * The replay gate: `npm run replay -- --address host:7233 [--namespace ns] [--query '…'] [--limit 200]
 * [--bundle dist/workflow-bundle.js]`. Downloads the histories of recent customer workflows from a cluster and
 * replays each against the workflow code about to be deployed (the source in src/workflows, or a prebuilt bundle),
 * twice: as a worker without tracing runs it and as one with tracing (OTEL_*) runs it, with the tracing interceptor
 * module (from source; beside a prebuilt bundle, its traced twin when `npm run build` wrote one), since a deploy may
 * switch tracing either way under running customers; exits 1 when any of them does not replay — a change that would break running customers (guard it with
 * `patched()`) — or when the query matched nothing (a gate that checked nothing must not pass), and 0 otherwise.
 *
 * Connection settings besides --address/--namespace come from the environment like every other entry point
 * (TEMPORAL_TLS_*, TEMPORAL_API_KEY; CODEC_KEYS to decrypt payloads — the replayer needs the workers' keys).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Command, InvalidArgumentError } from 'commander';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../src/codec/data-converter.js';
import { applyDotEnvOrExit } from '../src/config/dotenv.js';
import { loadTemporalClientConfig, TEMPORAL_CLIENT_PROCESS } from '../src/config/temporal-client.js';
import { connectClient } from '../src/temporal/connection.js';
import { startTracing } from '../src/tracing/provider.js';
import { TRACING_WORKFLOW_MODULE, tracedBundlePath, tracingSinks } from '../src/tracing/temporal.js';

/** The long-lived workflows a deploy can break: customers and their account claims (sweeps are short runs). */
export const DEFAULT_QUERY = 'WorkflowType = "customerLifecycle" OR WorkflowType = "accountClaim"';
const WORKFLOWS_PATH = fileURLToPath(new URL('../src/workflows/index.ts', import.meta.url));

export interface ReplayGateOptions {
  address?: string;
  namespace?: string;
  query: string;
  limit: number;
  /** A prebuilt bundle (dist/workflow-bundle.js); default: bundle src/workflows now. */
  bundle?: string;
  env?: NodeJS.ProcessEnv;
  print?: (line: string) => void;
}

export interface ReplayGateResult {
  /** Histories replayed (each on every variant of the code). */
  replayed: number;
  failures: { workflowId: string; runId: string; kind: 'nondeterminism' | 'error'; message: string; tracing: boolean }[];
}

export async function runReplayGate(options: ReplayGateOptions): Promise<ReplayGateResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const env = options.env ?? process.env;
  const config = loadTemporalClientConfig({
    ...env,
    ...(options.address ? { TEMPORAL_ADDRESS: options.address } : {}),
    ...(options.namespace ? { TEMPORAL_NAMESPACE: options.namespace } : {}),
  });
  const client = await connectClient(config.temporal, config.codec);
  try {
    const variants = await codeVariants(options.bundle, print);
    print(`replaying up to ${options.limit} workflows matching ${options.query} from ${config.temporal.address} (namespace ${config.temporal.namespace}) against ${options.bundle ?? 'src/workflows'}`);

    const histories: { workflowId: string; history: History }[] = [];
    for await (const wf of client.workflow.list({ query: options.query })) {
      if (histories.length >= options.limit) break;
      histories.push({ workflowId: wf.workflowId, history: await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory() });
    }

    const result: ReplayGateResult = { replayed: histories.length, failures: [] };
    for (const { tracing, source } of variants) {
      const replayOptions: ReplayWorkerOptions = {
        ...source,
        dataConverter: createDataConverter(config.codec),
        replayName: tracing ? 'replay-gate (traced)' : 'replay-gate',
        // The sink traced workflows export spans by; a replay never calls it.
        ...(tracing ? { sinks: tracingSinks(startTracing({ serviceName: 'replay-gate' }, { exporter: new InMemorySpanExporter() })) } : {}),
      };
      for await (const replay of Worker.runReplayHistories(replayOptions, histories)) {
        if (!replay.error) continue;
        // By name too: the worker and this script may load separate copies of @temporalio/workflow.
        const kind = replay.error instanceof DeterminismViolationError || replay.error.name === 'DeterminismViolationError' ? 'nondeterminism' : 'error';
        result.failures.push({ workflowId: replay.workflowId, runId: replay.runId, kind, message: replay.error.message, tracing });
        print(`  FAIL ${replay.workflowId} (run ${replay.runId}${tracing ? ', traced' : ''}): ${kind}: ${replay.error.message.split('\n')[0]}`);
      }
    }
    print(`${result.replayed} replayed${variants.length > 1 ? ' with tracing and without' : ''}, ${result.failures.length} failed`);
    return result;
  } finally {
    await client.connection.close();
  }
}

/** The code to replay on: without and with tracing (a prebuilt bundle's traced twin only when it exists). */
async function codeVariants(bundle: string | undefined, print: (line: string) => void): Promise<{ tracing: boolean; source: Pick<ReplayWorkerOptions, 'workflowBundle'> }[]> {
  if (!bundle) {
    const fromSource = (traced: boolean) =>
      bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        failureConverterPath: FAILURE_CONVERTER_PATH,
        workflowInterceptorModules: traced ? [TRACING_WORKFLOW_MODULE] : [],
        logger: quietLogger,
      });
    const [plain, traced] = await Promise.all([fromSource(false), fromSource(true)]);
    return [
      { tracing: false, source: { workflowBundle: plain } },
      { tracing: true, source: { workflowBundle: traced } },
    ];
  }
  const twin = resolve(tracedBundlePath(bundle));
  if (!existsSync(twin)) print(`no traced twin beside ${bundle} (${twin}): replaying on it alone, as a worker without tracing runs it`);
  return [
    { tracing: false, source: { workflowBundle: { codePath: resolve(bundle) } } },
    ...(existsSync(twin) ? [{ tracing: true, source: { workflowBundle: { codePath: twin } } }] : []),
  ];
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('--limit must be a whole number >= 1');
  return n;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const program = new Command('replay')
    .description('Replay recent workflow histories from a cluster against the current workflow code; exit 1 on nondeterminism')
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS)')
    .option('--namespace <namespace>', 'namespace (default: TEMPORAL_NAMESPACE)')
    .option('--query <visibility query>', 'which workflows to replay', DEFAULT_QUERY)
    .option('--limit <n>', 'at most this many (newest first)', positive, 200)
    .option('--bundle <path>', 'a prebuilt workflow bundle (npm run build: dist/workflow-bundle.js) instead of src/workflows')
    .parse();
  applyDotEnvOrExit(TEMPORAL_CLIENT_PROCESS);
  const opts = program.opts<{ address?: string; namespace?: string; query: string; limit: number; bundle?: string }>();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runReplayGate(opts).then(
    (result) => {
      if (result.replayed === 0) process.stderr.write('replay gate: no workflow matched the query; nothing was checked\n');
      process.exit(result.replayed > 0 && result.failures.length === 0 ? 0 : 1);
    },
    (err: unknown) => {
      process.stderr.write(`replay gate failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}

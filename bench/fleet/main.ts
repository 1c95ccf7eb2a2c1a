/**
 * `npm run bench:fleet -- --customers N` (`--help` lists the options): issue 11's fleet benchmark. Not a test.
 *
 * On a local stack of its own (bench/fleet/system.ts) it parks N customers in KYC through the start API, then, one
 * after the other so that no phase loads another's figures:
 *   1. resident memory of every piece with N parked (the worker at its default cache);
 *   2. Vobiz calls over an idle window (bench/fleet/vobiz-calls.ts);
 *   3. webhook → signal through the bridge against direct signals (signals.ts);
 *   4. onboarding to `active` against the same-shape floor workflow, side by side (onboarding.ts);
 *   5. worker memory against cache size, restarting the worker for each (memory.ts);
 *   6. the KYC sweep recovering lost webhooks (sweep.ts), last because it moves customers out of KYC.
 * Prints a table against the targets and writes every figure as JSON (--out, default bench/results/).
 * Everything it started is stopped on success, failure or Ctrl-C. docs/performance.md records a run.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { applyDotEnvOrExit } from '../../src/config/dotenv.js';
import { loadTemporalClientConfig } from '../../src/config/temporal-client.js';
import { LOCAL_PROCESS } from '../../dev/config.js';
import { killAllPiecesNow } from '../../dev/pieces.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { SandboxAdminClient } from '../../sandbox/admin-client.js';
import { connectClient } from '../../src/temporal/connection.js';
import { countCustomers, listParked, onboardingRequest, startOnboardings } from './customers.js';
import { cachedWorkflows, measureCacheSizes, settledRss, waitForQuiet } from './memory.js';
import { compareOnboarding } from './onboarding.js';
import { parseFleetBenchOptions } from './options.js';
import { renderFleetTable, roundedJson, type FleetFigures } from './report.js';
import { compareSignalPaths } from './signals.js';
import { rssMb, waitUntil } from './stats.js';
import { recoverLostWebhooks } from './sweep.js';
import { durationSeconds, startFleetSystem, TASK_QUEUE, type FleetSystem } from './system.js';
import { dailyCallsAtDefaults, measureIdleCalls, sweepCosts } from './vobiz-calls.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  applyDotEnvOrExit(LOCAL_PROCESS);
  const options = parseFleetBenchOptions(process.argv.slice(2));
  const runId = randomBytes(3).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'vobiz-bench-'));
  const began = Date.now();
  const log = (line: string) => out(`[${`${Math.round((Date.now() - began) / 1000)}s`.padStart(5)}] ${line}`);
  const running: { system?: FleetSystem } = {};
  process.once('exit', killAllPiecesNow);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      killAllPiecesNow();
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping everything the bench started (again to force)\n`);
    void (running.system?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)), loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))), node: process.version };
  log(`fleet bench ${runId}: ${options.customers} customers; ${machine.cpus} cores, load ${machine.loadAverageAtStart.join(' ')}; data in ${dataDir}`);
  const system = await startFleetSystem(options, dataDir, log);
  running.system = system;
  const client = await connectClient({ ...loadTemporalClientConfig({}).temporal, address: system.temporalAddress, namespace: system.namespace, taskQueue: TASK_QUEUE }, { keys: [DEVELOPMENT_KEY] });
  const plain = new Client({ connection: await Connection.connect({ address: system.temporalAddress }), namespace: system.namespace });
  const admin = new SandboxAdminClient(system.sandboxUrl);
  const timeoutMs = Math.max(600, options.customers) * 1000;

  const before = { workerMb: await settledRss(system.worker.pid, 0), serverMb: rssMb(system.devServerPid) };

  // Park N.
  const parkedPrefix = `bench-${runId}-p`;
  const parkStart = performance.now();
  await startOnboardings(system.bridgeUrl, Array.from({ length: options.customers }, (_, i) => onboardingRequest(`${parkedPrefix}${i}`, i)), options.concurrency);
  log(`${options.customers} onboardings started; waiting for all to park in KYC`);
  const parkedAll = await waitUntil(async () => (await countCustomers(client, parkedPrefix, 'kyc', undefined, true)) >= options.customers, timeoutMs, 1_000);
  if (!parkedAll) throw new Error(`only ${await countCustomers(client, parkedPrefix, 'kyc', undefined, true)} of ${options.customers} customers parked in KYC within ${timeoutMs / 1000} s`);
  const parkSeconds = (performance.now() - parkStart) / 1000;
  log(`${options.customers} parked in ${parkSeconds.toFixed(0)} s`);
  const parked = await listParked(client, parkedPrefix);
  // Before each phase: the worker has finished the last one's work (a signal is accepted before it is run).
  const quiet = async () => {
    if (!(await waitForQuiet(system.workerMetricsUrl))) log('the worker was still busy after 180 s; measuring anyway');
  };
  await quiet();

  const figures: FleetFigures = {
    parked: { customers: options.customers, seconds: parkSeconds, perMinute: (options.customers / parkSeconds) * 60 },
    memory: {
      beforeParking: before,
      withParked: {
        cacheSize: Number(system.worker.spec.env.WORKER_MAX_CACHED_WORKFLOWS),
        workerMb: await settledRss(system.worker.pid, 10_000),
        cached: await cachedWorkflows(system.workerMetricsUrl).catch(() => Number.NaN),
        serverMb: rssMb(system.devServerPid),
        bridgeMb: rssMb(system.bridge.pid),
        sandboxMb: rssMb(system.sandbox.pid),
        floorWorkerMb: rssMb(system.floorWorker.pid),
      },
    },
    bundles: { lifecycleBytes: statSync(join(dataDir, 'workflow-bundle.js')).size, floorBytes: statSync(join(dataDir, 'floor-bundle.js')).size },
  };
  log(`RSS with ${options.customers} parked: worker ${figures.memory.withParked.workerMb.toFixed(0)} MB, server ${figures.memory.withParked.serverMb.toFixed(0)} MB`);

  await quiet();
  log(`counting Vobiz calls over ${options.idleWindow} s with nothing but ${options.customers} parked customers`);
  figures.idle = await measureIdleCalls(admin, client, options.customers, options.idleWindow, TASK_QUEUE);
  log(`idle: ${figures.idle.total} calls (sweep pages ${figures.idle.sweepPages}, other ${figures.idle.other})`);

  await quiet();
  log(`webhook → signal: ${options.signals} through the bridge, ${options.signals} direct`);
  figures.signals = await compareSignalPaths({ client, bridgeUrl: system.bridgeUrl, parked, signals: options.signals, concurrency: options.concurrency });
  log(`signals: bridge ${figures.signals.bridge.perSecond.toFixed(0)}/s, direct ${figures.signals.direct.perSecond.toFixed(0)}/s`);

  await quiet();
  log(`onboarding: ${options.rounds} rounds of ${options.onboardings} customers beside ${options.onboardings} floor workflows`);
  figures.onboarding = await compareOnboarding({ client, plain, admin, bridgeUrl: system.bridgeUrl, concurrency: options.concurrency, timeoutMs, quiet }, runId, options.onboardings, options.rounds, log);

  await quiet();
  log(`worker memory against cache size: ${options.cacheSizes.join(', ')}`);
  figures.memory.cache = await measureCacheSizes(system, client, parked, options.cacheSizes, options.concurrency, log);

  if (options.lostWebhooks > 0) {
    await quiet();
    log(`KYC sweep: ${options.lostWebhooks} lost webhooks, sweep every ${options.sweepInterval}`);
    figures.sweep = await recoverLostWebhooks({ system, client, admin, concurrency: options.concurrency }, parkedPrefix, parked, options.lostWebhooks, durationSeconds(options.sweepInterval), log);
    const readsPerConfirmation = figures.sweep.recovered > 0 ? figures.sweep.calls.sessionReads / figures.sweep.recovered : 1;
    const costs = sweepCosts([...figures.idle.sweepRuns, ...figures.sweep.sweepRuns], figures.idle.fullPaging);
    figures.pagingCheck = costs.pagingCheck;
    figures.dailyCalls = dailyCallsAtDefaults(options.customers, costs, readsPerConfirmation);
    figures.dailyCallsAt10k = dailyCallsAtDefaults(10_000, costs, readsPerConfirmation);
  }

  const wallSeconds = Math.round((Date.now() - began) / 1000);
  out('');
  out(renderFleetTable(figures));
  const outFile = resolve(options.out ?? join(PROJECT_ROOT, 'bench', 'results', `fleet-${new Date().toISOString().slice(0, 16).replace(/:/g, '')}.json`));
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${roundedJson({ command: `npm run bench:fleet -- ${process.argv.slice(2).join(' ')}`.trim(), date: new Date().toISOString(), commit: gitCommit(), machine, options, wallSeconds, figures })}\n`);
  out(`\nwall time ${wallSeconds} s; figures written to ${outFile}`);

  await client.connection.close().catch(() => undefined);
  await plain.connection.close().catch(() => undefined);
  await system.stop();
  if (options.keepData) out(`data and logs kept in ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
  return 0;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fleet bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllPiecesNow();
    process.exit(1);
  },
);

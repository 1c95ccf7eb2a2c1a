/**
 * `npm run bench:fleet -- --customers N` (`--help` lists the options): the fleet benchmark of issues 11 and 23. Not
 * a test.
 *
 * On a stack of its own (bench/fleet/system.ts: the dev server, or with --cluster the self-hosted server on
 * PostgreSQL; W workers, B bridges) it parks N customers in KYC through the start API, then, one after the other so
 * that no phase loads another's figures:
 *   1. memory, CPU and disk of every process per parked customer (footprint.ts), the workers at their defaults;
 *   2. Vobiz calls and CPU over an idle window, and a sweep paging every open session (vobiz-calls.ts);
 *   3. webhook → signal through the bridges against direct signals (signals.ts);
 *   4. onboarding to `active` against the same-shape floor workflow, each side alone in alternating rounds, with
 *      every process's CPU per onboarding (onboarding.ts), and a CPU profile of the workers over one more round
 *      (cpu-profile.ts);
 *   5. bursts of onboardings at each rate budget: their time, their Vobiz calls, and whether the budget held at the
 *      sandbox across every worker (burst.ts);
 *   6. every parked customer woken once: each worker's memory with its cache full (memory.ts);
 *   7. worker memory against cache size, restarting one worker for each (memory.ts);
 *   8. a rolling deploy of a new Worker Deployment build while the fleet is parked (deploy.ts);
 *   9. webhook → `active` latency on parked customers (webhook-latency.ts);
 *  10. the KYC sweep recovering lost webhooks (sweep.ts), last because it moves customers out of KYC.
 * Prints a table against the targets and writes every figure as JSON (--out, default bench/results/).
 * Everything it started is stopped on success, failure or Ctrl-C. docs/performance.md records the runs.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { applyDotEnvOrExit } from '../../src/config/dotenv.js';
import { loadTemporalClientConfig } from '../../src/config/temporal-client.js';
import { loadWorkerConfig, loadWorkerNodeFlags } from '../../src/config/worker.js';
import { LOCAL_PROCESS } from '../../dev/config.js';
import { killAllPiecesNow } from '../../dev/pieces.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { SandboxAdminClient } from '../../sandbox/admin-client.js';
import { connectClient } from '../../src/temporal/connection.js';
import { durationMs } from '../../src/workflows/duration.js';
import { measureBursts } from './burst.js';
import { summarizeProfiles } from './cpu-profile.js';
import { countCustomers, listParked, onboardingRequest, startOnboardings } from './customers.js';
import { rollingDeploy } from './deploy.js';
import { footprint, perParked } from './footprint.js';
import { cachedWorkflows, measureCacheSizes, metricSum, settledRss, waitForQuiet, wakeEveryone } from './memory.js';
import { compareOnboarding, oneRound, type OnboardingContext } from './onboarding.js';
import { parseFleetBenchOptions, profileWarmUp } from './options.js';
import { cpuSnapshot, cpuSpent, treePssMb } from './process-usage.js';
import { renderFleetTable, roundedJson, type FleetFigures } from './report.js';
import { compareSignalPaths } from './signals.js';
import { rssMb, waitUntil } from './stats.js';
import { recoverLostWebhooks } from './sweep.js';
import { startFleetSystem, TASK_QUEUE, type FleetSystem } from './system.js';
import { dailyCallsAtDefaults, measureIdleCalls, sweepCosts } from './vobiz-calls.js';
import { measureWebhookToActive } from './webhook-latency.js';

const DAY_S = 86_400;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  applyDotEnvOrExit(LOCAL_PROCESS);
  const options = parseFleetBenchOptions(process.argv.slice(2));
  const runId = randomBytes(3).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'vobiz-bench-'));
  const began = Date.now();
  const log = (line: string) => out(`[${`${Math.round((Date.now() - began) / 1000)}s`.padStart(5)}] ${line}`);
  const running: { system?: FleetSystem } = {};
  const leftovers: string[] = [];
  const removeLeftovers = () => {
    for (const dir of leftovers) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => {
    killAllPiecesNow();
    removeLeftovers();
  });
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
  // The replay gate of a rolling deploy replays histories in this process: its Runtime logs warnings only.
  if (options.deploy) Runtime.install({ logger: new DefaultLogger('WARN') });

  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)), loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))), node: process.version };
  log(`fleet bench ${runId}: ${options.customers} customers; ${machine.cpus} cores, load ${machine.loadAverageAtStart.join(' ')}; data in ${dataDir}`);
  const system = await startFleetSystem(options, runId, dataDir, log);
  running.system = system;
  const client = await connectClient({ ...loadTemporalClientConfig({}).temporal, address: system.temporalAddress, namespace: system.namespace, taskQueue: TASK_QUEUE }, { keys: [DEVELOPMENT_KEY] });
  const plain = new Client({ connection: await Connection.connect({ address: system.temporalAddress }), namespace: system.namespace });
  const admin = new SandboxAdminClient(system.sandboxUrl);
  const timeoutMs = Math.max(600, options.customers) * 1000;
  const workerConfig = loadWorkerConfig(system.workerEnv(0)).worker;
  // Before each phase: the workers have finished the last one's work (a signal is accepted before it is run).
  const quiet = async () => {
    if (!(await waitForQuiet(system.workerMetricsUrls))) log('the workers were still busy after 180 s; measuring anyway');
  };
  const onboardingContext: OnboardingContext = { client, plain, admin, bridgeUrl: system.bridgeUrl, concurrency: options.concurrency, timeoutMs, meters: system.meters, quiet };

  const before = await footprint(system, dataDir);
  const beforeParking = { workerMb: await Promise.all(system.workers.map((w, i) => settledRss(w.pid, i === 0 ? 5_000 : 0))), serverMb: rssMb(system.temporalPid()) };

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
  await quiet();
  const after = await footprint(system, dataDir);

  const figures: FleetFigures = {
    system: {
      temporal: system.kind,
      workers: options.workers,
      bridges: options.bridges,
      memoryBudgetMb: workerConfig.memoryBudgetMb,
      cacheSize: workerConfig.maxCachedWorkflows,
      cacheFrom: workerConfig.cacheSizeFrom === 'WORKER_MEMORY_BUDGET' ? 'memory budget' : 'WORKER_MAX_CACHED_WORKFLOWS',
      // As dev/stack.ts starts each worker: the heap flags its budget derives, then the run's own (which win).
      workerNodeOptions: [...loadWorkerNodeFlags(system.workerEnv(0)), ...options.workerNodeOptions],
    },
    parked: { customers: options.customers, seconds: parkSeconds, perMinute: (options.customers / parkSeconds) * 60 },
    memory: {
      beforeParking,
      withParked: {
        cached: await Promise.all(system.workerMetricsUrls.map((url) => cachedWorkflows(url).catch(() => Number.NaN))),
        workerMb: await Promise.all(system.workers.map((w, i) => settledRss(w.pid, i === 0 ? 10_000 : 0))),
        serverMb: rssMb(system.temporalPid()),
        ...(system.postgres ? { postgresMb: treePssMb(system.postgres.pid()) } : {}),
        bridgeMb: system.bridges.map((b) => rssMb(b.pid)),
        sandboxMb: rssMb(system.sandbox.pid),
        floorWorkerMb: rssMb(system.floorWorker.pid),
      },
    },
    footprint: perParked(before, after, options.customers),
    bundles: { lifecycleBytes: statSync(join(dataDir, 'workflow-bundle.js')).size, floorBytes: statSync(join(dataDir, 'floor-bundle.js')).size },
  };
  log(`RSS with ${options.customers} parked: worker ${figures.memory.withParked.workerMb.map((w) => w.toFixed(0)).join(' + ')} MB, server ${figures.memory.withParked.serverMb.toFixed(0)} MB`);

  await quiet();
  log(`counting Vobiz calls over ${options.idleWindow} s with nothing but ${options.customers} parked customers`);
  const idleCpu = cpuSnapshot(system.meters);
  const idleBegan = performance.now();
  figures.idle = await measureIdleCalls(admin, client, options.customers, options.idleWindow, TASK_QUEUE);
  const idleSeconds = (performance.now() - idleBegan) / 1000;
  // The window ends with a full paging the bench started (in idleSeconds): its CPU is counted as the idle window's.
  figures.idleCpuMsPerParkedPerDay = Object.fromEntries(Object.entries(cpuSpent(idleCpu, cpuSnapshot(system.meters))).map(([k, s]) => [k, ((s * 1000) / options.customers) * (DAY_S / idleSeconds)]));
  log(`idle: ${figures.idle.total} calls (sweep pages ${figures.idle.sweepPages}, other ${figures.idle.other}); a full paging of ${figures.idle.fullPaging.result.openSessions} open: ${figures.idle.fullPaging.result.vobizCalls} calls in ${figures.idle.fullPaging.seconds.toFixed(1)} s`);

  if (options.signals > 0) {
    await quiet();
    log(`webhook → workflow: ${options.signals} through the bridges, ${options.signals} direct`);
    figures.signals = await compareSignalPaths({ client, bridgeUrl: system.bridgeUrl, parked, signals: options.signals, concurrency: options.concurrency });
    log(`signals: bridge ${figures.signals.bridge.perSecond.toFixed(0)}/s, direct ${figures.signals.direct.perSecond.toFixed(0)}/s`);
  }

  if (options.rounds > 0) {
    log(`onboarding: ${options.rounds} rounds of ${options.onboardings} customers, then as many floor workflows, alternating`);
    figures.onboarding = await compareOnboarding(onboardingContext, runId, options.onboardings, options.rounds, log);
  }

  if (options.profile) {
    const dir = join(dataDir, 'cpu-profile');
    mkdirSync(dir, { recursive: true });
    log(`CPU profile: the workers restarted with --cpu-prof; ${profileWarmUp(options.onboardings)} onboardings to warm up, then a round of ${options.onboardings}`);
    await system.restartWorkers({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    await oneRound(onboardingContext, 'lifecycle', `bench-${runId}-warm-`, profileWarmUp(options.onboardings));
    await quiet();
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    await oneRound(onboardingContext, 'lifecycle', `bench-${runId}-prof-`, options.onboardings);
    const toUs = Number(process.hrtime.bigint() / 1000n);
    await quiet();
    await system.restartWorkers(); // a graceful stop writes each thread's profile
    figures.profile = summarizeProfiles(dir, fromUs, toUs, options.onboardings, join(dataDir, 'workflow-bundle.js'));
    log(`profile: ${figures.profile.busyMsPerOnboarding.toFixed(1)} ms sampled per onboarding; ${figures.profile.categories.slice(0, 4).map((c) => `${c.category} ${c.msPerOnboarding.toFixed(1)}`).join(', ')}`);
  }

  if (options.burst > 0) {
    log(`bursts of ${options.burst} onboardings at ${options.burstRps.join(', ')} requests a second`);
    figures.bursts = await measureBursts(system, onboardingContext, runId, options.burst, options.burstRps, options.vobizRps, log);
  }

  await quiet();
  log(`waking every one of the ${parked.length} parked customers once`);
  figures.memory.woken = await wakeEveryone(system, client, parked, options.concurrency, system.workers.map((_, i) => loadWorkerConfig(system.workerEnv(i)).worker.maxCachedWorkflows));
  log(`woken in ${figures.memory.woken.wakeSeconds.toFixed(0)} s: ${figures.memory.woken.workers.map((w) => `${w.rssMb.toFixed(0)} MB with ${w.cached} cached`).join('; ')}`);

  if (options.cacheSizes.length > 0) {
    await quiet();
    log(`worker memory against cache size: ${options.cacheSizes.join(', ')}`);
    figures.memory.cache = await measureCacheSizes(system, client, parked, options.cacheSizes, options.concurrency, log, workerConfig.memoryBudgetMb, loadWorkerConfig({}).worker.maxCachedWorkflows);
  }

  const stillParked = parked.slice(0, parked.length - options.webhookLatency);
  if (options.deploy) {
    await quiet();
    log(`rolling deploy with ${parked.length} parked`);
    figures.deploy = await rollingDeploy(system, client, parkedPrefix, parked, options.concurrency, log, (dir) => leftovers.push(dir));
  }

  if (options.webhookLatency > 0) {
    await quiet();
    log(`webhook → active: ${options.webhookLatency} parked customers complete KYC one at a time`);
    figures.webhookToActive = await measureWebhookToActive(client, admin, parked.slice(-options.webhookLatency), timeoutMs);
    log(`webhook → active: p50 ${figures.webhookToActive.p50Ms.toFixed(0)} ms, p99 ${figures.webhookToActive.p99Ms.toFixed(0)} ms`);
  }

  // Read before the sweep phase restarts the bridges (their counters start again).
  // Every outcome: the signal phase's stale events are refused by the workflows (not_waiting), yet each bridge took them.
  figures.webhooksByBridge = await Promise.all(system.bridgeMetricsUrls.map((url) => metricSum(url, 'vobiz_bridge_kyc_webhooks_total')));
  log(`KYC webhooks taken per bridge: ${figures.webhooksByBridge.join(' + ')}`);

  if (options.lostWebhooks > 0) {
    await quiet();
    log(`KYC sweep: ${options.lostWebhooks} lost webhooks, sweep every ${options.sweepInterval}`);
    const sweepSeconds = durationMs(options.sweepInterval) / 1000;
    figures.sweep = await recoverLostWebhooks({ system, client, admin, concurrency: options.concurrency }, parkedPrefix, stillParked, options.lostWebhooks, sweepSeconds, log);
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
  removeLeftovers();
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

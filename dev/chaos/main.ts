/**
 * `npm run chaos -- [--customers N ...]` (`--help` lists the options): the whole system, each piece its own
 * process, onboards a fleet of customers through the start API while the sandbox injects faults, workers are
 * SIGKILLed, the Temporal dev server is SIGKILLed and restarted and the bridge goes dark for a while. It ends when
 * every customer has settled (active, or the waiting stage its script leads to) and every scheduled disruption
 * has happened, or at --time-limit; then it checks the invariants (dev/chaos/checks.ts), prints one line
 * per violation, the figures, and `N passed, M failed`. Exit 0 only if every check holds. Everything it started
 * is stopped on success, failure or Ctrl-C. docs/durability.md has a full run's figures.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { loadCliConfig } from '../../src/config/cli.js';
import { applyDotEnvOrExit } from '../../src/config/dotenv.js';
import { LOCAL_PROCESS } from '../config.js';
import { loadTemporalClientConfig } from '../../src/config/temporal-client.js';
import { SandboxAdminClient } from '../../sandbox/admin-client.js';
import { DEVELOPMENT_SEALING_KEY, type SealingKey } from '../../src/secrets/keys.js';
import { connectClient } from '../../src/temporal/connection.js';
import { statusQuery, type LifecycleState, type Stage } from '../../src/workflows/messages.js';
import { STAGE } from '../../src/workflows/search-attributes.js';
import { sleep } from '../processes.js';
import { checkCustomer, checkGlobal, type SandboxView } from './checks.js';
import { actOnKycSession, makeCustomers, requestBody, type ChaosCustomer } from './customers.js';
import { applyFaultProfile, faultCounts } from './faults.js';
import { parseChaosOptions, type ChaosOptions } from './options.js';
import { killAllPiecesNow } from '../pieces.js';
import { startChaosSystem, type ChaosSystem } from './system.js';

const SETTLED: readonly Stage[] = ['active', 'offboarded', 'failed', 'kyc_failed', 'kyc_expired', 'kyc_revoked', 'blocked'];
const TERMINAL_KYC = new Set(['kyc_completed', 'revoked', 'failed', 'expired']);

type Disruption = 'worker-kill' | 'server-restart' | 'bridge-outage';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  applyDotEnvOrExit(LOCAL_PROCESS);
  const options = parseChaosOptions(process.argv.slice(2));
  const runId = randomBytes(3).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'vobiz-chaos-'));
  const began = Date.now();
  const elapsed = () => `${Math.round((Date.now() - began) / 1000)}s`.padStart(5);
  const log = (line: string) => out(`[${elapsed()}] ${line}`);
  const running: { system?: ChaosSystem } = {};
  let stopping = false;

  process.once('exit', killAllPiecesNow);
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      killAllPiecesNow();
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping everything the run started (again to force)\n`);
    void (running.system?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  log(`chaos run ${runId}: ${options.customers} customers, ${options.workers} workers, ${options.workerKills} worker kills, ${options.serverRestarts} server restarts, ${options.bridgeOutages} bridge outages, faults ${options.faults}; data in ${dataDir}`);
  const system = await startChaosSystem(options, dataDir, log);
  running.system = system;
  const admin = new SandboxAdminClient(system.sandboxUrl);
  const rules = await applyFaultProfile(admin, options.faults);
  if (rules > 0) log(`fault profile on: ${rules} rules`);
  const codec = options.temporalAddress ? loadTemporalClientConfig(process.env).codec : { keys: [DEVELOPMENT_KEY] };
  // Passwords are sealed for the worker that creates accounts: its key pair is the development one unless the
  // runner targets another bridge (then SECRETS_PUBLIC_KEY, as for any edge).
  const sealingKey = options.bridgeUrl ? loadCliConfig(process.env).secrets.sealingKey : DEVELOPMENT_SEALING_KEY;
  const client = await connectClient({ ...loadTemporalClientConfig({}).temporal, address: system.temporalAddress, namespace: system.namespace, taskQueue: system.taskQueue }, codec);

  const customers = makeCustomers(runId, options.customers, options.seed, {
    effectSettleDelay: options.effectSettleDelay,
    effectStartToCloseTimeout: options.effectStartToCloseTimeout,
  });
  const byWorkflow = new Map(customers.map((c) => [c.workflowId, c]));
  const runViolations: string[] = [];
  const deadline = began + options.timeLimit * 1000;
  const timeLeft = () => Date.now() < deadline && !stopping;
  const counts = { workerKills: 0, serverRestarts: 0, bridgeOutages: 0, startRetries: 0, kycActions: 0, kycActionErrors: 0 };

  // 1. Start every customer through the start API, at --start-rate, retrying while the bridge or Temporal is down.
  const schedule = disruptionSchedule(options, system);
  const window = (schedule.length + 1) * options.disruptionInterval;
  const startRate = options.startRate ?? Math.max(options.customers / (0.7 * window), 0.2);
  log(`starting ${options.customers} customers at ${startRate.toFixed(2)}/s; ${schedule.length} disruptions, one every ${options.disruptionInterval} s`);
  const starting = (async () => {
    const gap = 1000 / startRate;
    await Promise.all(
      customers.map(async (c, i) => {
        await sleep(i * gap);
        await startCustomer(system, c, sealingKey, timeLeft, () => counts.startRetries++, runViolations);
      }),
    );
  })();

  // 2. Act on KYC sessions as each customer's script says.
  const acted = new Set<string>();
  const driving = (async () => {
    while (timeLeft() && !allSettled(customers)) {
      try {
        const state = (await admin.state()) as unknown as Pick<SandboxView, 'kyc_sessions'> & { kyc_sessions: { created_at?: string }[] };
        const sessions = [...state.kyc_sessions].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
        const attempts = new Map<string, number>();
        const todo: Promise<void>[] = [];
        for (const s of sessions) {
          const c = s.metadata?.workflowId ? byWorkflow.get(s.metadata.workflowId) : undefined;
          if (!c) continue;
          const attempt = attempts.get(c.workflowId) ?? 0;
          attempts.set(c.workflowId, attempt + 1);
          if (acted.has(s.id) || TERMINAL_KYC.has(s.status)) continue;
          todo.push(
            actOnKycSession(admin, system.sandboxUrl, s.id, c.kycAction(attempt)).then(
              () => {
                acted.add(s.id);
                counts.kycActions++;
              },
              () => {
                counts.kycActionErrors++; // tried again on the next round
              },
            ),
          );
          if (todo.length >= 16) await Promise.all(todo.splice(0));
        }
        await Promise.all(todo);
      } catch {
        // the sandbox did not answer: next round
      }
      await sleep(1_000);
    }
  })();

  let disruptionsDone = schedule.length === 0;

  // 3. Follow each customer's stage (visibility: needs no worker).
  const tracking = (async () => {
    while (timeLeft()) {
      await trackStages(client, byWorkflow).catch(() => undefined);
      if (allSettled(customers) && disruptionsDone) return;
      await sleep(1_000);
    }
  })();

  // 4. The disruptions, one every --disruption-interval seconds.
  const disrupting = (async () => {
    for (const kind of schedule) {
      await sleep(options.disruptionInterval * 1000);
      if (!timeLeft()) return;
      try {
        await disrupt(kind, system, options, log, counts);
      } catch (err) {
        runViolations.push(`disruption ${kind} failed: ${(err as Error).message}`);
        log(`${kind} failed: ${(err as Error).message}`);
      }
    }
    await system.waitForWorkers();
    disruptionsDone = true;
  })();

  // 5. Progress.
  const progress = setInterval(() => {
    void faultCounts(admin)
      .catch(() => ({}))
      .then((faults) => log(progressLine(customers, faults, counts, options)));
  }, options.progressInterval * 1000);

  await Promise.all([starting, disrupting, tracking, driving]);
  clearInterval(progress);
  if (stopping) return 130;
  const timedOut = Date.now() >= deadline;
  if (timedOut) runViolations.push(`time limit: ${options.timeLimit} s passed with ${customers.filter((c) => !c.stage || !SETTLED.includes(c.stage)).length} customer(s) unsettled`);
  log(`${timedOut ? 'time limit reached' : 'every customer settled'}: checking the invariants`);

  // The checks: the sandbox's own state and each workflow's.
  const faults = await faultCountsFinal(admin);
  await admin.clearFaults();
  const [state, ledger] = await Promise.all([admin.state(), admin.ledger()]);
  const view = { ...(state as unknown as Omit<SandboxView, 'ledger'>), ledger };
  const states = new Map<string, LifecycleState | Error>();
  for (const c of customers) states.set(c.customerRef, await queryState(client, c.workflowId));
  const authIds = new Map<string, string[]>();
  for (const [ref, s] of states) if (!(s instanceof Error) && s.authId) authIds.set(s.authId, [...(authIds.get(s.authId) ?? []), ref]);

  const lines: string[] = [...runViolations];
  let passed = 0;
  let failed = 0;
  for (const c of customers) {
    const v = checkCustomer(c, states.get(c.customerRef)!, view, authIds);
    lines.push(...v);
    if (v.length === 0) passed++;
    else failed++;
  }
  const global = [...checkGlobal(customers, view, !options.sandboxUrl)];
  lines.push(...global);
  if (global.length === 0 && runViolations.length === 0) passed++;
  else failed++;

  out('');
  for (const line of lines) out(`VIOLATION ${line}`);
  const times = customers.filter((c) => c.intendedStage === 'active' && c.activeAt && c.startedAt).map((c) => (c.activeAt! - c.startedAt!) / 1000).sort((a, b) => a - b);
  const pct = (p: number) => (times.length ? times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!.toFixed(1) : 'n/a');
  out(`customers        ${customers.length} (${summariseScripts(customers)})`);
  out(`stages           ${stageSummary(customers)}`);
  out(`time to active   median ${pct(50)} s, p90 ${pct(90)} s, max ${times.length ? times.at(-1)!.toFixed(1) : 'n/a'} s (${times.length} customers; observed every ~1 s)`);
  out(`faults fired     ${Object.entries(faults).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  out(`disruptions      worker kills ${counts.workerKills}, server restarts ${counts.serverRestarts}, bridge outages ${counts.bridgeOutages}; start retries ${counts.startRetries}, KYC actions ${counts.kycActions}`);
  out(`ledger           partner transfer debits ${ledger.partner_transfer_debits}, customer transfer credits ${ledger.customer_transfer_credits}`);
  out(`wall time        ${Math.round((Date.now() - began) / 1000)} s`);
  out(`${passed} passed, ${failed} failed`);

  await client.connection.close().catch(() => undefined);
  await system.stop();
  const ok = failed === 0;
  if (ok && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
  else out(`data and logs kept in ${dataDir}`);
  return ok ? 0 : 1;
}

function allSettled(customers: readonly ChaosCustomer[]): boolean {
  return customers.every((c) => c.startAnswer !== undefined && c.stage !== undefined && SETTLED.includes(c.stage));
}

async function startCustomer(system: ChaosSystem, c: ChaosCustomer, sealingKey: SealingKey | undefined, timeLeft: () => boolean, retried: () => void, violations: string[]): Promise<void> {
  c.startedAt = Date.now();
  while (timeLeft()) {
    try {
      const res = await fetch(`${system.bridgeUrl}/onboardings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${system.apiToken}` },
        body: requestBody(c, sealingKey),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      if (res.status === 201 || res.status === 200) {
        c.startAnswer = res.status;
        return;
      }
      if (res.status < 500) {
        violations.push(`${c.customerRef}: the start API refused the onboarding: ${res.status} ${text.slice(0, 200)}`);
        c.startAnswer = res.status;
        return;
      }
    } catch {
      // the bridge is down or did not answer: try again
    }
    retried();
    await sleep(1_000);
  }
}

async function trackStages(client: Client, byWorkflow: Map<string, ChaosCustomer>): Promise<void> {
  for await (const execution of client.workflow.list({ query: `WorkflowType = 'customerLifecycle'` })) {
    const c = byWorkflow.get(execution.workflowId);
    if (!c) continue;
    const stage = execution.typedSearchAttributes.get(STAGE) as Stage | undefined;
    if (!stage) continue;
    c.stage = stage;
    if (stage === 'active' && c.activeAt === undefined) c.activeAt = Date.now();
  }
}

async function queryState(client: Client, workflowId: string): Promise<LifecycleState | Error> {
  let last: Error = new Error('not queried');
  for (let i = 0; i < 10; i++) {
    try {
      return await client.workflow.getHandle(workflowId).query(statusQuery);
    } catch (err) {
      last = err as Error;
      await sleep(1_000);
    }
  }
  return last;
}

async function faultCountsFinal(admin: SandboxAdminClient): Promise<Record<string, number>> {
  return faultCounts(admin).catch(() => ({}));
}

/** Disruptions spread evenly: each kind's events at even fractions of the schedule, interleaved. */
function disruptionSchedule(options: ChaosOptions, system: ChaosSystem): Disruption[] {
  const events: { at: number; kind: Disruption }[] = [];
  const add = (kind: Disruption, n: number) => {
    for (let i = 0; i < n; i++) events.push({ at: (i + 0.5) / n, kind });
  };
  if (system.killWorker) add('worker-kill', options.workerKills);
  if (system.devServer) add('server-restart', options.serverRestarts);
  if (system.bridge) add('bridge-outage', options.bridgeOutages);
  return events.sort((a, b) => a.at - b.at).map((e) => e.kind);
}

async function disrupt(kind: Disruption, system: ChaosSystem, options: ChaosOptions, log: (line: string) => void, counts: { workerKills: number; serverRestarts: number; bridgeOutages: number }): Promise<void> {
  switch (kind) {
    case 'worker-kill':
      counts.workerKills++;
      log(`SIGKILL worker (kill ${counts.workerKills}/${options.workerKills}); its replacement starts`);
      await system.killWorker!();
      return;
    case 'server-restart':
      counts.serverRestarts++;
      log(`SIGKILL Temporal dev server (restart ${counts.serverRestarts}/${options.serverRestarts}); down ${options.serverDownSeconds} s`);
      await system.devServer!.restart(options.serverDownSeconds * 1000);
      log('Temporal dev server back on the same file');
      return;
    case 'bridge-outage':
      counts.bridgeOutages++;
      log(`bridge stopped (outage ${counts.bridgeOutages}/${options.bridgeOutages}) for ${options.bridgeOutageSeconds} s`);
      await system.bridge!.stop(5_000);
      await sleep(options.bridgeOutageSeconds * 1000);
      await system.bridge!.start();
      log('bridge back');
  }
}

function stageSummary(customers: readonly ChaosCustomer[]): string {
  const byStage = new Map<string, number>();
  for (const c of customers) byStage.set(c.stage ?? (c.startAnswer ? 'starting' : 'not started'), (byStage.get(c.stage ?? (c.startAnswer ? 'starting' : 'not started')) ?? 0) + 1);
  return [...byStage].map(([s, n]) => `${s} ${n}`).join(', ');
}

function summariseScripts(customers: readonly ChaosCustomer[]): string {
  const byScript = new Map<string, number>();
  for (const c of customers) byScript.set(c.script, (byScript.get(c.script) ?? 0) + 1);
  return [...byScript].map(([s, n]) => `${s} ${n}`).join(', ');
}

function progressLine(customers: readonly ChaosCustomer[], faults: Record<string, number>, counts: { workerKills: number; serverRestarts: number; bridgeOutages: number }, options: ChaosOptions): string {
  const started = customers.filter((c) => c.startAnswer !== undefined).length;
  const fired = Object.values(faults).reduce((a, b) => a + b, 0);
  return `started ${started}/${customers.length} | ${stageSummary(customers)} | faults ${fired} | worker kills ${counts.workerKills}/${options.workerKills}, server restarts ${counts.serverRestarts}/${options.serverRestarts}, bridge outages ${counts.bridgeOutages}/${options.bridgeOutages}`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllPiecesNow();
    process.exit(1);
  },
);

/**
 * Onboarding throughput to `active`, the lifecycle against the floor (bench/fleet/floor-workflow.ts), each side
 * alone: rounds alternate (lifecycle, floor, lifecycle, floor, …), each waits for the one before it to finish, so
 * neither side's cost hides in the other's wall time. A lifecycle round starts M customers through the start API and
 * completes each one's KYC at the sandbox once it waits in KYC (its webhook reaches a bridge, which delivers it); a
 * floor round starts M floor workflows and signals each once it waits there. Each round is timed until visibility
 * counts all M `active`, and every process's CPU time over the round is read from /proc: the project's processes
 * (workers, bridges, the Temporal server and its database) apart from the sandbox (Vobiz's side, on other machines
 * in production) and the bench itself. Also the history each one wrote to get there.
 *
 * The driver itself asks the workers nothing: it finds who waits in KYC, and the lifecycle's open sessions, through
 * visibility and the sandbox (Vobiz's side), never through a workflow query. A query makes the worker run the
 * workflow (and replay it when it is not cached) and the server route the query, so querying each waiting customer
 * every half second would charge the driver's own curiosity to the lifecycle side, which the floor is never asked.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import pLimit from 'p-limit';
import type { SandboxAdminClient } from '../../sandbox/admin-client.js';
import { customerRefOf, workflowIdFor } from '../../src/workflows/input.js';
import { benchEmail, countCustomers, customersQuery, listExecutions, onboardingRequest, startOnboarding } from './customers.js';
import { benchFloor, floorKycEventSignal } from './floor-workflow.js';
import { cpuSnapshot, cpuSpent, type Meters } from './process-usage.js';
import { median, sleep } from './stats.js';
import { FLOOR_TASK_QUEUE } from './system.js';

export type Side = 'lifecycle' | 'floor';

interface SideRound {
  seconds: number;
  perMinute: number;
  /** CPU milliseconds per onboarding of each process over the round (`bench`: the driver itself). */
  cpuMsPerOnboarding: Record<string, number>;
}

export interface RoundPair {
  lifecycle: SideRound;
  floor: SideRound;
  /** floor seconds / lifecycle seconds: the throughput ratio. */
  ratio: number;
}

export interface HistoryFigures {
  events: number;
  bytes: number;
}

export interface OnboardingFigures {
  onboardings: number;
  rounds: RoundPair[];
  medianRatio: number;
  /** Median CPU ms per onboarding by process over the rounds, each side; `project` sums the side's own processes. */
  cpuMsPerOnboarding: Record<Side, Record<string, number>>;
  /** floor / lifecycle of the project's CPU per onboarding: the ratio on a machine where only the project's processes compete. */
  cpuRatio: number;
  history: { lifecycle: HistoryFigures; floor: HistoryFigures };
}

/** The processes whose CPU is each side's own: the sandbox and the bench are apart from both. */
const PROJECT: Record<Side, readonly string[]> = {
  lifecycle: ['worker', 'bridge', 'temporal', 'postgres'],
  floor: ['floorWorker', 'temporal', 'postgres'],
};

export interface OnboardingContext {
  /** Encrypting client (the lifecycle's payloads); `plain` has the default converter, as the floor worker does. */
  client: Client;
  plain: Client;
  admin: SandboxAdminClient;
  /** The n-th start-API request's bridge. */
  bridgeUrl: (n: number) => string;
  concurrency: number;
  timeoutMs: number;
  meters: Meters;
  /** Resolves once the workers have nothing in hand (the previous round's leftovers done). */
  quiet: () => Promise<void>;
}

export async function compareOnboarding(ctx: OnboardingContext, runId: string, onboardings: number, rounds: number, log: (line: string) => void): Promise<OnboardingFigures> {
  const pairs: RoundPair[] = [];
  for (let r = 0; r < rounds; r++) {
    await ctx.quiet();
    const lifecycle = await oneRound(ctx, 'lifecycle', `bench-${runId}-o${r}-l`, onboardings);
    await ctx.quiet();
    const floor = await oneRound(ctx, 'floor', `bench-${runId}-o${r}-f`, onboardings);
    pairs.push({ lifecycle, floor, ratio: floor.seconds / lifecycle.seconds });
    log(
      `onboarding round ${r + 1}/${rounds}: lifecycle ${lifecycle.perMinute.toFixed(0)}/min (project ${lifecycle.cpuMsPerOnboarding.project!.toFixed(0)} ms CPU each, sandbox ${lifecycle.cpuMsPerOnboarding.sandbox!.toFixed(0)}), ` +
        `floor ${floor.perMinute.toFixed(0)}/min (${floor.cpuMsPerOnboarding.project!.toFixed(0)} ms), ratio ${(floor.seconds / lifecycle.seconds).toFixed(2)}`,
    );
  }
  const medians = (side: Side) => {
    const names = Object.keys(pairs[0]![side].cpuMsPerOnboarding);
    return Object.fromEntries(names.map((n) => [n, median(pairs.map((p) => p[side].cpuMsPerOnboarding[n]!))]));
  };
  const cpu = { lifecycle: medians('lifecycle'), floor: medians('floor') };
  const last = rounds - 1;
  return {
    onboardings,
    rounds: pairs,
    medianRatio: median(pairs.map((p) => p.ratio)),
    cpuMsPerOnboarding: cpu,
    cpuRatio: cpu.floor.project! / cpu.lifecycle.project!,
    history: {
      lifecycle: await historyToActive(ctx.client, `bench-${runId}-o${last}-l`, 'customerLifecycle'),
      floor: await historyToActive(ctx.plain, `bench-${runId}-o${last}-f`, 'benchFloor'),
    },
  };
}

/** One side's round: M started, each moved past KYC when it waits there, until all M are `active`. */
export async function oneRound(ctx: OnboardingContext, side: Side, prefix: string, m: number): Promise<SideRound> {
  const limit = pLimit(ctx.concurrency);
  const client = side === 'lifecycle' ? ctx.client : ctx.plain;
  const workflowType = side === 'lifecycle' ? 'customerLifecycle' : 'benchFloor';
  const before = cpuSnapshot(ctx.meters);
  const began = performance.now();
  const deadline = Date.now() + ctx.timeoutMs;
  const starting = Promise.all(
    Array.from({ length: m }, (_, i) =>
      limit(async () => {
        if (side === 'lifecycle') await startOnboarding(ctx.bridgeUrl(i), onboardingRequest(`${prefix}${i}`, i));
        else await ctx.plain.workflow.start(benchFloor, { workflowId: workflowIdFor(`${prefix}${i}`), taskQueue: FLOOR_TASK_QUEUE, args: [] });
      }),
    ),
  );
  const moved = new Set<string>();
  let doneAt = 0;
  // Move whoever waits in KYC, twice a second, until all are active.
  while (!doneAt && Date.now() < deadline) {
    // A lifecycle customer is listed once its session is open (its KYC status published), as a customer would act
    // on the e-mail; a floor workflow once it waits in KYC.
    const waiting = await listIds(client, customersQuery(prefix, 'kyc', workflowType, side === 'lifecycle'));
    await Promise.all(
      waiting
        .filter((id) => !moved.has(id))
        .map((id) =>
          limit(async () => {
            if (side === 'floor') {
              await ctx.plain.workflow.getHandle(id).signal(floorKycEventSignal, { eventKey: id, event: 'kyc.completed', sessionId: 'floor', receivedAt: new Date().toISOString() });
              moved.add(id);
            } else if (await completeKyc(ctx, id)) moved.add(id);
          }),
        ),
    );
    if ((await countCustomers(client, prefix, 'active', workflowType)) >= m) doneAt = performance.now();
    else await sleep(500);
  }
  await starting;
  if (!doneAt) throw new Error(`onboarding round ${prefix}: not every workflow reached active within ${ctx.timeoutMs / 1000} s`);
  const spent = cpuSpent(before, cpuSnapshot(ctx.meters));
  const seconds = (doneAt - began) / 1000;
  const cpuMsPerOnboarding = Object.fromEntries(Object.entries(spent).filter(([, s]) => Number.isFinite(s)).map(([name, s]) => [name, (s * 1000) / m]));
  cpuMsPerOnboarding.project = PROJECT[side].reduce((sum, name) => sum + (cpuMsPerOnboarding[name] ?? 0), 0);
  return { seconds, perMinute: (m / seconds) * 60, cpuMsPerOnboarding };
}

async function listIds(client: Client, query: string): Promise<string[]> {
  return (await listExecutions(client, query)).map((e) => e.workflowId);
}

/**
 * Completes the customer's KYC session at the sandbox, as the customer would: the session is the one its KYC e-mail
 * links (the sandbox's outbox, Vobiz's side), not asked of the workflow. False while no e-mail has been sent yet.
 */
async function completeKyc(ctx: OnboardingContext, workflowId: string): Promise<boolean> {
  const emails = await ctx.admin.outbox({ to: benchEmail(customerRefOf(workflowId)) });
  const sessionId = emails.filter((e) => e.kind === 'kyc_link' && e.session_id).at(-1)?.session_id;
  if (!sessionId) return false;
  await ctx.admin.completeKyc(sessionId, { kyc_type: 'individual' });
  return true;
}

/** Median events and encoded bytes of history up to (and including) the upsert that made the workflow `active`. */
async function historyToActive(client: Client, prefix: string, workflowType: string): Promise<HistoryFigures> {
  const ids = (await listIds(client, customersQuery(prefix, 'active', workflowType))).slice(0, 5);
  const figures = await Promise.all(
    ids.map(async (id) => {
      const history = await client.workflow.getHandle(id).fetchHistory();
      const events = history.events ?? [];
      const activeAt = events.findIndex((e) => {
        const data = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.VobizStage?.data;
        return data ? Buffer.from(data).toString('utf8') === '"active"' : false;
      });
      const toActive = events.slice(0, activeAt + 1);
      return { events: toActive.length, bytes: proto.temporal.api.history.v1.History.encode({ events: toActive }).finish().length };
    }),
  );
  return { events: median(figures.map((f) => f.events)), bytes: median(figures.map((f) => f.bytes)) };
}

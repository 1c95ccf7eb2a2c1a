/**
 * Onboarding throughput to `active`, the lifecycle against the floor (bench/fleet/floor-workflow.ts), side by side:
 * each round starts M customers through the start API and M floor workflows at the same time, completes each
 * customer's KYC at the sandbox (its webhook reaches the bridge, which signals) and signals each floor workflow
 * once it waits in KYC, and times how long each side takes until all M are `active` (counted the same way for both,
 * by visibility). Also the history each one wrote to get there.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import pLimit from 'p-limit';
import type { SandboxAdminClient } from '../../sandbox/admin-client.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { countCustomers, customersQuery, onboardingRequest, startOnboarding } from './customers.js';
import { benchFloor, floorKycEventSignal } from './floor-workflow.js';
import { median, sleep } from './stats.js';
import { FLOOR_TASK_QUEUE } from './system.js';

export interface RoundFigures {
  lifecyclePerMinute: number;
  floorPerMinute: number;
  ratio: number;
  lifecycleSeconds: number;
  floorSeconds: number;
}

export interface HistoryFigures {
  events: number;
  bytes: number;
}

export interface OnboardingFigures {
  onboardings: number;
  rounds: RoundFigures[];
  medianRatio: number;
  history: { lifecycle: HistoryFigures; floor: HistoryFigures };
}

interface Context {
  /** Encrypting client (the lifecycle's payloads); `plain` has the default converter, as the floor worker does. */
  client: Client;
  plain: Client;
  admin: SandboxAdminClient;
  bridgeUrl: string;
  concurrency: number;
  timeoutMs: number;
  /** Resolves once the worker has nothing in hand (the previous round's leftovers done). */
  quiet: () => Promise<void>;
}

export async function compareOnboarding(ctx: Context, runId: string, onboardings: number, rounds: number, log: (line: string) => void): Promise<OnboardingFigures> {
  const results: RoundFigures[] = [];
  let lastPrefix = '';
  for (let r = 0; r < rounds; r++) {
    lastPrefix = `bench-${runId}-o${r}-`;
    if (r > 0) await ctx.quiet();
    const round = await oneRound(ctx, lastPrefix, onboardings);
    results.push(round);
    log(`onboarding round ${r + 1}/${rounds}: lifecycle ${round.lifecyclePerMinute.toFixed(0)}/min, floor ${round.floorPerMinute.toFixed(0)}/min, ratio ${round.ratio.toFixed(2)}`);
  }
  const history = {
    lifecycle: await historyToActive(ctx.client, `${lastPrefix}l`, 'customerLifecycle'),
    floor: await historyToActive(ctx.plain, `${lastPrefix}f`, 'benchFloor'),
  };
  return { onboardings, rounds: results, medianRatio: median(results.map((r) => r.ratio)), history };
}

async function oneRound(ctx: Context, prefix: string, m: number): Promise<RoundFigures> {
  const limit = pLimit(ctx.concurrency);
  // Separate workflow IDs: the lifecycle's `customer-<prefix>l<i>`, the floor's `customer-<prefix>f<i>`.
  const [lifecyclePrefix, floorPrefix] = [`${prefix}l`, `${prefix}f`];
  const indexes = Array.from({ length: m }, (_, i) => i);
  const began = performance.now();
  const done = { lifecycle: 0, floor: 0 };
  const deadline = Date.now() + ctx.timeoutMs;
  const starting = Promise.all(
    indexes.flatMap((i) => [
      limit(() => startOnboarding(ctx.bridgeUrl, onboardingRequest(`${lifecyclePrefix}${i}`, i))),
      limit(() => ctx.plain.workflow.start(benchFloor, { workflowId: workflowIdFor(`${floorPrefix}${i}`), taskQueue: FLOOR_TASK_QUEUE, args: [] })),
    ]),
  );
  const completed = new Set<string>();
  const signalled = new Set<string>();
  // Act on whoever waits in KYC, twice a second, until both sides are all active.
  while ((done.lifecycle === 0 || done.floor === 0) && Date.now() < deadline) {
    const [lifecycleKyc, floorKyc] = await Promise.all([listIds(ctx.client, customersQuery(lifecyclePrefix, 'kyc')), listIds(ctx.plain, customersQuery(floorPrefix, 'kyc', 'benchFloor'))]);
    await Promise.all([
      ...lifecycleKyc.filter((id) => !completed.has(id)).map((id) => limit(() => completeKyc(ctx, id).then((ok) => ok && completed.add(id)))),
      ...floorKyc.filter((id) => !signalled.has(id)).map((id) =>
        limit(async () => {
          await ctx.plain.workflow.getHandle(id).signal(floorKycEventSignal, { eventKey: id, event: 'kyc.completed', sessionId: 'floor', receivedAt: new Date().toISOString() });
          signalled.add(id);
        }),
      ),
    ]);
    const [lifecycleActive, floorActive] = await Promise.all([countCustomers(ctx.client, lifecyclePrefix, 'active'), countCustomers(ctx.plain, floorPrefix, 'active', 'benchFloor')]);
    const now = performance.now();
    if (!done.lifecycle && lifecycleActive >= m) done.lifecycle = now;
    if (!done.floor && floorActive >= m) done.floor = now;
    await sleep(500);
  }
  await starting;
  if (!done.lifecycle || !done.floor) throw new Error(`onboarding round ${prefix}: not every workflow reached active within ${ctx.timeoutMs / 1000} s`);
  const lifecycleSeconds = (done.lifecycle - began) / 1000;
  const floorSeconds = (done.floor - began) / 1000;
  return { lifecycleSeconds, floorSeconds, lifecyclePerMinute: (m / lifecycleSeconds) * 60, floorPerMinute: (m / floorSeconds) * 60, ratio: floorSeconds / lifecycleSeconds };
}

async function listIds(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of client.workflow.list({ query })) ids.push(e.workflowId);
  return ids;
}

/** Completes the customer's open KYC session at the sandbox, as the customer would; false while it has none yet. */
async function completeKyc(ctx: Context, workflowId: string): Promise<boolean> {
  const state = await ctx.client.workflow.getHandle(workflowId).query(statusQuery);
  const open = state.kyc.attempts.at(-1);
  if (!open || open.outcome) return false;
  await ctx.admin.completeKyc(open.sessionId, { kyc_type: 'individual' });
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

/**
 * The Temporal Schedule that runs the partner-wide KYC sweep (src/workflows/kyc-sweep.ts) every
 * `KYC_SWEEP_INTERVAL`. Created idempotently by every worker at start (several replicas may race: the loser finds
 * it and brings its interval up to date); a sweep still running when the next is due makes the schedule skip that
 * one (overlap SKIP), so sweeps never pile up behind a slow Vobiz.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { kycSweep } from '../workflows/kyc-sweep.js';
import { KYC_SWEEP_FULL_PAGING_EVERY_MS, KYC_SWEEP_WORKFLOW_TYPE } from '../workflows/messages.js';

const SWEEP_ACTIVITY_MAX_MS = 10 * 60_000;

/** How long one sweep may run: its activity's longest attempt, or the interval if that is longer. */
export function sweepExecutionTimeoutMs(intervalMs: number): number {
  return Math.max(intervalMs, SWEEP_ACTIVITY_MAX_MS);
}

function msOf(duration: unknown): number {
  return typeof duration === 'number' ? duration : Number.NaN;
}

/** One schedule per task queue: one deployment's customers, one sweep. */
export function kycSweepScheduleId(taskQueue: string): string {
  return `kyc-sweep-${taskQueue}`;
}

interface KycSweepScheduleOptions {
  taskQueue: string;
  intervalMs: number;
  /** The sweep's safety net (`KYC_SWEEP_FULL_PAGING_EVERY`, default 3 hours): every open session is paged at least this often. */
  fullPagingEveryMs?: number;
}

/** Creates the schedule, or updates its interval, task queue and sweep options if it exists; returns its ID and what it did. */
export async function ensureKycSweepSchedule(
  client: Client,
  { taskQueue, intervalMs, fullPagingEveryMs = KYC_SWEEP_FULL_PAGING_EVERY_MS }: KycSweepScheduleOptions,
): Promise<{ scheduleId: string; outcome: 'created' | 'updated' | 'unchanged' }> {
  const scheduleId = kycSweepScheduleId(taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: KYC_SWEEP_WORKFLOW_TYPE,
    workflowId: `kyc-sweep-${taskQueue}`, // the schedule appends each action's time
    taskQueue,
    args: [{ fullPagingEveryMs }] as Parameters<typeof kycSweep>,
    // As long as its one activity may take (startToClose 10 minutes, kyc-sweep.ts), and at least an interval: a
    // sweep cut short repeats its paging and signals in the next one, so a big fleet on a busy worker would never
    // finish one (seen in bench:fleet with a 1-minute interval). A long sweep only makes the schedule skip the next
    // (overlap SKIP), so sweeps still never pile up.
    workflowExecutionTimeout: sweepExecutionTimeoutMs(intervalMs),
  };
  const spec = { intervals: [{ every: intervalMs }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: Math.max(intervalMs, 60_000) };
  try {
    await client.schedule.create({ scheduleId, action, spec, policies });
    return { scheduleId, outcome: 'created' };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const current = await handle.describe();
  const currentEvery = current.spec.intervals?.[0]?.every;
  const currentQueue = current.action.type === 'startWorkflow' ? current.action.taskQueue : undefined;
  const currentArgs = current.action.type === 'startWorkflow' ? JSON.stringify(current.action.args ?? []) : undefined;
  const currentTimeout: unknown = current.action.type === 'startWorkflow' ? (current.action.workflowExecutionTimeout as unknown) : undefined;
  const sameTimeout = currentTimeout !== undefined && msOf(currentTimeout) === action.workflowExecutionTimeout;
  if (current.spec.intervals?.length === 1 && Number(currentEvery) === intervalMs && currentQueue === taskQueue && currentArgs === JSON.stringify(action.args) && sameTimeout) {
    return { scheduleId, outcome: 'unchanged' };
  }
  await handle.update((previous) => ({ ...previous, action, spec, policies: { ...previous.policies, ...policies } }));
  return { scheduleId, outcome: 'updated' };
}

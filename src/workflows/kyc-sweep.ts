/**
 * The partner-wide KYC sweep, started by a Temporal Schedule every `KYC_SWEEP_INTERVAL` (src/temporal/kyc-sweep-schedule.ts).
 * One short run per schedule action (one activity, so each history stays a handful of events); the work is in
 * `sweepKycSessions` (src/activities/kyc-sweep.ts): it reads Vobiz's open totals (4 calls) and pages the open
 * sessions only when the totals say one of ours may have closed, or at least every `fullPagingEveryMs`; customers in
 * kyc whose session Vobiz no longer lists as open get a `kycCheck` hint and confirm at once, so a lost webhook costs
 * minutes, not the customer's own poll interval.
 *
 * The run schedules the same single activity as before the sweep read totals first (only the activity's input and
 * result grew, and replay does not compare those), so runs in flight at a deploy replay unchanged: no patch.
 */
import { metricMeter, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { KycSweepActivities } from '../activities/types.js';
import { KYC_SWEEP_FULL_PAGING_EVERY_MS, type KycSweepResult } from './messages.js';
import { vobizTaskQueue } from './task-queues.js';

interface KycSweepOptions {
  /** Sessions per page (1-100); default 100, the most Vobiz allows, so a sweep costs as few calls as possible. */
  pageSize?: number;
  /** The customers' task queue; default the sweep's own (the schedule starts it on the customers' queue). */
  customerTaskQueue?: string;
  /** The safety net: page every open session at least this often (ms); default 3 hours (`KYC_SWEEP_FULL_PAGING_EVERY`). */
  fullPagingEveryMs?: number;
}

const SWEEP_OPTIONS = {
  // Paging thousands of customers and sessions takes a while; the heartbeat says it is still going.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  // A failed sweep is not retried for long: the next scheduled one does the same work.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
  summary: 'Sweep KYC sessions',
} as const;

export async function kycSweep(options: KycSweepOptions = {}): Promise<KycSweepResult> {
  const info = workflowInfo();
  // It calls Vobiz, so it runs on the Vobiz queue, inside the partner's rate budget (task-queues.ts).
  const { sweepKycSessions } = proxyActivities<KycSweepActivities>({ ...SWEEP_OPTIONS, taskQueue: vobizTaskQueue(info.taskQueue) });
  const pageSize = Math.min(100, Math.max(1, Math.floor(options.pageSize ?? 100)));
  const fullPagingEveryMs = Math.max(0, options.fullPagingEveryMs ?? KYC_SWEEP_FULL_PAGING_EVERY_MS);
  const result = await sweepKycSessions({ taskQueue: options.customerTaskQueue ?? info.taskQueue, sweepId: info.workflowId, pageSize, fullPagingEveryMs });
  // Emitted once (not on replay) by the workflow's meter, next to the lifecycle's metrics.
  metricMeter.createCounter('vobiz_kyc_sweep_nudged', 'customers', 'Customers the KYC sweep told to confirm their session').add(result.nudged);
  metricMeter.createCounter('vobiz_kyc_sweep_vobiz_calls', 'requests', 'Vobiz requests made by the KYC sweep').add(result.vobizCalls);
  metricMeter.createCounter('vobiz_kyc_sweep_runs', 'runs', 'KYC sweeps completed').add(1);
  if (result.paged) {
    metricMeter.createCounter('vobiz_kyc_sweep_full_pagings', 'runs', 'KYC sweeps that read every page of open sessions, by reason').add(1, { reason: result.paged });
  }
  metricMeter.createGauge('vobiz_kyc_sweep_open_sessions', 'int', 'sessions', "Vobiz's open KYC sessions at the last sweep").set(result.openSessions);
  metricMeter.createGauge('vobiz_kyc_sweep_customers_waiting', 'int', 'customers', 'Customers waiting in kyc at the last sweep').set(result.customersInKyc);
  return result;
}

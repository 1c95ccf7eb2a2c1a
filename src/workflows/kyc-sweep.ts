/**
 * The partner-wide KYC sweep, started by a Temporal Schedule every `KYC_SWEEP_INTERVAL` (src/temporal/kyc-sweep-schedule.ts).
 * One short run per schedule action (one activity, so each history stays a handful of events); the work is in
 * `sweepKycSessions` (src/activities/kyc-sweep.ts): customers in kyc whose session Vobiz no longer lists as open
 * get a `kycCheck` hint and confirm at once, so a lost webhook costs minutes, not the customer's own poll interval.
 */
import { metricMeter, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { KycSweepActivities } from '../activities/types.js';
import type { KycSweepResult } from './messages.js';
import { vobizTaskQueue } from './task-queues.js';

export interface KycSweepOptions {
  /** Sessions per page (1-100); default 100, the most Vobiz allows, so a sweep costs as few calls as possible. */
  pageSize?: number;
  /** The customers' task queue; default the sweep's own (the schedule starts it on the customers' queue). */
  customerTaskQueue?: string;
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
  const result = await sweepKycSessions({ taskQueue: options.customerTaskQueue ?? info.taskQueue, sweepId: info.workflowId, pageSize });
  // Emitted once (not on replay) by the workflow's meter, next to the lifecycle's metrics.
  metricMeter.createCounter('vobiz_kyc_sweep_nudged', 'customers', 'Customers the KYC sweep told to confirm their session').add(result.nudged);
  metricMeter.createCounter('vobiz_kyc_sweep_vobiz_calls', 'requests', 'Vobiz requests made by the KYC sweep').add(result.vobizCalls);
  metricMeter.createCounter('vobiz_kyc_sweep_runs', 'runs', 'KYC sweeps completed').add(1);
  return result;
}

/**
 * Webhook → `active` with the fleet parked: K parked customers complete KYC at the sandbox one at a time, a fixed
 * interval apart (so each is timed on its own, not behind a queue of the others), and each one's latency runs from
 * its completion at the sandbox (which then sends the signed webhook to the customer's bridge) to the history event
 * that made it `active` (its VobizStage upsert: the workflow confirmed the session with Vobiz and created the trunk).
 * The same histories are searched for failed workflow tasks (a nondeterminism after a deploy would show there).
 */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import type { temporal } from '@temporalio/proto';
import type { SandboxAdminClient } from '../../sandbox/admin-client.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { ParkedCustomer } from './customers.js';
import { percentile, sleep } from './stats.js';

/** One completion every this many ms: 5 a second, about 20 Vobiz requests a second, well inside the bench's budget. */
const SPACING_MS = 200;

export interface WebhookLatencyFigures {
  customers: number;
  spacingMs: number;
  reachedActive: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Workflow tasks that failed in those customers' histories (WorkflowTaskFailed events). */
  failedWorkflowTasks: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** When the workflow became `active`: its VobizStage upsert's event time, in epoch ms. */
function activeAt(events: readonly HistoryEvent[]): number | undefined {
  for (const e of events) {
    const data = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.VobizStage?.data;
    if (data && Buffer.from(data).toString('utf8') === '"active"') return tsToMs(e.eventTime);
  }
  return undefined;
}

export async function measureWebhookToActive(client: Client, admin: SandboxAdminClient, customers: readonly ParkedCustomer[], timeoutMs: number): Promise<WebhookLatencyFigures> {
  const completedAt = new Map<string, number>();
  for (const c of customers) {
    const began = Date.now();
    const open = (await client.workflow.getHandle(c.workflowId).query(statusQuery)).kyc.attempts.at(-1);
    if (!open || open.outcome) throw new Error(`${c.workflowId} has no open KYC session`);
    await admin.completeKyc(open.sessionId, { kyc_type: 'individual' });
    completedAt.set(c.workflowId, Date.now());
    await sleep(Math.max(0, SPACING_MS - (Date.now() - began)));
  }
  const latencies = new Map<string, number>();
  let failedWorkflowTasks = 0;
  const deadline = Date.now() + timeoutMs;
  while (latencies.size < customers.length && Date.now() < deadline) {
    for (const c of customers) {
      if (latencies.has(c.workflowId)) continue;
      const events = (await client.workflow.getHandle(c.workflowId).fetchHistory()).events ?? [];
      const at = activeAt(events);
      if (at === undefined) continue;
      latencies.set(c.workflowId, at - completedAt.get(c.workflowId)!);
      failedWorkflowTasks += events.filter((e) => e.workflowTaskFailedEventAttributes).length;
    }
    if (latencies.size < customers.length) await sleep(2_000);
  }
  const values = [...latencies.values()];
  return {
    customers: customers.length,
    spacingMs: SPACING_MS,
    reachedActive: values.length,
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
    maxMs: Math.max(...values),
    failedWorkflowTasks,
  };
}

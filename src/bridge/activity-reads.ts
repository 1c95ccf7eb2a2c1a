/**
 * The bridge's Vobiz reads, each run as a standalone activity on the Vobiz task queue (`<queue>-vobiz`) by the
 * workers, which hold the partner credentials: the bridge holds none, and its reads share the partner's rate budget
 * (the queue's `maxTaskQueueActivitiesPerSecond`) with every customer's calls instead of adding to it. Each answer
 * crosses Temporal encrypted by the codec and is parsed here with the Vobiz client's own schemas, so the routes get
 * exact `Money` as the CLI does.
 *
 * The activity ID is random (`vobiz-read-<uuid>`): it names no customer. Without a worker polling the Vobiz queue
 * the read fails when its deadline passes (TimeoutFailure), which the routes answer 503.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import type { VobizReadActivities } from '../activities/types.js';
import type { VobizReads } from '../reads/vobiz-reads.js';
import { AccountBalance, CdrPage, Dashboard, NumberPage, PartnerProfile, TransactionPage } from '../vobiz/index.js';
import { vobizTaskQueue } from '../workflows/task-queues.js';

/** Reads retry fast a few times (a 429 after the wait Vobiz asked for); the deadline bounds it all. */
const READ_RETRY = { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '5 s', maximumAttempts: 4 } as const;

const SUMMARIES: Record<keyof VobizReadActivities, string> = {
  readTransactionPage: 'Read transactions (bridge)',
  readCdrPage: 'Read call records (bridge)',
  readNumberPage: 'Read numbers (bridge)',
  readInventoryPage: 'Read number inventory (bridge)',
  readAccountBalance: 'Read balance (bridge)',
  readPartnerProfile: 'Read partner profile (bridge)',
  readPartnerDashboard: 'Read partner dashboard (bridge)',
};

export function activityReads(client: Client, taskQueue: string, { deadlineMs }: { deadlineMs: number }): VobizReads {
  const activities = client.activity.typed<VobizReadActivities>();
  const run = async <N extends keyof VobizReadActivities, S extends z.ZodType>(name: N, schema: S, args: Parameters<VobizReadActivities[N]>): Promise<z.output<S>> => {
    const result: unknown = await activities.execute(name, {
      id: `vobiz-read-${randomUUID()}`,
      taskQueue: vobizTaskQueue(taskQueue),
      args,
      scheduleToCloseTimeout: deadlineMs,
      startToCloseTimeout: Math.min(deadlineMs, 40_000),
      retry: READ_RETRY,
      summary: SUMMARIES[name],
    } as Parameters<typeof activities.execute<N>>[1]);
    return schema.parse(result);
  };
  return {
    transactions: (authId, params) => run('readTransactionPage', TransactionPage.envelope, [{ authId, params }]),
    cdrs: (authId, params) => run('readCdrPage', CdrPage.envelope, [{ authId, params }]),
    numbers: (authId, params) => run('readNumberPage', NumberPage.envelope, [{ authId, params }]),
    inventory: (params) => run('readInventoryPage', NumberPage.envelope, [{ params }]),
    balance: (authId) => run('readAccountBalance', AccountBalance, [{ authId }]),
    partner: () => run('readPartnerProfile', PartnerProfile, []),
    dashboard: () => run('readPartnerDashboard', Dashboard, []),
  };
}

/**
 * The partner-wide KYC sweep: finds customers whose KYC webhook was lost, at a cost that does not grow with the
 * number of customers.
 *
 * 1. Visibility lists the running customers of this task queue in stage `kyc` (a Temporal call, no Vobiz call).
 * 2. Only if there are any, Vobiz's open sessions are paged by status (`GET /kyc-sessions?status=…`, 100 a page):
 *    about (open sessions / 100) + 4 calls a sweep, whatever the number of customers.
 * 3. A customer waiting in kyc whose session Vobiz no longer lists as open (matched by the session's
 *    `metadata.workflowId`, or its account) is sent `kycCheck`; the workflow then confirms with the API at once.
 *
 * Every step is a read or a hint, so a retried sweep only repeats harmless work. Races are harmless too: a session
 * that closes while the pages are read, or a customer whose session is being opened, gets a hint it either acts on
 * (one more GET of its session) or ignores; a customer the sweep misses is found by the next one.
 */
import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { VobizClient } from '../vobiz/index.js';
import { kycCheckSignal, WORKFLOW_TYPE, type KycSweepResult } from '../workflows/messages.js';
import { AUTH_ID, STAGE } from '../workflows/search-attributes.js';
import { callOptions } from './deps.js';
import { vobizCall } from './failures.js';
import type { KycSweepActivities, KycSweepInput } from './types.js';

/** The statuses of a session the customer can still complete (docs/vobiz-api.md §5.10). */
export const OPEN_KYC_STATUSES = ['email_sent', 'link_ready', 'opened', 'in_progress'] as const;

/** Hints sent at once; signals are cheap, but thousands at once would crowd the frontend. */
const SIGNAL_CONCURRENCY = 50;

export interface KycSweepDeps {
  vobiz: VobizClient;
  /** A client of the namespace the customers run in (payloads encrypted like every client's). */
  client: Client;
}

/** Quotes a value for a visibility query (task queue names may contain quotes in principle). */
function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function kycSweepActivities({ vobiz, client }: KycSweepDeps): KycSweepActivities {
  async function customersInKyc(taskQueue: string): Promise<Map<string, string | undefined>> {
    const query = [
      `WorkflowType = ${quoted(WORKFLOW_TYPE)}`,
      `ExecutionStatus = 'Running'`,
      `TaskQueue = ${quoted(taskQueue)}`,
      `${STAGE.name} = 'kyc'`,
    ].join(' AND ');
    const waiting = new Map<string, string | undefined>();
    for await (const execution of client.workflow.list({ query, pageSize: 1000 })) {
      waiting.set(execution.workflowId, execution.typedSearchAttributes.get(AUTH_ID));
      if (waiting.size % 1000 === 0) heartbeat({ listed: waiting.size });
    }
    return waiting;
  }

  async function openSessions(pageSize: number): Promise<{ workflowIds: Set<string>; authIds: Set<string>; count: number; calls: number }> {
    const workflowIds = new Set<string>();
    const authIds = new Set<string>();
    let count = 0;
    let calls = 0;
    for (const status of OPEN_KYC_STATUSES) {
      for (let page = 1; ; page++) {
        const result = await vobizCall(() => vobiz.listKycSessions({ status, page, size: pageSize }, callOptions()));
        calls += 1;
        for (const session of result.sessions) {
          count += 1;
          if (session.account_auth_id) authIds.add(session.account_auth_id);
          const workflowId = session.metadata?.workflowId;
          if (typeof workflowId === 'string') workflowIds.add(workflowId);
        }
        heartbeat({ status, page });
        const total = result.total ?? undefined;
        if (result.sessions.length < pageSize || (total !== undefined && page * pageSize >= total)) break;
      }
    }
    return { workflowIds, authIds, count, calls };
  }

  return {
    async sweepKycSessions(input: KycSweepInput): Promise<KycSweepResult> {
      const waiting = await customersInKyc(input.taskQueue);
      if (waiting.size === 0) return { customersInKyc: 0, openSessions: 0, nudged: 0, vobizCalls: 0 };
      const open = await openSessions(input.pageSize);
      const toNudge = [...waiting].filter(
        ([workflowId, authId]) => !open.workflowIds.has(workflowId) && !(authId && open.authIds.has(authId)),
      );
      let nudged = 0;
      for (let i = 0; i < toNudge.length; i += SIGNAL_CONCURRENCY) {
        const batch = toNudge.slice(i, i + SIGNAL_CONCURRENCY);
        const sent = await Promise.all(
          batch.map(async ([workflowId]) => {
            try {
              await client.workflow.getHandle(workflowId).signal(kycCheckSignal, { sweepId: input.sweepId });
              return true;
            } catch (err) {
              if (err instanceof WorkflowNotFoundError) return false; // it closed since the listing: nothing to nudge
              throw err;
            }
          }),
        );
        nudged += sent.filter(Boolean).length;
        heartbeat({ nudged });
      }
      return { customersInKyc: waiting.size, openSessions: open.count, nudged, vobizCalls: open.calls };
    },
  };
}

/**
 * The partner-wide KYC sweep: finds customers whose KYC webhook was lost, at a cost that does not grow with the
 * number of customers, and in the steady state not with the number of open sessions either.
 *
 * 1. Visibility counts the running customers of this task queue waiting in kyc on a session our records call open
 *    (`VobizStage = 'kyc'` and `VobizKycStatus` one of the open statuses): a Temporal call, no Vobiz call. With none
 *    waiting the sweep stops there (0 Vobiz calls).
 * 2. The first page of each open status (`GET /kyc-sessions?status=…&size=100`, 4 calls) gives Vobiz's open
 *    total. Its *surplus* over our waiting customers (open − waiting) is everybody else's open sessions (other
 *    tools, orphans) minus ours that closed unseen. Sessions that close with their webhook delivered leave both
 *    figures (the customer leaves kyc); a new customer's session enters both. So a surplus below the previous
 *    sweep's baseline means a session closed and its customer did not hear of it: probably a lost webhook.
 * 3. Only then (or with no baseline, or when the last full paging is older than `fullPagingEveryMs`, the safety
 *    net for a coincidence like one of ours closed + one of someone else's opened) are the rest of the pages read,
 *    and every waiting customer whose session Vobiz no longer lists as open (matched by the session's
 *    `metadata.workflowId`, or its account) is sent `kycCheck`: the workflow then confirms with the API at once.
 *
 * The baseline travels from run to run in the result (the previous run is found through the schedule's recent
 * actions); after a paging it counts the nudged customers as gone, so their leaving cannot hide a new loss.
 * Every step is a read or a hint, so a retried sweep only repeats harmless work. A race (a session closing while
 * the pages are read, a customer whose session is being opened, visibility a moment behind) can only make the
 * surplus look *lower* at the next sweep, i.e. cost one unneeded paging; what it could hide, the safety net finds.
 */
import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { kycSweepScheduleId } from '../temporal/kyc-sweep-schedule.js';
import type { VobizClient } from '../vobiz/index.js';
import { kycCheckSignal, WORKFLOW_TYPE, type KycSweepPagingReason, type KycSweepResult } from '../workflows/messages.js';
import { AUTH_ID, KYC_STATUS, STAGE } from '../workflows/search-attributes.js';
import { callOptions } from './deps.js';
import { vobizCall } from './failures.js';
import type { KycSweepActivities, KycSweepInput } from './types.js';

/** The statuses of a session the customer can still complete (docs/vobiz-api.md §5.10). */
export const OPEN_KYC_STATUSES = ['email_sent', 'link_ready', 'opened', 'in_progress'] as const;

/** Hints sent at once; signals are cheap, but thousands at once would crowd the frontend. */
const SIGNAL_CONCURRENCY = 50;

/** How many of the schedule's recent runs are tried for the previous result (Temporal keeps the last 10). */
const PREVIOUS_RUNS_TRIED = 10;

interface KycSweepDeps {
  vobiz: VobizClient;
  /** A client of the namespace the customers run in (payloads encrypted like every client's). */
  client: Client;
}

/** Quotes a value for a visibility query (task queue names may contain quotes in principle). */
function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** What the next run needs of a result: a baseline and the last full paging (older results have neither). */
type Carried = Pick<KycSweepResult, 'baseline' | 'lastFullPagingAt'>;

interface OpenSessions {
  workflowIds: Set<string>;
  authIds: Set<string>;
  total: number;
  calls: number;
}

export function kycSweepActivities({ vobiz, client }: KycSweepDeps): KycSweepActivities {
  async function customersWaiting(taskQueue: string): Promise<Map<string, string | undefined>> {
    const query = [
      `WorkflowType = ${quoted(WORKFLOW_TYPE)}`,
      `ExecutionStatus = 'Running'`,
      `TaskQueue = ${quoted(taskQueue)}`,
      `${STAGE.name} = 'kyc'`,
      // Between attempts (or while its session is being opened) a customer waits on nothing Vobiz lists.
      `${KYC_STATUS.name} IN (${OPEN_KYC_STATUSES.map(quoted).join(', ')})`,
    ].join(' AND ');
    const waiting = new Map<string, string | undefined>();
    for await (const execution of client.workflow.list({ query, pageSize: 1000 })) {
      waiting.set(execution.workflowId, execution.typedSearchAttributes.get(AUTH_ID));
      if (waiting.size % 1000 === 0) heartbeat({ listed: waiting.size });
    }
    return waiting;
  }

  /** The latest completed run of this sweep's schedule before `sweepId`, if the schedule remembers one. */
  async function previousResult(taskQueue: string, sweepId: string): Promise<Carried | undefined> {
    let recent;
    try {
      recent = (await client.schedule.getHandle(kycSweepScheduleId(taskQueue)).describe()).info.recentActions;
    } catch {
      return undefined; // no schedule (a run started by hand): no baseline, so this run pages
    }
    const runs = recent
      .filter((a) => a.action.workflow.workflowId !== sweepId)
      .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())
      .slice(0, PREVIOUS_RUNS_TRIED);
    for (const run of runs) {
      const handle = client.workflow.getHandle<() => Promise<Partial<KycSweepResult>>>(run.action.workflow.workflowId);
      const { status } = await handle.describe().catch(() => ({ status: { name: 'UNKNOWN' } }));
      if (status.name !== 'COMPLETED') continue; // failed, timed out or still running: try the one before
      const result = await handle.result();
      // A result without them (a sweep that did not read totals) gives no baseline: this sweep pages everything.
      if (result.baseline === undefined || result.lastFullPagingAt === undefined) return undefined;
      return { baseline: result.baseline, lastFullPagingAt: result.lastFullPagingAt };
    }
    return undefined;
  }

  /** One page of a status's open sessions, added to `into`; returns the status's total. */
  async function readPage(status: (typeof OPEN_KYC_STATUSES)[number], page: number, pageSize: number, into: OpenSessions): Promise<{ total: number; last: boolean }> {
    const result = await vobizCall(() => vobiz.listKycSessions({ status, page, size: pageSize }, callOptions()));
    into.calls += 1;
    for (const session of result.sessions) {
      if (session.account_auth_id) into.authIds.add(session.account_auth_id);
      const workflowId = session.metadata?.workflowId;
      if (typeof workflowId === 'string') into.workflowIds.add(workflowId);
    }
    heartbeat({ status, page });
    const total = result.total ?? undefined;
    // Without a total (not documented as optional, but be safe) a short page is the last one.
    const last = result.sessions.length < pageSize || (total !== undefined && page * pageSize >= total);
    return { total: total ?? (page - 1) * pageSize + result.sessions.length, last };
  }

  async function signalAll(workflowIds: string[], sweepId: string): Promise<number> {
    let nudged = 0;
    for (let i = 0; i < workflowIds.length; i += SIGNAL_CONCURRENCY) {
      const batch = workflowIds.slice(i, i + SIGNAL_CONCURRENCY);
      const sent = await Promise.all(
        batch.map(async (workflowId) => {
          try {
            await client.workflow.getHandle(workflowId).signal(kycCheckSignal, { sweepId });
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
    return nudged;
  }

  return {
    async sweepKycSessions(input: KycSweepInput): Promise<KycSweepResult> {
      const startedAt = Date.now();
      const [waiting, previous] = await Promise.all([customersWaiting(input.taskQueue), previousResult(input.taskQueue, input.sweepId)]);
      if (waiting.size === 0) {
        // Nobody to lose a webhook: no Vobiz call, and no baseline for the next run (the sessions moved unseen).
        return { customersInKyc: 0, openSessions: 0, nudged: 0, vobizCalls: 0, paged: null, baseline: null, lastFullPagingAt: previous?.lastFullPagingAt ?? null };
      }

      // The totals: the first page of each open status (as many calls as `size=1` would cost, and it is page 1 of
      // a paging if one follows).
      const open: OpenSessions = { workflowIds: new Set(), authIds: new Set(), total: 0, calls: 0 };
      const more: (typeof OPEN_KYC_STATUSES)[number][] = [];
      for (const status of OPEN_KYC_STATUSES) {
        const first = await readPage(status, 1, input.pageSize, open);
        open.total += first.total;
        if (!first.last) more.push(status);
      }
      const surplus = open.total - waiting.size;

      const reason = pagingReason(previous, surplus, startedAt, input.fullPagingEveryMs);
      if (!reason && previous) {
        return { customersInKyc: waiting.size, openSessions: open.total, nudged: 0, vobizCalls: open.calls, paged: null, baseline: surplus, lastFullPagingAt: previous.lastFullPagingAt };
      }

      for (const status of more) {
        for (let page = 2; ; page++) if ((await readPage(status, page, input.pageSize, open)).last) break;
      }
      const toNudge = [...waiting]
        .filter(([workflowId, authId]) => !open.workflowIds.has(workflowId) && !(authId && open.authIds.has(authId)))
        .map(([workflowId]) => workflowId);
      const nudged = await signalAll(toNudge, input.sweepId);
      return {
        customersInKyc: waiting.size,
        openSessions: open.total,
        nudged,
        vobizCalls: open.calls,
        paged: reason ?? 'no_baseline',
        // The nudged customers are about to leave kyc: counted as gone already, so their leaving hides no new loss
        // (one still waiting at the next sweep costs that sweep a paging, and gets its hint again).
        baseline: surplus + toNudge.length,
        lastFullPagingAt: new Date(startedAt).toISOString(),
      };
    },
  };
}

/** Why this sweep must page all open sessions, or null when the totals say no session of ours closed unseen. */
export function pagingReason(previous: Carried | undefined, surplus: number, now: number, fullPagingEveryMs: number): KycSweepPagingReason | null {
  if (!previous || previous.baseline === null || previous.lastFullPagingAt === null) return 'no_baseline';
  if (surplus < previous.baseline) return 'open_total_fell';
  if (now - Date.parse(previous.lastFullPagingAt) >= fullPagingEveryMs) return 'safety_net';
  return null;
}

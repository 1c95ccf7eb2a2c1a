/**
 * Usage monitoring: pages through the customer's call records since the last checkpoint and returns a summary
 * only. CDR pages can be large and carry phone numbers; none of that enters workflow history.
 *
 * The checkpoint is the latest call *end* seen: a CDR is written when a call ends, so a long call that started
 * before the previous poll still shows up in the next one. The date filter reaches one day back for the same reason.
 */
import { heartbeat } from '@temporalio/activity';
import { Money, type Cdr } from '../vobiz/index.js';
import type { UsageSnapshot } from '../workflows/messages.js';
import { callOptions, type ActivityDeps } from './deps.js';
import { vobizCall } from './failures.js';
import type { SummarizeUsageInput } from './types.js';

const DAY_MS = 86_400_000;

/** Vobiz's CDR status vocabulary, derived from the record (list rows carry no status field of their own). */
export function callStatus(cdr: Cdr): 'answered' | 'busy' | 'no_answer' | 'failed' {
  if (cdr.answer_time || (cdr.billsec ?? 0) > 0) return 'answered';
  const cause = (cdr.hangup_cause ?? '').toUpperCase();
  if (cause === 'USER_BUSY') return 'busy';
  if (cause === 'NO_ANSWER' || cause === 'ORIGINATOR_CANCEL') return 'no_answer';
  return 'failed';
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function usageActivities({ vobiz }: ActivityDeps) {
  return {
    async summarizeUsage({ authId, since }: SummarizeUsageInput): Promise<UsageSnapshot> {
      return vobizCall(async () => {
        const sinceMs = Date.parse(since);
        const byStatus: Record<string, number> = {};
        const byHangupCause: Record<string, number> = {};
        let calls = 0;
        let answered = 0;
        let failed = 0;
        let billableMinutes = 0;
        let cost = Money.ZERO;
        let checkpointMs = sinceMs;
        let lastCallAt: string | undefined;
        let seen = 0;

        const filters = { startDate: isoDate(sinceMs - DAY_MS), endDate: isoDate(Date.now() + DAY_MS), perPage: 100 };
        for await (const cdr of vobiz.iterateCdrs(authId, filters, callOptions())) {
          if (++seen % 100 === 0) heartbeat(seen);
          const endedMs = Date.parse(cdr.end_time ?? cdr.created_at ?? cdr.start_time ?? '');
          if (!(endedMs > sinceMs)) continue;
          calls += 1;
          const status = callStatus(cdr);
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          const cause = cdr.hangup_cause ?? 'UNKNOWN';
          byHangupCause[cause] = (byHangupCause[cause] ?? 0) + 1;
          if (status === 'answered') answered += 1;
          if (status === 'failed') failed += 1;
          billableMinutes += Math.ceil((cdr.billsec ?? 0) / 60);
          cost = cost.add(cdr.total_cost ?? cdr.cost ?? Money.ZERO);
          checkpointMs = Math.max(checkpointMs, endedMs);
          if (cdr.start_time && (!lastCallAt || cdr.start_time > lastCallAt)) lastCallAt = cdr.start_time;
        }

        const balance = await vobiz.getAccountBalance(authId, callOptions());
        return {
          polledAt: new Date().toISOString(),
          checkpoint: new Date(checkpointMs).toISOString(),
          window: {
            calls,
            answered,
            byStatus,
            byHangupCause,
            answerRate: calls ? answered / calls : 0,
            failedShare: calls ? failed / calls : 0,
            billableMinutes,
            cost: cost.toString(),
            ...(lastCallAt ? { lastCallAt } : {}),
          },
          balance: Money.parse(balance.cash_credits ?? 0).toString(),
          currency: balance.currency ?? 'INR',
        };
      });
    },
  };
}

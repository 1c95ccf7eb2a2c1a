/**
 * Usage monitoring: pages through the customer's call records since the last checkpoint and returns a summary
 * only. CDR pages can be large and carry phone numbers; none of that enters workflow history.
 *
 * The checkpoint is the highest CDR id seen: ids grow as records are written, and a record is written when a call
 * ends, so a long call that started (or a record that arrived) before the previous poll is still counted exactly
 * once. The date filter (on start time) reaches one day before the previous poll for the same reason.
 */
import { heartbeat } from '@temporalio/activity';
import { Money, type Cdr } from '../vobiz/index.js';
import type { UsageSnapshot } from '../workflows/messages.js';
import { callOptions, type ActivityDeps } from './deps.js';
import { accountGoneOr, vobizCall } from './failures.js';
import type { SummarizeUsageInput } from './types.js';

const DAY_MS = 86_400_000;

/** Vobiz's CDR status vocabulary, derived from the record (list rows carry no status field of their own). */
function callStatus(cdr: Cdr): 'answered' | 'busy' | 'no_answer' | 'failed' {
  if (cdr.answer_time || (cdr.billsec ?? 0) > 0) return 'answered';
  const cause = (cdr.hangup_cause ?? '').toUpperCase();
  if (cause === 'USER_BUSY') return 'busy';
  if (cause === 'NO_ANSWER' || cause === 'ORIGINATOR_CANCEL') return 'no_answer';
  return 'failed';
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function usageActivities({ vobiz }: ActivityDeps) {
  return {
    async summarizeUsage({ authId, since, afterCdrId }: SummarizeUsageInput): Promise<UsageSnapshot> {
      return vobizCall(async () => {
        const byStatus: Record<string, number> = {};
        const byHangupCause: Record<string, number> = {};
        let calls = 0;
        let answered = 0;
        let failed = 0;
        let billableMinutes = 0;
        let cost = Money.ZERO;
        let lastCdrId = afterCdrId;
        let lastCallAt: string | undefined;
        let seen = 0;

        const filters = { startDate: isoDate(Date.parse(since) - DAY_MS), endDate: isoDate(Date.now() + DAY_MS), perPage: 100 };
        for await (const cdr of vobiz.iterateCdrs(authId, filters, callOptions())) {
          if (++seen % 100 === 0) heartbeat(seen);
          const id = Number(cdr.id);
          if (!Number.isFinite(id) || id <= afterCdrId) continue;
          calls += 1;
          const status = callStatus(cdr);
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          const cause = cdr.hangup_cause ?? 'UNKNOWN';
          byHangupCause[cause] = (byHangupCause[cause] ?? 0) + 1;
          if (status === 'answered') answered += 1;
          if (status === 'failed') failed += 1;
          billableMinutes += Math.ceil((cdr.billsec ?? 0) / 60);
          cost = cost.add(cdr.total_cost ?? cdr.cost ?? Money.ZERO);
          lastCdrId = Math.max(lastCdrId, id);
          if (cdr.start_time && (!lastCallAt || cdr.start_time > lastCallAt)) lastCallAt = cdr.start_time;
        }

        const balance = await vobiz.getAccountBalance(authId, callOptions()).catch((err: unknown) => {
          throw accountGoneOr(err, authId);
        });
        return {
          polledAt: new Date().toISOString(),
          checkpoint: new Date().toISOString(),
          lastCdrId,
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

    /** The customer wallet's balance, e.g. at offboarding, when the partner must reclaim it through Vobiz support. */
    async readBalance({ authId }: { authId: string }): Promise<{ balance: string; currency: string }> {
      return vobizCall(async () => {
        const balance = await vobiz.getAccountBalance(authId, callOptions()).catch((err: unknown) => {
          throw accountGoneOr(err, authId);
        });
        return { balance: Money.parse(balance.cash_credits ?? 0).toString(), currency: balance.currency ?? 'INR' };
      });
    },
  };
}

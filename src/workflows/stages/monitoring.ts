/**
 * The active customer: usage polled every cdrPollInterval until offboarding, with alerts on a low balance and a jump
 * in failed calls. Continues-as-new every `monitoring.pollsPerRun` polls to keep each run's history small.
 */
import { allHandlersFinished, condition, workflowInfo } from '@temporalio/workflow';
import { addAmounts, compareAmounts, ZERO } from '../amounts.js';
import { boundedWait } from '../bounded-wait.js';
import { durationMs } from '../duration.js';
import type { UsageSnapshot } from '../messages.js';
import { sendAlert } from '../run/alerts.js';
import { requireAuthId, setStage, touch, type LifecycleRun } from '../run/context.js';
import { continueAsNewIfLong } from '../steps/continue-as-new.js';
import { step } from '../steps/step.js';
import { pollDelayMs } from './poll-delay.js';
import { waitSummary } from '../visibility.js';

export async function monitorUsage(run: LifecycleRun): Promise<void> {
  const { state, requests, calls } = run;
  const monitoring = run.input.monitoring;
  const pollMs = durationMs(monitoring.cdrPollInterval);
  const usage = (state.usage ??= {
    totals: { calls: 0, answered: 0, billableMinutes: 0, cost: ZERO },
    alerts: [],
    runs: 1,
  });
  let since = usage.last?.checkpoint ?? state.updatedAt;
  let afterCdrId = usage.last?.lastCdrId ?? 0;
  setStage(run, 'active');
  const continueAsNew = async () => {
    await condition(allHandlersFinished);
    if (requests.offboard) return;
    usage.runs += 1;
    await continueAsNewIfLong(run, true);
  };
  for (let poll = 1; ; poll++) {
    const end = await boundedWait(() => Boolean(requests.offboard), pollDelayMs(pollMs), { summary: waitSummary(state, 'Next usage poll'), bounded: run.boundedWaits });
    if (requests.offboard) return;
    if (end === 'history_long') {
      await continueAsNew(); // before the poll: the next run polls after a full interval
      return;
    }
    const snapshot = await step(run, 'active', () => calls.read('summarizeUsage', 'Poll usage', { authId: requireAuthId(state), since, afterCdrId }));
    await raiseAlerts(run, usage.last, snapshot);
    usage.last = snapshot;
    usage.totals = {
      calls: usage.totals.calls + snapshot.window.calls,
      answered: usage.totals.answered + snapshot.window.answered,
      billableMinutes: usage.totals.billableMinutes + snapshot.window.billableMinutes,
      cost: addAmounts(usage.totals.cost, snapshot.window.cost),
    };
    since = snapshot.checkpoint;
    afterCdrId = snapshot.lastCdrId;
    touch(run);

    if (workflowInfo().continueAsNewSuggested || poll >= monitoring.pollsPerRun) {
      await continueAsNew();
      if (requests.offboard) return;
    }
  }
}

async function raiseAlerts(run: LifecycleRun, previous: UsageSnapshot | undefined, current: UsageSnapshot): Promise<void> {
  const { lowBalanceThreshold, failedCallJump } = run.input.monitoring;
  const isLow = (s: UsageSnapshot) => compareAmounts(s.balance, lowBalanceThreshold) < 0;
  // Alert on the transition into low balance, not on every poll while it stays low.
  if (isLow(current) && !(previous && isLow(previous))) {
    await sendAlert(run, { kind: 'low_balance', detail: `balance ${current.balance} ${current.currency} below ${lowBalanceThreshold}` });
  }
  const jump = current.window.failedShare - (previous?.window.failedShare ?? 0);
  if (current.window.calls > 0 && jump >= failedCallJump) {
    await sendAlert(run, {
      kind: 'failed_calls_jump',
      detail: `failed-call share rose from ${Math.round((previous?.window.failedShare ?? 0) * 100)}% to ${Math.round(current.window.failedShare * 100)}%`,
    });
  }
}

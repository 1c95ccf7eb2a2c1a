/**
 * Waits that cannot be kept from their continue-as-new. Anything from outside (signals above all) adds history
 * events to a waiting run without waking it; a wait that only wakes on its own condition would let them grow the
 * run to Temporal's hard limit (51,200 events), which terminates the customer. A bounded wait also wakes when the
 * run's history passes HISTORY_EVENTS_BOUND (or Temporal suggests continuing as new), so the caller can continue
 * as new, carrying its state, whatever arrives and however fast.
 */
import type { Duration } from '@temporalio/common';
import { condition, workflowInfo } from '@temporalio/workflow';

/** A run's history past this many events continues-as-new at the next safe point, whatever Temporal suggests. */
export const HISTORY_EVENTS_BOUND = 5_000;

/** True when this run should continue as new: Temporal suggests it, or its history passed HISTORY_EVENTS_BOUND. */
export function historyPastBound(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= HISTORY_EVENTS_BOUND;
}

/** How a bounded wait ended: its condition met, its time up, or the run's history long enough to continue as new. */
export type BoundedWaitEnd = 'met' | 'timed_out' | 'history_long';

/**
 * `condition(done, timeout)` that also ends when the history passes its bound. `bounded: false` is exactly the
 * plain condition (the path of runs started before bounded waits, kept for their replay).
 */
export async function boundedWait(done: () => boolean, timeout: Duration, options: { summary: string; bounded: boolean }): Promise<BoundedWaitEnd> {
  const { summary, bounded } = options;
  const woke = await condition(() => done() || (bounded && historyPastBound()), timeout, { summary });
  if (!woke) return 'timed_out';
  return done() ? 'met' : 'history_long';
}

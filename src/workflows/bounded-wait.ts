/**
 * Waits that cannot be kept from their continue-as-new. Anything from outside (signals above all) adds history
 * events to a waiting run without waking it; a wait that only wakes on its own condition would let them grow the
 * run to Temporal's hard limit (51,200 events), which terminates the customer. A bounded wait also wakes when the
 * run's history passes HISTORY_EVENTS_BOUND (or Temporal suggests continuing as new), so the caller can continue
 * as new, carrying its state, whatever arrives and however fast.
 */
import type { Duration } from '@temporalio/common';
import { condition, workflowInfo } from '@temporalio/workflow';
import { durationMs } from './duration.js';

/** A run's history past this many events continues-as-new at the next safe point, whatever Temporal suggests. */
const HISTORY_EVENTS_BOUND = 5_000;

/** True when this run should continue as new: Temporal suggests it, or its history passed HISTORY_EVENTS_BOUND. */
export function historyPastBound(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= HISTORY_EVENTS_BOUND;
}

/** How a bounded wait ended: its condition met, its time up, or the run's history long enough to continue as new. */
type BoundedWaitEnd = 'met' | 'timed_out' | 'history_long';

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

/**
 * A bounded wait for an operator's decision (`done`) until an absolute deadline kept in `state.operatorWaitUntil`
 * (set on first entry to `wait` from now), so a run that continues as new while waiting, its history past the bound,
 * hands the same deadline to the next run, which resumes the wait. `continueAsNew` continues the run as new (it
 * returns only if the run turned out not to be long). True when decided, false when the deadline passed.
 */
export async function awaitOperatorUntil(
  state: { operatorWaitUntil?: string },
  done: () => boolean,
  options: { wait: string; summary: string; continueAsNew: () => Promise<void> },
): Promise<boolean> {
  const until = Date.parse((state.operatorWaitUntil ??= new Date(Date.now() + durationMs(options.wait)).toISOString()));
  for (;;) {
    const end = await boundedWait(done, Math.max(until - Date.now(), 1000), { summary: options.summary, bounded: true });
    if (end === 'history_long') {
      await options.continueAsNew();
      continue;
    }
    delete state.operatorWaitUntil;
    return end === 'met';
  }
}

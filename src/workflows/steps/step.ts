/**
 * The step runner: every Vobiz step runs under the failure policy (failure-policy.ts) until it succeeds. The
 * customer's data refused → `blocked` until an operator retries (then the step runs again, with corrections applied)
 * or offboards; anything else → a visible stall, retried on a capped backoff. Nothing fails the customer.
 */
import { ActivityFailure, log, patched } from '@temporalio/workflow';
import { boundedWait } from '../bounded-wait.js';
import { classifyFailure, stallDelayMs, type ClassifiedFailure } from '../failure-policy.js';
import { recordBlockedStep, recordStallRound } from '../lifecycle-metrics.js';
import type { Stage, StallKind } from '../messages.js';
import { sendAlert } from '../run/alerts.js';
import { OffboardRequested, offboardPending, touch, type LifecycleRun } from '../run/context.js';
import { PATCH } from '../run/patches.js';
import { waitSummary } from '../visibility.js';
import { continueAsNewIfLong } from './continue-as-new.js';
import { waitForRetry } from './operator-wait.js';

interface StepOptions {
  /** The stage a refusal of the customer's data blocks; without it, such a refusal stalls like any other failure. */
  blockAs?: Stage;
  /** A failure that ends the step instead of stalling it (offboarding's refusal rules): `StepEnded('refused')`. */
  endsOn?: (failure: ClassifiedFailure) => boolean;
  /** Asked after each failed round: true ends the step instead of stalling it again (`StepEnded('interrupted')`). */
  interrupted?: () => boolean;
}

/** A step that `endsOn` or `interrupted` ended before it succeeded; the stall, if any, is cleared. */
export class StepEnded extends Error {
  constructor(
    readonly why: 'refused' | 'interrupted',
    readonly failure: ClassifiedFailure,
  ) {
    super(`step ended (${why}): ${failure.type}`);
  }
}

/**
 * Runs `call` until it succeeds, under the failure policy, or until `options` end it. An offboard request ends a
 * wait with `OffboardRequested`.
 */
export async function step<T>(run: LifecycleRun, name: string, call: () => Promise<T>, options: StepOptions = {}): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      const result = await call();
      if (run.state.stall) endStall(run);
      return result;
    } catch (err) {
      // Workflows started before the failure policy let the failure end the run (lifecycle.ts, failOrRethrow).
      if (!(err instanceof ActivityFailure) || !patched(PATCH.failurePolicy)) throw err;
      const failure = classifyFailure(err);
      if (failure.kind === 'customer_data' && options.blockAs) {
        await block(run, options.blockAs, failure);
        round = -1;
        continue;
      }
      const ended = options.endsOn?.(failure) ? 'refused' : options.interrupted?.() ? 'interrupted' : undefined;
      if (ended) {
        if (run.state.stall) endStall(run, ended);
        throw new StepEnded(ended, failure);
      }
      await stall(run, name, failure, round, options.interrupted);
    }
  }
}

async function block(run: LifecycleRun, step: Stage, failure: ClassifiedFailure): Promise<void> {
  if (run.state.stall) endStall(run);
  run.state.blocked = {
    step,
    type: failure.type,
    reason: failure.message,
    since: new Date().toISOString(),
    ...(failure.owner ? { owner: failure.owner } : {}),
  };
  recordBlockedStep(step, failure.type);
  log.warn('Step blocked: Vobiz refused the customer data; waiting for an operator', { step, type: failure.type });
  // Alongside the wait, not before it: the operator's 30 days start with the block, and an alert receiver that is
  // down delays nothing but the end of the wait (sendAlert gives up after a few tries).
  const alerted = patched(PATCH.blockedAlert)
    ? sendAlert(run, { kind: 'blocked', detail: `${step} is blocked, waiting for an operator's retry or offboard: ${failure.type}: ${failure.message}` })
    : undefined;
  try {
    await waitForRetry(run);
  } finally {
    await alerted;
  }
}

async function stall(run: LifecycleRun, name: string, failure: ClassifiedFailure, round: number, interrupted?: () => boolean): Promise<void> {
  const kind: StallKind = failure.kind === 'customer_data' ? 'unexpected' : failure.kind;
  const first = !run.state.stall;
  const since = run.state.stall?.since ?? new Date().toISOString();
  run.state.stall = { step: name, kind, type: failure.type, reason: failure.message, since, rounds: round + 1 };
  touch(run);
  recordStallRound(name, kind);
  log.warn('Step stalled: retrying by itself', { step: name, kind, type: failure.type, round: round + 1 });
  if (first) await sendAlert(run, { kind: 'stalled', detail: `${name} is retrying by itself: ${kind} (${failure.type}): ${failure.message}` });
  const waitMs = stallDelayMs(round, run.calls.settleDelayMs);
  const woken = () => offboardPending(run) || Boolean(interrupted?.());
  await boundedWait(woken, waitMs, { summary: waitSummary(run.state, `Retry ${name} (${kind})`), bounded: run.boundedWaits });
  if (offboardPending(run)) throw new OffboardRequested();
  // An interrupted wait goes round once more: the step's next failure ends it (above).
  await continueAsNewIfLong(run);
}

function endStall(run: LifecycleRun, ended?: StepEnded['why']): void {
  const stall = run.state.stall!;
  const how = ended ? `Stalled step ended without succeeding (${ended})` : 'Stalled step recovered';
  log.info(how, { step: stall.step, kind: stall.kind, rounds: stall.rounds, since: stall.since });
  delete run.state.stall;
  touch(run);
}

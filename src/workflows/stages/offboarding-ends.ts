/**
 * Offboarding always ends (docs/design.md §4). Each offboarding step runs under the failure policy like any other,
 * with two ways out that other steps do not have:
 * - the account is gone: a 404 on the account's own reads (`VobizAccountGone`) means Vobiz no longer has it, so
 *   there is nothing of it left to close: the step, and every later step that needs the account, is done;
 * - an operator forced the end (`offboard --force`): a step that fails once more is left as it stands and recorded
 *   in `offboarding.left` (numbers not released, trunk not disabled, session not revoked, balance unknown).
 * Any other refusal stalls the step as usual, with its reason in the state, one alert and `VobizStalled`, until its
 * cause is fixed or the end is forced.
 */
import { patched } from '@temporalio/workflow';
import type { ClassifiedFailure } from '../failure-policy.js';
import type { OffboardingLeft } from '../messages.js';
import { touch, type LifecycleRun } from '../run/context.js';
import { PATCH } from '../run/patches.js';
import { step, StepEnded } from '../steps/step.js';

/** How one offboarding step ended: done (its result), done because the account is gone, or left by a forced end. */
type OffboardingStepEnd<T> = { done: true; result?: T; accountGone?: true } | { done: false };

/** Runs one offboarding step (see above). A step that needs the account is not even tried once it is known gone. */
export async function offboardingStep<T>(run: LifecycleRun, call: () => Promise<T>, needsAccount = true): Promise<OffboardingStepEnd<T>> {
  if (needsAccount && run.state.offboarding?.accountGone) return { done: true, accountGone: true };
  try {
    return { done: true, result: await step(run, 'offboarding', call, { endsOn: accountGone, interrupted: () => forceRequested(run) }) };
  } catch (err) {
    if (!(err instanceof StepEnded)) throw err;
    if (err.why === 'interrupted') return { done: false };
    run.state.offboarding!.accountGone = true;
    touch(run);
    return { done: true, accountGone: true };
  }
}

/** The account-gone rule, for customers stalled on it before it existed too (PATCH.offboardingEnds). */
function accountGone(failure: ClassifiedFailure): boolean {
  return failure.type === 'VobizAccountGone' && patched(PATCH.offboardingEnds);
}

function forceRequested(run: LifecycleRun): boolean {
  return Boolean(run.requests.forceOffboard ?? run.state.offboarding?.forced);
}

/** Records a force asked for before offboarding began (it arrived with the offboard request). */
export function takeForceRequest(run: LifecycleRun): void {
  const offboarding = run.state.offboarding;
  if (offboarding && run.requests.forceOffboard && !offboarding.forced) offboarding.forced = run.requests.forceOffboard;
}

/** Adds to what the forced end left at Vobiz. */
export function recordLeft(run: LifecycleRun, left: OffboardingLeft): void {
  const offboarding = run.state.offboarding!;
  const was = offboarding.left ?? {};
  offboarding.left = {
    ...was,
    ...left,
    ...(left.numbers ? { numbers: [...(was.numbers ?? []), ...left.numbers] } : {}),
  };
  touch(run);
}

/** The offboarded stage's reason: the request's, and how the offboarding ended when it did not close everything. */
export function offboardedReason(run: LifecycleRun, requested: string): string {
  const offboarding = run.state.offboarding;
  const notes: string[] = [];
  if (offboarding?.accountGone) notes.push('the Vobiz account was already gone');
  if (offboarding?.forced) {
    const left = offboarding.left;
    const items = [
      left?.numbers?.length ? `${left.numbers.length} number(s) not released` : '',
      left?.trunkId ? 'the trunk not disabled' : '',
      left?.kycSessionId ? 'the KYC session not revoked' : '',
      left?.balanceUnknown ? 'the balance unknown' : '',
    ].filter(Boolean);
    notes.push(`ended by offboard --force (${offboarding.forced.reason})${items.length ? `, leaving ${items.join(', ')}` : ''}`);
  }
  return notes.length ? `${requested} (${notes.join('; ')})` : requested;
}

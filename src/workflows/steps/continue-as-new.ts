/**
 * Continue-as-new: a customer lives for months or years in one workflow, its history kept small by handing its state
 * to a new run whenever this one's history is long, or a stage's bound of polls is reached.
 */
import { allHandlersFinished, condition, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import { historyPastBound } from '../bounded-wait.js';
import type { OnboardingInput } from '../input-types.js';
import { OffboardRequested, offboardPending, type LifecycleRun, type LifecycleWorkflow } from '../run/context.js';

/**
 * Continues-as-new when this run's history is long (Temporal suggests it, or past HISTORY_EVENTS_BOUND), after
 * in-flight handlers finish. The state carries everything; the customer's details are left behind once the
 * account exists. `force` continues regardless (a bound of polls reached).
 */
export async function continueAsNewIfLong(run: LifecycleRun, force = false): Promise<void> {
  const info = workflowInfo();
  if (!force && !historyPastBound()) return;
  // Handlers may still be running (e.g. a number purchase): let them finish, or continue-as-new drops them.
  await condition(allHandlersFinished);
  if (offboardPending(run)) throw new OffboardRequested();
  const { customer, ...withoutCustomer } = run.input;
  const carried: OnboardingInput = run.state.authId || !customer ? withoutCustomer : run.input;
  // The memo (the start API's input fingerprint) is carried explicitly, so a repeated start stays comparable.
  const next = makeContinueAsNewFunc<LifecycleWorkflow>({ memo: info.memo ?? {} });
  await next(carried, { state: run.state, seenEventKeys: [...run.seenEventKeys].slice(-100) });
}

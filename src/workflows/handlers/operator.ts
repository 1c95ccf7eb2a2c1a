/**
 * The operator's handlers for a blocked or live customer: retry a blocked step, hand over an account, buy a number,
 * offboard. Validators refuse what the stage does not allow, so a refused request never reaches history.
 */
import { normalizeCorrections, trunkProblems, type RetryCorrections } from '../input-structure.js';
import type { NumberRequest } from '../input-types.js';
import { TERMINAL_STAGES, type HandOverAccountArgs, type NumberPurchaseArgs, type OffboardArgs, type ReasonArgs, type RetryArgs, type Stage } from '../messages.js';
import { requireCustomer, type LifecycleRun } from '../run/context.js';
import { buyNumber } from '../stages/telephony.js';
import { workflowIdFor } from '../workflow-ids.js';
import { requestForcedOffboard, validateForcedOffboard } from './offboard-force.js';

export function validateRetry(run: LifecycleRun, args: RetryArgs): void {
  const { state, input } = run;
  if (state.stage !== 'blocked' || !state.blocked || run.requests.offboard) {
    throw new Error(`retry is allowed only in stage blocked; the stage is ${state.stage}`);
  }
  const checked = normalizeCorrections(args);
  if (!checked.ok) throw new Error(checked.problems.map((p) => `${p.field} ${p.rule}`).join('; '));
  if (checked.value.customer && !input.customer) throw new Error('customer corrections apply only before the account exists');
  if (checked.value.trunk) {
    const problems = trunkProblems({ ...input.telephony.trunk, ...checked.value.trunk });
    if (problems.length) throw new Error(problems.map((p) => `trunk.${p.field} ${p.rule}`).join('; '));
  }
}

/** The blocked step runs again, with the corrections applied (steps/operator-wait.ts). */
export function retry(run: LifecycleRun, args: RetryArgs | undefined): { stage: Stage } {
  run.requests.retry = normalizeRetry(args);
  return { stage: run.state.blocked?.step ?? run.state.stage };
}

export function validateOffboard(run: LifecycleRun, args: OffboardArgs): void {
  requireReason(args);
  if (args.force === true) return validateForcedOffboard(run);
  const { stage } = run.state;
  if (TERMINAL_STAGES.includes(stage) || stage === 'offboarding' || run.requests.offboard) {
    throw new Error(`offboard is not allowed: the stage is ${stage}${run.requests.offboard ? ' (offboarding already requested)' : ''}`);
  }
}

/** Whatever the customer waits on ends, and the main flow offboards. */
export function requestOffboard(run: LifecycleRun, args: OffboardArgs): { stage: Stage } {
  if (args.force === true) return requestForcedOffboard(run, args);
  run.requests.offboard ??= { reason: args.reason.trim() };
  return { stage: 'offboarding' };
}

export function validateHandOverAccount(run: LifecycleRun, args: HandOverAccountArgs): void {
  requireReason(args);
  const { state } = run;
  const blocked = state.blocked;
  if (state.stage !== 'blocked' || blocked?.step !== 'account' || blocked.type !== 'EmailInUse' || run.requests.offboard || !run.input.customer) {
    throw new Error(`handOverAccount is allowed only while account creation is blocked on EmailInUse; the stage is ${state.stage}`);
  }
  const owner = blocked.owner?.customerRef ?? null;
  if (args.from !== owner) {
    throw new Error(owner ? `from must be ${owner}, the account's owner when the step was blocked` : 'from must be null: no customer of this service owns the account');
  }
}

export function handOverAccount(run: LifecycleRun, { from, reason }: HandOverAccountArgs): Promise<{ stage: Stage }> {
  return run.updateLock.runExclusive(async () => {
    await run.calls.idempotentWrite('handOverAccount', 'Hand over account (operator)', {
      workflowId: run.state.workflowId,
      email: requireCustomer(run).email,
      fromWorkflowId: from === null ? null : workflowIdFor(from),
      reason: reason.trim(),
    });
    // The claim is this customer's now: the blocked account step runs again and adopts the account.
    run.requests.retry = {};
    return { stage: 'account' };
  });
}

export function validatePurchaseNumber(run: LifecycleRun, args: NumberPurchaseArgs): void {
  const { state } = run;
  if (!['telephony', 'active'].includes(state.stage) || !state.telephony.trunkId || run.requests.offboard) {
    throw new Error(`purchaseNumber is allowed only once the trunk exists (telephony or active); the stage is ${state.stage}`);
  }
  if (typeof args?.country !== 'string' || (args.search !== undefined && typeof args.search !== 'string')) {
    throw new Error('country must be a string; search, when given, must be a string');
  }
}

export function purchaseNumber(run: LifecycleRun, args: NumberPurchaseArgs): Promise<{ e164: string }> {
  return run.updateLock.runExclusive(async () => ({ e164: await buyNumber(run, numberRequest(args)) }));
}

export function requireReason(args: ReasonArgs | undefined): void {
  const reason = args?.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) {
    throw new Error('reason is required: a non-empty string of at most 500 characters');
  }
}

function normalizeRetry(args: RetryArgs | undefined): RetryCorrections {
  const checked = normalizeCorrections(args ?? {});
  return checked.ok ? checked.value : {};
}

function numberRequest(args: NumberPurchaseArgs): NumberRequest {
  return { country: args.country, ...(args.search ? { search: args.search } : {}) };
}

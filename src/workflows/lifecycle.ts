/**
 * One customer's whole life on Vobiz, as one durable workflow:
 *   account → funding → kyc → telephony → active → offboarding → offboarded
 * with kyc_failed / kyc_expired / kyc_revoked / blocked (waiting, bounded, for an operator).
 *
 * The workflow decides and waits; activities do every Vobiz call and reconcile before repeating one. Each stage is
 * a module of its own (stages/), run on the run's shared context (run/context.ts). Every Vobiz step runs under the
 * failure policy (steps/step.ts, failure-policy.ts): the customer's own bad data blocks it for an operator; refused
 * credentials, outages and bugs stall it visibly until they are fixed; nothing fails the customer. Every wait
 * continues-as-new before its history grows large, whatever arrives (bounded-wait.ts), so a customer can live for
 * years. The handlers (handlers/) only record what was asked: the stages act on it where they wait. A `kycEvent` is
 * a hint that makes the workflow confirm the session with the API now instead of at the next poll; the Update's
 * validator drops events that cannot matter before they reach history (kyc-event-intake.ts).
 */
import { ApplicationFailure, ContinueAsNew, TemporalFailure, isCancellation, patched, setHandler } from '@temporalio/workflow';
import { SEALED_RULE, isSealedSecret } from '../secrets/sealed-format.js';
import * as kyc from './handlers/kyc.js';
import * as operator from './handlers/operator.js';
import { releaseNumber, validateReleaseNumber } from './handlers/release-number.js';
import { normalizeInput } from './input-structure.js';
import type { OnboardingInput } from './input-types.js';
import { handleKycEventUpdates } from './kyc-event-intake.js';
import {
  handOverAccountUpdate,
  kycCheckSignal,
  kycEventSignal,
  offboardUpdate,
  purchaseNumberUpdate,
  releaseNumberUpdate,
  restartKycUpdate,
  resendKycUpdate,
  retryUpdate,
  revokeKycUpdate,
  statusQuery,
  type HandOverAccountArgs,
  type LifecycleSummary,
  type NumberPurchaseArgs,
  type OffboardArgs,
  type ReasonArgs,
  type ReleaseNumberArgs,
  type RetryArgs,
} from './messages.js';
import { OffboardRequested, setStage, startRun, summaryOf, type LifecycleRun, type ResumeState } from './run/context.js';
import { PATCH } from './run/patches.js';
import { provisionAccount } from './stages/account.js';
import { fund } from './stages/funding.js';
import { KYC_WAITS, runKyc } from './stages/kyc.js';
import { monitorUsage } from './stages/monitoring.js';
import { offboard } from './stages/offboarding.js';
import { provisionTelephony } from './stages/telephony.js';
import { waitForRetry } from './steps/operator-wait.js';

export async function customerLifecycle(rawInput: unknown, resume?: ResumeState): Promise<LifecycleSummary> {
  const run = startRun(checkedInput(rawInput, resume), resume);
  registerHandlers(run);
  return runStages(run);
}

/**
 * Structure only: the rules live at the edges, so a rule tightened later never breaks a running customer's replay.
 * A plain password (a start by hand, past every edge) must never sit in history: refused, never echoed.
 */
function checkedInput(rawInput: unknown, resume: ResumeState | undefined): OnboardingInput {
  const checked = normalizeInput(rawInput, { customerRequired: !resume?.state.authId });
  if (!checked.ok) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      message: `Invalid onboarding input: ${checked.problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      nonRetryable: true,
      details: [checked.problems],
    });
  }
  const customer = checked.value.customer;
  if (customer && !isSealedSecret(customer.password) && patched(PATCH.sealedPassword)) {
    throw ApplicationFailure.create({ type: 'InvalidInput', message: `Invalid onboarding input: customer.password ${SEALED_RULE}`, nonRetryable: true });
  }
  return checked.value;
}

/** The stages in order, from wherever this run resumes; an offboard request ends any of them and offboards. */
async function runStages(run: LifecycleRun): Promise<LifecycleSummary> {
  const { state, requests } = run;
  try {
    // A run continued-as-new while blocked resumes that wait; a retry sends it back to the step's stage (below).
    if (state.stage === 'blocked' && state.blocked && !requests.offboard) await waitForRetry(run);
    if (state.stage === 'account' && !requests.offboard) await provisionAccount(run);
    if (state.stage === 'funding' && !requests.offboard) await fund(run);
    if ((state.stage === 'kyc' || KYC_WAITS.includes(state.stage)) && !requests.offboard) {
      if ((await runKyc(run)) === 'closed') return summaryOf(state);
    }
    if (state.stage === 'telephony' && !requests.offboard) await provisionTelephony(run);
    if (state.stage === 'active' && !requests.offboard) await monitorUsage(run);
  } catch (err) {
    if (!(err instanceof OffboardRequested)) failOrRethrow(run, err);
  }
  if (requests.offboard) await offboard(run, requests.offboard);
  return summaryOf(state);
}

/**
 * What leaves the stages other than an offboarding: continue-as-new and cancellation pass through; a bug (any error
 * that is not a Temporal failure) fails the workflow *task*, which Temporal retries, so a fixed deploy resumes the
 * customer. A Temporal failure reaching here comes from a workflow started before the failure policy (its step
 * failures are rethrown by `step()`), or from a broken invariant: it fails the run.
 */
function failOrRethrow(run: LifecycleRun, err: unknown): never {
  if (isCancellation(err) || err instanceof ContinueAsNew || !(err instanceof TemporalFailure)) throw err;
  const reason = err.cause instanceof Error ? err.cause.message : err.message;
  setStage(run, 'failed', reason);
  throw ApplicationFailure.create({ type: 'LifecycleFailed', message: reason, nonRetryable: true, cause: err });
}

/** Handlers record what was asked (run.requests) or act under the run's update lock; validators refuse before history. */
function registerHandlers(run: LifecycleRun): void {
  setHandler(statusQuery, () => run.state);
  setHandler(kycEventSignal, (event) => kyc.takeKycEventSignal(run, event));
  handleKycEventUpdates(
    () => kyc.kycIntakeView(run),
    (event) => kyc.takeKycEvent(run, event),
  );
  setHandler(kycCheckSignal, (hint) => kyc.takeKycCheck(run, hint));
  setHandler(resendKycUpdate, () => kyc.resendKyc(run), { validator: () => kyc.requireOpenKyc(run, 'resendKyc') });
  setHandler(revokeKycUpdate, (args) => kyc.revokeKyc(run, args), { validator: (args: ReasonArgs) => kyc.validateRevokeKyc(run, args) });
  setHandler(restartKycUpdate, () => kyc.restartKyc(run), { validator: () => kyc.validateRestartKyc(run) });
  setHandler(retryUpdate, (args) => operator.retry(run, args), { validator: (args: RetryArgs) => operator.validateRetry(run, args) });
  setHandler(offboardUpdate, (args) => operator.requestOffboard(run, args), { validator: (args: OffboardArgs) => operator.validateOffboard(run, args) });
  setHandler(handOverAccountUpdate, (args) => operator.handOverAccount(run, args), {
    validator: (args: HandOverAccountArgs) => operator.validateHandOverAccount(run, args),
  });
  setHandler(purchaseNumberUpdate, (args) => operator.purchaseNumber(run, args), {
    validator: (args: NumberPurchaseArgs) => operator.validatePurchaseNumber(run, args),
  });
  setHandler(releaseNumberUpdate, (args) => releaseNumber(run, args), { validator: (args: ReleaseNumberArgs) => validateReleaseNumber(run, args) });
}

/**
 * One run of a customer's workflow: what the stages, the step runner and the handlers share, passed to each of them.
 * Made at the run's first activation; nothing of it lives at module level.
 */
import { ApplicationFailure, patched, workflowInfo } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import { vobizCalls, type VobizCalls } from '../activity-stubs.js';
import type { RetryCorrections } from '../input-structure.js';
import type { OnboardingInput } from '../input-types.js';
import type { KycAttemptRecord, LifecycleState, LifecycleSummary, ReasonArgs, Stage } from '../messages.js';
import { stagePublisher } from '../visibility.js';
import { PATCH } from './patches.js';

/** What a run that continues as new hands the next one. */
export interface ResumeState {
  state: LifecycleState;
  /** The last webhook event keys seen, so a duplicate delivered after continue-as-new is still recognised. */
  seenEventKeys?: string[];
}

/** What the handlers ask of the main flow, which acts on it where it waits. */
export interface Requests {
  /** Set by a KYC event or hint for the open session: confirm with the API now. */
  kycHint: boolean;
  offboard?: ReasonArgs;
  /** An operator's `offboard --force`: offboarding steps that fail once more are left (stages/offboarding-ends.ts). */
  forceOffboard?: { reason: string; at: string };
  restartKyc: boolean;
  retry?: RetryCorrections;
}

export interface LifecycleRun {
  /** The run's input; an operator's retry corrects the customer and trunk in it. */
  readonly input: OnboardingInput;
  /** The customer's state: the `status` query's answer, carried across continue-as-new. */
  readonly state: LifecycleState;
  readonly seenEventKeys: Set<string>;
  readonly requests: Requests;
  readonly calls: VobizCalls;
  /** Decided once per run, at its first activation: waits wake at the history bound (PATCH.boundedWaits). */
  readonly boundedWaits: boolean;
  /** Updates that call activities run one at a time, so two operators cannot interleave Vobiz calls. */
  readonly updateLock: Mutex;
  /** Number purchases (the telephony step and the purchaseNumber update) run one at a time. */
  readonly numberLock: Mutex;
  readonly publish: (state: LifecycleState) => void;
}

/** The workflow's signature, for continue-as-new. */
export type LifecycleWorkflow = (rawInput: unknown, resume?: ResumeState) => Promise<LifecycleSummary>;

export function startRun(input: OnboardingInput, resume: ResumeState | undefined): LifecycleRun {
  const calls = vobizCalls(input.advanced);
  const now = new Date().toISOString();
  const state: LifecycleState = resume?.state ?? {
    workflowId: workflowInfo().workflowId,
    customerRef: input.customerRef,
    stage: 'account',
    kyc: { attemptsAllowed: input.kyc.maxAttempts, attempts: [], remindersSent: [], eventsSeen: 0 },
    telephony: { numbers: [], releasedNumbers: [] },
    startedAt: now,
    updatedAt: now,
  };
  const seenEventKeys = new Set(resume?.seenEventKeys ?? []);
  const boundedWaits = patched(PATCH.boundedWaits);
  // A run continued-as-new while offboarding finishes it.
  const offboard = state.stage === 'offboarding' && state.offboarding ? { reason: state.offboarding.reason } : undefined;
  return {
    input,
    state,
    seenEventKeys,
    requests: { kycHint: false, restartKyc: false, offboard },
    calls,
    boundedWaits,
    updateLock: new Mutex(),
    numberLock: new Mutex(),
    publish: stagePublisher(),
  };
}

/** Records that the state changed: its time, and what operators see of it. */
export function touch(run: LifecycleRun): void {
  run.state.updatedAt = new Date().toISOString();
  run.publish(run.state);
}

export function setStage(run: LifecycleRun, stage: Stage, reason?: string): void {
  run.state.stage = stage;
  if (reason !== undefined) run.state.reason = reason;
  else delete run.state.reason;
  touch(run);
}

/** The KYC attempt whose session is still open, if any. */
export function openKycAttempt(state: LifecycleState): KycAttemptRecord | undefined {
  const last = state.kyc.attempts.at(-1);
  return last && !last.outcome ? last : undefined;
}

/** Thrown when an operator's offboard interrupts a wait: the workflow goes on to offboarding. */
export class OffboardRequested extends Error {}

/** An offboard request that should interrupt what is running now (not offboarding itself). */
export function offboardPending(run: LifecycleRun): boolean {
  return Boolean(run.requests.offboard) && run.state.stage !== 'offboarding';
}

export function requireCustomer(run: LifecycleRun): NonNullable<OnboardingInput['customer']> {
  if (!run.input.customer) throw ApplicationFailure.nonRetryable('The customer details are not in this run', 'InvariantViolation');
  return run.input.customer;
}

export function requireAuthId(state: LifecycleState): string {
  if (!state.authId) throw ApplicationFailure.nonRetryable('No Vobiz account yet', 'InvariantViolation');
  return state.authId;
}

export function summaryOf(state: LifecycleState): LifecycleSummary {
  return {
    stage: state.stage,
    ...(state.reason ? { reason: state.reason } : {}),
    ...(state.authId ? { authId: state.authId } : {}),
    kycAttempts: state.kyc.attempts.length,
    ...(state.telephony.trunkId ? { trunkId: state.telephony.trunkId } : {}),
    numbersReleased: state.telephony.releasedNumbers,
    ...(state.usage ? { usageTotals: state.usage.totals } : {}),
    ...(state.offboarding?.balanceAtOffboarding ? { balanceAtOffboarding: state.offboarding.balanceAtOffboarding } : {}),
    ...(state.offboarding?.accountGone ? { accountGone: true } : {}),
    ...(state.offboarding?.left ? { left: state.offboarding.left } : {}),
  };
}

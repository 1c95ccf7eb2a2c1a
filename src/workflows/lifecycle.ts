/**
 * One customer's whole life on Vobiz, as one durable workflow:
 *   account → funding → kyc → telephony → active → offboarding → offboarded
 * with kyc_failed / kyc_expired / kyc_revoked / blocked (waiting, bounded, for an operator).
 *
 * The workflow decides and waits; activities do every Vobiz call and reconcile before repeating one. A `kycEvent`
 * (the Update bridges send, or the signal older ones sent) is a hint that makes the workflow confirm the session
 * with the API now instead of at the next poll; the Update's validator drops events that cannot matter before they
 * reach history (kyc-event-intake.ts). Every Vobiz step runs under the failure policy (failure-policy.ts): the customer's own bad data blocks it
 * for an operator; refused credentials, outages and bugs stall it visibly until they are fixed; nothing fails the
 * customer. Every wait continues-as-new before its history grows large, whatever arrives (bounded-wait.ts), so a
 * customer can live for years.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ContinueAsNew,
  TemporalFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  metricMeter,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import { SEALED_RULE, isSealedSecret } from '../secrets/sealed-format.js';
import { addAmounts, compareAmounts, ZERO } from './amounts.js';
import { awaitOperatorUntil, boundedWait, historyPastBound } from './bounded-wait.js';
import { effect, effectSettleDelayMs, notify, read, setEffectSettleDelay, setEffectStartToCloseTimeout } from './activity-stubs.js';
import { durationMs } from './duration.js';
import { jitteredMs } from './jitter.js';
import { handleKycEventUpdates } from './kyc-event-intake.js';
import { recordKycOutcome, recordTimeToActive } from './lifecycle-metrics.js';
import { classifyFailure, stallDelayMs, type ClassifiedFailure } from './failure-policy.js';
import { normalizeCorrections, normalizeInput, trunkProblems, type RetryCorrections } from './input-structure.js';
import type { NumberRequest, OnboardingInput } from './input-types.js';
import {
  TERMINAL_STAGES,
  handOverAccountUpdate,
  kycCheckSignal,
  kycEventSignal,
  offboardUpdate,
  purchaseNumberUpdate,
  restartKycUpdate,
  resendKycUpdate,
  retryUpdate,
  revokeKycUpdate,
  statusQuery,
  type HandOverAccountArgs,
  type KycAttemptRecord,
  type KycEventSignal,
  type KycOutcome,
  type LifecycleState,
  type LifecycleSummary,
  type NumberPurchaseArgs,
  type ReasonArgs,
  type RetryArgs,
  type Stage,
  type StallKind,
  type UsageSnapshot,
} from './messages.js';
import { publishStage } from './visibility.js';
import { workflowIdFor } from './workflow-ids.js';

const DAY_MS = 86_400_000;
/** How long a customer waits for an operator (after KYC ended without success, or a blocked step) before offboarding. */
const OPERATOR_WAIT = '30 days';
/** Past expires_at, how long we give Vobiz to report the expiry itself before we revoke the session ourselves. */
const EXPIRY_GRACE_MS = 10 * 60_000;
/** Tries at picking a free inventory number when others are bought from under us. */
const NUMBER_PICK_TRIES = 5;
/** The KYC stages that wait for `restartKyc`. */
const KYC_WAITS: readonly Stage[] = ['kyc_failed', 'kyc_expired', 'kyc_revoked'];

/** Patches: workflows started before each change keep their old path on replay (docs/design.md §6). */
const PATCH = {
  /** Step failures block or stall the customer instead of failing the workflow. */
  failurePolicy: 'failure-policy-v1',
  /** A bounded operator wait that runs out offboards the customer instead of closing with resources live. */
  offboardAfterOperatorWait: 'offboard-after-operator-wait',
  /** Offboarding records the balance left in the customer's wallet (to reclaim through Vobiz support). */
  offboardReadsBalance: 'offboard-reads-balance',
  /** restartKyc keeps the attempts the input allowed instead of cutting the budget to one more. */
  restartKeepsBudget: 'restart-kyc-keeps-budget',
  /** A plain (unsealed) customer password is refused at start. */
  sealedPassword: 'sealed-password-required',
  /** A kycEvent naming another Vobiz account than the customer's is ignored (the bridge no longer checks it). */
  kycEventAccountCheck: 'kyc-event-account-check',
  /** KYC and usage polls are spread by a jitter of ±10% of their interval, so customers parked together poll apart. */
  pollJitter: 'poll-jitter',
  /**
   * Every wait also wakes when the run's history passes its bound and continues-as-new (bounded-wait.ts), operator
   * waits included, whose deadline is then absolute (`state.operatorWaitUntil`) and resumed by the next run.
   */
  boundedWaits: 'bounded-waits',
  /** Account creation claims the e-mail first: a second customer for one person is refused, never handed the account. */
  accountClaim: 'account-ownership-claim',
} as const;

// Created on use, inside the workflow context (clients import this module for its type, outside any workflow).
const stallRounds = () => metricMeter.createCounter('vobiz_lifecycle_stalled_rounds', 'rounds', 'Rounds of a step retried by the failure policy');
const blockedSteps = () => metricMeter.createCounter('vobiz_lifecycle_blocked', 'steps', 'Steps blocked for an operator');
const ignoredKycEvents = () =>
  metricMeter.createCounter('vobiz_lifecycle_kyc_events_ignored', 'events', 'KYC webhook signals ignored because they named another Vobiz account');

export interface ResumeState {
  state: LifecycleState;
  /** The last webhook event keys seen, so a duplicate delivered after continue-as-new is still recognised. */
  seenEventKeys?: string[];
}

/** Thrown inside the workflow when an operator's offboard interrupts a wait: run() goes on to offboarding. */
class OffboardRequested extends Error {}

export async function customerLifecycle(rawInput: unknown, resume?: ResumeState): Promise<LifecycleSummary> {
  // Structure only: the rules live at the edges, so a rule tightened later never breaks a running customer's replay.
  const checked = normalizeInput(rawInput, { customerRequired: !resume?.state.authId });
  if (!checked.ok) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      message: `Invalid onboarding input: ${checked.problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      nonRetryable: true,
      details: [checked.problems],
    });
  }
  // A plain password (a start by hand, past every edge) must never sit in history: refused, never echoed. Workflows
  // started before passwords were sealed replay without the check.
  const customer = checked.value.customer;
  if (customer && !isSealedSecret(customer.password) && patched(PATCH.sealedPassword)) {
    throw ApplicationFailure.create({ type: 'InvalidInput', message: `Invalid onboarding input: customer.password ${SEALED_RULE}`, nonRetryable: true });
  }
  setEffectSettleDelay(checked.value.advanced.effectSettleDelay);
  setEffectStartToCloseTimeout(checked.value.advanced.effectStartToCloseTimeout);
  return new Lifecycle(checked.value, resume).run();
}

class Lifecycle {
  private readonly state: LifecycleState;
  /** Set by a kycEvent signal for the current session: confirm with the API now. */
  private kycHint = false;
  private readonly seenEventKeys: Set<string>;
  private offboardRequest?: ReasonArgs;
  private restartRequested = false;
  private retryRequest?: RetryCorrections;
  /** Updates that call activities run one at a time, so two operators cannot interleave Vobiz calls. */
  private readonly updateLock = new Mutex();
  /** Number purchases (the telephony step and the purchaseNumber update) run one at a time. */
  private readonly numberLock = new Mutex();
  /** Decided once per run, at its first activation: waits wake at the history bound (PATCH.boundedWaits). */
  private readonly boundedWaits: boolean;

  constructor(
    private readonly input: OnboardingInput,
    resume?: ResumeState,
  ) {
    const now = new Date().toISOString();
    const { workflowId } = workflowInfo();
    this.state = resume?.state ?? {
      workflowId,
      customerRef: input.customerRef,
      stage: 'account',
      kyc: { attemptsAllowed: input.kyc.maxAttempts, attempts: [], remindersSent: [], eventsSeen: 0 },
      telephony: { numbers: [], releasedNumbers: [] },
      startedAt: now,
      updatedAt: now,
    };
    this.seenEventKeys = new Set(resume?.seenEventKeys ?? []);
    this.boundedWaits = patched(PATCH.boundedWaits);
    if (this.state.stage === 'offboarding' && this.state.offboarding) this.offboardRequest = { reason: this.state.offboarding.reason };
    this.registerHandlers();
  }

  async run(): Promise<LifecycleSummary> {
    try {
      // A run continued-as-new while blocked resumes that wait; a retry sends it back to the step's stage (below).
      if (this.state.stage === 'blocked' && this.state.blocked && !this.offboardRequest) await this.waitForRetry();
      if (this.state.stage === 'account' && !this.offboardRequest) await this.provisionAccount();
      if (this.state.stage === 'funding' && !this.offboardRequest) await this.fund();
      if ((this.state.stage === 'kyc' || KYC_WAITS.includes(this.state.stage)) && !this.offboardRequest) {
        const kyc = await this.runKyc();
        if (kyc === 'closed') return this.summary();
      }
      if (this.state.stage === 'telephony' && !this.offboardRequest) await this.provisionTelephony();
      if (this.state.stage === 'active' && !this.offboardRequest) await this.monitorUsage();
    } catch (err) {
      if (!(err instanceof OffboardRequested)) this.failOrRethrow(err);
    }
    if (this.offboardRequest) await this.offboard(this.offboardRequest);
    return this.summary();
  }

  /**
   * What leaves run() other than an offboarding: continue-as-new and cancellation pass through; a bug (any error
   * that is not a Temporal failure) fails the workflow *task*, which Temporal retries, so a fixed deploy resumes
   * the customer. A Temporal failure reaching here comes from a workflow started before the failure policy (its
   * step failures are rethrown by `step()`), or from a broken invariant: it fails the run, as it always did.
   */
  private failOrRethrow(err: unknown): never {
    if (isCancellation(err) || err instanceof ContinueAsNew || !(err instanceof TemporalFailure)) throw err;
    const reason = err.cause instanceof Error ? err.cause.message : err.message;
    this.setStage('failed', reason);
    throw ApplicationFailure.create({ type: 'LifecycleFailed', message: reason, nonRetryable: true, cause: err });
  }

  // ---- the failure policy ---------------------------------------------------------------------------------------

  /**
   * Runs one Vobiz step under the failure policy until it succeeds: the customer's data refused → `blocked` until an
   * operator retries (then the step runs again, with corrections applied) or offboards; anything else → a visible
   * stall, retried on a capped backoff. An offboard request ends a wait with `OffboardRequested`.
   */
  private async step<T>(name: string, call: () => Promise<T>, options: { blockAs?: Stage } = {}): Promise<T> {
    for (let round = 0; ; round++) {
      try {
        const result = await call();
        if (this.state.stall) this.endStall();
        return result;
      } catch (err) {
        if (!(err instanceof ActivityFailure) || !patched(PATCH.failurePolicy)) throw err;
        const failure = classifyFailure(err);
        if (failure.kind === 'customer_data' && options.blockAs) {
          await this.block(options.blockAs, failure);
          round = -1;
          continue;
        }
        await this.stall(name, failure, round);
      }
    }
  }

  private async block(step: Stage, failure: ClassifiedFailure): Promise<void> {
    if (this.state.stall) this.endStall();
    this.state.blocked = {
      step,
      type: failure.type,
      reason: failure.message,
      since: new Date().toISOString(),
      ...(failure.owner ? { owner: failure.owner } : {}),
    };
    blockedSteps().add(1, { step, type: failure.type });
    log.warn('Step blocked: Vobiz refused the customer data; waiting for an operator', { step, type: failure.type });
    await this.waitForRetry();
  }

  /** Waits (bounded) for an operator: `retry` applies the corrections and returns; `offboard` or the bound ends it. */
  private async waitForRetry(): Promise<void> {
    const blocked = this.state.blocked!;
    this.setStage('blocked', `${blocked.step}: ${blocked.type}: ${blocked.reason}. Waiting for an operator to retry (with corrected fields) or offboard`);
    this.retryRequest = undefined;
    const decided = await this.awaitOperator(() => Boolean(this.retryRequest), 'Await operator: retry/offboard');
    if (!this.offboardRequest && !decided) {
      this.offboardRequest = { reason: `Blocked (${blocked.type}) with no operator decision within ${OPERATOR_WAIT}` };
    }
    if (this.offboardRequest) throw new OffboardRequested();
    this.applyCorrections(this.retryRequest ?? {});
    delete this.state.blocked;
    this.setStage(blocked.step);
  }

  private async stall(name: string, failure: ClassifiedFailure, round: number): Promise<void> {
    const kind: StallKind = failure.kind === 'customer_data' ? 'unexpected' : failure.kind;
    const first = !this.state.stall;
    const since = this.state.stall?.since ?? new Date().toISOString();
    this.state.stall = { step: name, kind, type: failure.type, reason: failure.message, since, rounds: round + 1 };
    this.touch();
    stallRounds().add(1, { step: name, kind });
    log.warn('Step stalled: retrying by itself', { step: name, kind, type: failure.type, round: round + 1 });
    if (first) await this.alert({ kind: 'stalled', detail: `${name} is retrying by itself: ${kind} (${failure.type}): ${failure.message}` });
    const waitMs = stallDelayMs(round, effectSettleDelayMs());
    await boundedWait(() => this.offboardPending(), waitMs, { summary: `Retry ${name} (${kind})`, bounded: this.boundedWaits });
    if (this.offboardPending()) throw new OffboardRequested();
    await this.continueAsNewIfLong();
  }

  private endStall(): void {
    const stall = this.state.stall!;
    log.info('Stalled step recovered', { step: stall.step, kind: stall.kind, rounds: stall.rounds, since: stall.since });
    delete this.state.stall;
    this.touch();
  }

  /**
   * Waits for an operator's decision (`decided`) or an offboard request until the wait's deadline; false when the
   * deadline passed. The deadline is absolute and kept in the state, so a wait that continues-as-new (its history
   * grew past the bound while it waited) is resumed by the next run with the time it had left.
   */
  private awaitOperator(decided: () => boolean, summary: string): Promise<boolean> {
    const done = () => decided() || Boolean(this.offboardRequest);
    if (!this.boundedWaits) return condition(done, OPERATOR_WAIT, { summary });
    return awaitOperatorUntil(this.state, done, { wait: OPERATOR_WAIT, summary, continueAsNew: () => this.continueAsNewIfLong() });
  }

  /** An offboard request that should interrupt what is running now (not offboarding itself). */
  private offboardPending(): boolean {
    return Boolean(this.offboardRequest) && this.state.stage !== 'offboarding';
  }

  /**
   * Continues-as-new when this run's history is long (Temporal suggests it, or past HISTORY_EVENTS_BOUND), after
   * in-flight handlers finish. The state carries everything; the customer's details are left behind once the
   * account exists. `force` continues regardless (a bound of polls reached).
   */
  private async continueAsNewIfLong(force = false): Promise<void> {
    const info = workflowInfo();
    if (!force && !historyPastBound()) return;
    // Handlers may still be running (e.g. a number purchase): let them finish, or continue-as-new drops them.
    await condition(allHandlersFinished);
    if (this.offboardPending()) throw new OffboardRequested();
    const { customer, ...withoutCustomer } = this.input;
    const carried: OnboardingInput = this.state.authId || !customer ? withoutCustomer : this.input;
    // The memo (the start API's input fingerprint) is carried explicitly, so a repeated start stays comparable.
    const next = makeContinueAsNewFunc<typeof customerLifecycle>({ memo: info.memo ?? {} });
    await next(carried, { state: this.state, seenEventKeys: [...this.seenEventKeys].slice(-100) });
  }

  private applyCorrections(corrections: RetryCorrections): void {
    if (corrections.customer && this.input.customer) Object.assign(this.input.customer, corrections.customer);
    if (corrections.trunk) this.input.telephony.trunk = { ...this.input.telephony.trunk, ...corrections.trunk };
  }

  private async alert(alert: { kind: 'low_balance' | 'failed_calls_jump' | 'stalled'; detail: string }): Promise<void> {
    const record = { ...alert, at: new Date().toISOString() };
    const usage = this.state.usage;
    if (usage && alert.kind !== 'stalled') {
      usage.alerts.push(record);
      if (usage.alerts.length > 50) usage.alerts.shift();
    }
    try {
      await notify('sendAlert', 'Send alert', {
        workflowId: this.state.workflowId,
        authId: this.state.authId ?? '',
        alert: record,
        ...(this.input.monitoring.alertWebhookUrl ? { webhookUrl: this.input.monitoring.alertWebhookUrl } : {}),
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('Alert could not be delivered', { alert: alert.kind, error: err instanceof Error ? err.message : String(err) });
    }
  }

  // ---- stages -------------------------------------------------------------------------------------------------

  private async provisionAccount(): Promise<void> {
    this.setStage('account');
    const claimOwnership = patched(PATCH.accountClaim);
    const account = await this.step(
      'account',
      () =>
        effect('createCustomerAccount', 'Create account', {
          workflowId: this.state.workflowId,
          customer: this.customer(),
          ...(claimOwnership ? { claimOwnership } : {}),
        }),
      { blockAs: 'account' },
    );
    this.state.authId = account.authId;
    log.info('Customer account ready', { authId: account.authId, adopted: account.adopted });
    this.setStage('funding');
  }

  private async fund(): Promise<void> {
    const { funding } = this.input;
    this.setStage('funding');
    const transfer = await this.step(
      'funding',
      () =>
        effect('transferOpeningBalance', 'Fund account', {
          authId: this.authId(),
          amount: funding.amount,
          currency: funding.currency,
          ...(funding.description ? { description: funding.description } : {}),
          intentToken: `lc:${this.state.workflowId}:opening-balance`,
        }),
      { blockAs: 'funding' },
    );
    this.state.funding = transfer;
    log.info('Opening balance transferred', { transactionId: transfer.transactionId, adopted: transfer.adopted });
    this.setStage('kyc');
  }

  /** Opens sessions until one completes, attempts run out (then waits for an operator), or offboarding starts. */
  private async runKyc(): Promise<'completed' | 'offboard' | 'closed'> {
    // A run continued-as-new while waiting for an operator (kyc_failed, kyc_expired, kyc_revoked) resumes that wait.
    let resumedWait = KYC_WAITS.includes(this.state.stage);
    for (;;) {
      let outcome: KycOutcome | undefined = this.state.kyc.attempts.at(-1)?.outcome;
      if (!resumedWait) {
        this.setStage('kyc');
        // A continue-as-new during the wait resumes the open session: opening another would revoke the customer's link.
        const record = this.openKycAttempt() ?? (await this.openKycAttemptNow());
        const ended = await this.awaitKycOutcome(record);
        if (ended === 'offboard') return 'offboard';
        outcome = ended;
        record.outcome = outcome;
        record.endedAt = new Date().toISOString();
        recordKycOutcome(outcome);
        this.touch();
        if (outcome === 'completed') {
          this.setStage('telephony');
          return 'completed';
        }
        if (outcome !== 'revoked' && this.state.kyc.attempts.length < this.state.kyc.attemptsAllowed) continue;
        this.setStage(kycWaitStage(outcome), `KYC ${outcome} after ${this.state.kyc.attempts.length} attempt(s); waiting for an operator`);
      }
      resumedWait = false;
      const waiting = this.state.stage;
      this.restartRequested = false;
      const decided = await this.awaitOperator(() => this.restartRequested, 'Await operator: restartKyc/offboard');
      if (this.offboardRequest) return 'offboard';
      if (!decided) {
        const reason = `KYC ${outcome}; no operator decision within ${OPERATOR_WAIT}`;
        if (patched(PATCH.offboardAfterOperatorWait)) {
          // Closing here would leave the account, its balance and any session live with nobody watching them.
          this.offboardRequest = { reason };
          return 'offboard';
        }
        this.setStage(waiting, reason);
        return 'closed';
      }
    }
  }

  private async openKycAttemptNow(): Promise<KycAttemptRecord> {
    const attempt = this.state.kyc.attempts.length + 1;
    const session = await this.step(
      'kyc',
      () =>
        effect('openKycSession', 'Open KYC session', {
          authId: this.authId(),
          workflowId: this.state.workflowId,
          attempt,
          expiresInDays: this.input.kyc.expiresInDays,
          reminderSchedule: this.input.kyc.reminderSchedule,
        }),
      { blockAs: 'kyc' },
    );
    const record: KycAttemptRecord = {
      attempt,
      sessionId: session.sessionId,
      expiresAt: session.expiresAt,
      openedAt: new Date().toISOString(),
      adopted: session.adopted,
    };
    this.state.kyc.attempts.push(record);
    this.state.kyc.status = session.status;
    this.touch();
    return record;
  }

  /**
   * Waits for the session's end: confirms with the API on every webhook hint, at every poll interval and at
   * expiry, and sends each reminder once, at its point, while the session is open. After `kyc.pollsPerRun`
   * confirmations (or when the history grows long) it continues-as-new with the session still open.
   */
  private async awaitKycOutcome(record: KycAttemptRecord): Promise<KycOutcome | 'offboard'> {
    const expiresAt = Date.parse(record.expiresAt);
    const openedAt = Date.parse(record.openedAt);
    const pollMs = durationMs(this.input.kyc.pollInterval);
    const nextPollIn = () => this.pollDelayMs(pollMs);
    // Reminder points that fall after the session opened; a restart re-derives this list and skips those sent.
    const reminders = this.input.kyc.reminderSchedule
      .map((point) => ({ days: point.value, at: expiresAt - point.value * DAY_MS }))
      .filter((r) => r.at >= openedAt)
      .sort((a, b) => a.at - b.at);
    const reminderSent = (days: number) =>
      this.state.kyc.remindersSent.some((r) => r.attempt === record.attempt && r.daysBeforeExpiry === days);
    let nextPollAt = Date.now() + nextPollIn();
    let confirmNow = true; // confirm once at the start: the session may have ended while we were not looking
    let confirmations = 0;

    try {
      for (;;) {
        if (this.offboardRequest) return 'offboard';
        const now = Date.now();
        if (confirmNow || this.kycHint || now >= nextPollAt || now >= expiresAt) {
          this.kycHint = false;
          confirmNow = false;
          const session = await this.step('kyc', () =>
            read('getKycSession', 'Check KYC session', { sessionId: record.sessionId }),
          );
          confirmations += 1;
          this.state.kyc.status = session.status;
          this.touch();
          if (session.outcome) return session.outcome;
          if (Date.now() >= expiresAt + EXPIRY_GRACE_MS) {
            // Vobiz never reported the expiry: the session's deadline is ours too. Revoke it so the link stops working.
            await this.step('kyc', () =>
              read('revokeKycSession', 'Revoke expired KYC session', { sessionId: record.sessionId, reason: 'expired' }),
            );
            return 'expired';
          }
          nextPollAt = Date.now() + nextPollIn();
          await this.continueAsNewIfLong(confirmations >= this.input.kyc.pollsPerRun);
        }

        const due = reminders.find((r) => r.at <= Date.now() && !reminderSent(r.days));
        if (due) {
          const { result } = await this.step('kyc', () =>
            read('resendKycEmail', 'Send KYC reminder', { sessionId: record.sessionId, purpose: 'reminder' }),
          );
          this.state.kyc.remindersSent.push({ attempt: record.attempt, daysBeforeExpiry: due.days, result, at: new Date().toISOString() });
          this.touch();
          if (result === 'skipped_session_closed') confirmNow = true;
          continue;
        }

        const nextReminder = reminders.find((r) => !reminderSent(r.days));
        const deadline = Date.now() < expiresAt ? expiresAt : expiresAt + EXPIRY_GRACE_MS;
        const wakeAt = Math.min(nextPollAt, deadline, nextReminder?.at ?? Infinity);
        const end = await boundedWait(() => this.kycHint || Boolean(this.offboardRequest), Math.max(wakeAt - Date.now(), 1000), {
          summary: nextReminder && nextReminder.at === wakeAt ? 'Next KYC reminder' : 'Next KYC check',
          bounded: this.boundedWaits,
        });
        // Signals (duplicates above all) grew the history without a hint: carry the open session into a new run.
        if (end === 'history_long') await this.continueAsNewIfLong();
      }
    } catch (err) {
      if (err instanceof OffboardRequested) return 'offboard';
      throw err;
    }
  }

  private async provisionTelephony(): Promise<void> {
    this.setStage('telephony');
    if (!this.state.telephony.trunkId) {
      const trunk = await this.step(
        'telephony',
        () =>
          effect('createSipTrunk', 'Create SIP trunk', {
            authId: this.authId(),
            workflowId: this.state.workflowId,
            trunk: this.input.telephony.trunk,
          }),
        { blockAs: 'telephony' },
      );
      this.state.telephony.trunkId = trunk.trunkId;
      this.state.telephony.trunkDomain = trunk.trunkDomain;
      this.touch();
    }
    const wanted = this.input.telephony.number;
    if (wanted && this.state.telephony.numbers.length === 0) {
      try {
        await this.buyNumber(wanted);
      } catch (err) {
        if (isCancellation(err)) throw err;
        // A number is an extra: the customer can go live without it and an operator can buy one later.
        log.warn('Could not buy the requested number', { error: err instanceof Error ? err.message : String(err) });
      }
    }
    this.setStage('active');
    recordTimeToActive(this.state.startedAt);
  }

  /** Picks a free inventory number and buys it; a number taken by someone else in between is skipped. */
  private buyNumber(request: NumberRequest): Promise<string> {
    return this.numberLock.runExclusive(async () => {
      const exclude: string[] = [...this.state.telephony.numbers];
      for (let i = 0; i < NUMBER_PICK_TRIES; i++) {
        const pick = await read('pickInventoryNumber', 'Pick number', {
          authId: this.authId(),
          country: request.country,
          ...(request.search ? { search: request.search } : {}),
          exclude,
        });
        if (!pick) break;
        const bought = await effect('purchaseNumber', 'Buy number', { authId: this.authId(), e164: pick.e164 });
        if (bought.status === 'unavailable' || this.state.telephony.numbers.includes(pick.e164)) {
          exclude.push(pick.e164);
          continue;
        }
        this.state.telephony.numbers.push(pick.e164);
        this.touch();
        return pick.e164;
      }
      throw ApplicationFailure.create({
        type: 'NoNumberAvailable',
        message: `No number available in inventory for country ${request.country}${request.search ? ` matching ${request.search}` : ''}`,
        nonRetryable: true,
      });
    });
  }

  /** Polls usage every cdrPollInterval until offboarding; continues-as-new to keep each run's history small. */
  private async monitorUsage(): Promise<void> {
    const monitoring = this.input.monitoring;
    const pollMs = durationMs(monitoring.cdrPollInterval);
    const usage = (this.state.usage ??= {
      totals: { calls: 0, answered: 0, billableMinutes: 0, cost: ZERO },
      alerts: [],
      runs: 1,
    });
    let since = usage.last?.checkpoint ?? this.state.updatedAt;
    let afterCdrId = usage.last?.lastCdrId ?? 0;
    this.setStage('active');
    const continueAsNew = async () => {
      await condition(allHandlersFinished);
      if (this.offboardRequest) return;
      usage.runs += 1;
      await this.continueAsNewIfLong(true);
    };
    for (let poll = 1; ; poll++) {
      const end = await boundedWait(() => Boolean(this.offboardRequest), this.pollDelayMs(pollMs), { summary: 'Next usage poll', bounded: this.boundedWaits });
      if (this.offboardRequest) return;
      if (end === 'history_long') {
        await continueAsNew(); // before the poll: the next run polls after a full interval
        return;
      }
      const snapshot = await this.step('active', () =>
        read('summarizeUsage', 'Poll usage', { authId: this.authId(), since, afterCdrId }),
      );
      await this.raiseAlerts(usage.last, snapshot);
      usage.last = snapshot;
      usage.totals = {
        calls: usage.totals.calls + snapshot.window.calls,
        answered: usage.totals.answered + snapshot.window.answered,
        billableMinutes: usage.totals.billableMinutes + snapshot.window.billableMinutes,
        cost: addAmounts(usage.totals.cost, snapshot.window.cost),
      };
      since = snapshot.checkpoint;
      afterCdrId = snapshot.lastCdrId;
      this.touch();

      if (workflowInfo().continueAsNewSuggested || poll >= monitoring.pollsPerRun) {
        await continueAsNew();
        if (this.offboardRequest) return;
      }
    }
  }

  private async raiseAlerts(previous: UsageSnapshot | undefined, current: UsageSnapshot): Promise<void> {
    const { lowBalanceThreshold, failedCallJump } = this.input.monitoring;
    const isLow = (s: UsageSnapshot) => compareAmounts(s.balance, lowBalanceThreshold) < 0;
    // Alert on the transition into low balance, not on every poll while it stays low.
    if (isLow(current) && !(previous && isLow(previous))) {
      await this.alert({ kind: 'low_balance', detail: `balance ${current.balance} ${current.currency} below ${lowBalanceThreshold}` });
    }
    const jump = current.window.failedShare - (previous?.window.failedShare ?? 0);
    if (current.window.calls > 0 && jump >= failedCallJump) {
      await this.alert({
        kind: 'failed_calls_jump',
        detail: `failed-call share rose from ${Math.round((previous?.window.failedShare ?? 0) * 100)}% to ${Math.round(current.window.failedShare * 100)}%`,
      });
    }
  }

  private async offboard(request: ReasonArgs): Promise<void> {
    this.state.offboarding ??= { reason: request.reason, requestedAt: new Date().toISOString() };
    this.setStage('offboarding', request.reason);
    // A number purchase or a revoke still running would act after the release loop: let it finish first.
    await condition(allHandlersFinished);
    const open = this.openKycAttempt();
    if (open) {
      await this.step('offboarding', () => read('revokeKycSession', 'Revoke KYC session', { sessionId: open.sessionId, reason: request.reason }));
      open.outcome = 'revoked';
      open.endedAt = new Date().toISOString();
      recordKycOutcome('revoked');
    }
    const authId = this.state.authId;
    if (authId) {
      for (const e164 of this.state.telephony.numbers) {
        if (this.state.telephony.releasedNumbers.includes(e164)) continue;
        await this.step('offboarding', () => read('releaseNumber', 'Release number', { authId, e164 }));
        this.state.telephony.releasedNumbers.push(e164);
        this.touch();
      }
      if (this.state.telephony.trunkId && !this.state.telephony.trunkDisabled) {
        const trunkId = this.state.telephony.trunkId;
        await this.step('offboarding', () => read('disableSipTrunk', 'Disable SIP trunk', { authId, trunkId }));
        this.state.telephony.trunkDisabled = true;
      }
      if (patched(PATCH.offboardReadsBalance)) {
        // Vobiz has no partner API to move money back: the operator reclaims what is left through Vobiz support.
        const balance = await this.step('offboarding', () => read('readBalance', 'Read balance', { authId }));
        this.state.offboarding.balanceAtOffboarding = `${balance.balance} ${balance.currency}`;
      }
    }
    this.state.offboarding.completedAt = new Date().toISOString();
    this.setStage('offboarded', request.reason);
  }

  // ---- handlers -----------------------------------------------------------------------------------------------

  private registerHandlers(): void {
    setHandler(statusQuery, () => this.state);

    setHandler(kycEventSignal, (event) => {
      // A delivery naming another Vobiz account is not this customer's, whatever its metadata says: the bridge
      // signals without looking the workflow up, so the check is here. Logged and counted, nothing else changes.
      if (event.accountAuthId !== undefined && event.accountAuthId !== this.state.authId && patched(PATCH.kycEventAccountCheck)) {
        log.warn('KYC event for another Vobiz account ignored', { event: event.event, sessionId: event.sessionId, accountAuthId: event.accountAuthId });
        ignoredKycEvents().add(1, { reason: 'other_account' });
        return;
      }
      // Duplicates (Vobiz retries) and events for other sessions change nothing; the API decides, not the event.
      if (this.seenEventKeys.has(event.eventKey)) return;
      this.takeKycEvent(event);
    });

    // What bridges send: an event that cannot matter is refused by the validator and never reaches history.
    handleKycEventUpdates(
      () => ({ stage: this.state.stage, authId: this.state.authId, openSessionId: this.openKycAttempt()?.sessionId, seenEventKeys: this.seenEventKeys }),
      (event) => {
        this.takeKycEvent(event);
        return this.state.stage;
      },
    );

    setHandler(kycCheckSignal, ({ sweepId }) => {
      // The partner-wide sweep saw no open session for this customer at Vobiz: its webhook was probably lost.
      // A hint like a webhook: confirm with the API now (a customer without an open session has nothing to confirm).
      if (this.state.stage !== 'kyc' || !this.openKycAttempt()) return;
      log.info('KYC sweep hint: confirming the session now', { sweepId });
      this.kycHint = true;
    });

    setHandler(
      resendKycUpdate,
      () =>
        this.updateLock.runExclusive(async () => {
          const open = this.openKycAttempt();
          if (!open) throw ApplicationFailure.create({ type: 'NotAllowed', message: 'The KYC session ended while the request waited', nonRetryable: true });
          const { result } = await read('resendKycEmail', 'Resend KYC email (operator)', { sessionId: open.sessionId, purpose: 'operator' });
          if (result === 'skipped_session_closed') this.kycHint = true;
          return { result };
        }),
      { validator: () => this.requireOpenKyc('resendKyc') },
    );

    setHandler(
      revokeKycUpdate,
      ({ reason }) =>
        this.updateLock.runExclusive(async () => {
          const open = this.openKycAttempt();
          if (!open) return { stage: this.state.stage };
          await read('revokeKycSession', 'Revoke KYC session (operator)', { sessionId: open.sessionId, reason });
          this.kycHint = true; // the main loop confirms the revocation with the API and moves to kyc_revoked
          await condition(() => this.state.stage !== 'kyc' || !this.openKycAttempt());
          return { stage: this.state.stage };
        }),
      {
        validator: (args: ReasonArgs) => {
          this.requireOpenKyc('revokeKyc');
          requireReason(args);
        },
      },
    );

    setHandler(
      restartKycUpdate,
      () => {
        // One more attempt from here, never fewer than the input allowed (a restart after a revoke at attempt 1 of 3
        // used to cut the budget to 2).
        const next = this.state.kyc.attempts.length + 1;
        this.state.kyc.attemptsAllowed = patched(PATCH.restartKeepsBudget) ? Math.max(this.state.kyc.attemptsAllowed, next) : next;
        this.restartRequested = true;
        return { stage: 'kyc' as Stage };
      },
      {
        validator: () => {
          if (!KYC_WAITS.includes(this.state.stage)) {
            throw new Error(`restartKyc is allowed only in ${KYC_WAITS.join(', ')}; the stage is ${this.state.stage}`);
          }
        },
      },
    );

    setHandler(
      retryUpdate,
      (args) => {
        this.retryRequest = normalizeRetry(args);
        return { stage: this.state.blocked?.step ?? this.state.stage };
      },
      {
        validator: (args: RetryArgs) => {
          if (this.state.stage !== 'blocked' || !this.state.blocked || this.offboardRequest) {
            throw new Error(`retry is allowed only in stage blocked; the stage is ${this.state.stage}`);
          }
          const checked = normalizeCorrections(args);
          if (!checked.ok) throw new Error(checked.problems.map((p) => `${p.field} ${p.rule}`).join('; '));
          if (checked.value.customer && !this.input.customer) throw new Error('customer corrections apply only before the account exists');
          if (checked.value.trunk) {
            const problems = trunkProblems({ ...this.input.telephony.trunk, ...checked.value.trunk });
            if (problems.length) throw new Error(problems.map((p) => `trunk.${p.field} ${p.rule}`).join('; '));
          }
        },
      },
    );

    setHandler(
      offboardUpdate,
      (args) => {
        this.offboardRequest ??= { reason: args.reason.trim() };
        return { stage: 'offboarding' as Stage };
      },
      {
        validator: (args: ReasonArgs) => {
          requireReason(args);
          if (TERMINAL_STAGES.includes(this.state.stage) || this.state.stage === 'offboarding' || this.offboardRequest) {
            throw new Error(`offboard is not allowed: the stage is ${this.state.stage}${this.offboardRequest ? ' (offboarding already requested)' : ''}`);
          }
        },
      },
    );

    setHandler(
      handOverAccountUpdate,
      ({ from, reason }) =>
        this.updateLock.runExclusive(async () => {
          await read('handOverAccount', 'Hand over account (operator)', {
            workflowId: this.state.workflowId,
            email: this.customer().email,
            fromWorkflowId: from === null ? null : workflowIdFor(from),
            reason: reason.trim(),
          });
          // The claim is this customer's now: the blocked account step runs again and adopts the account.
          this.retryRequest = {};
          return { stage: 'account' as Stage };
        }),
      {
        validator: (args: HandOverAccountArgs) => {
          requireReason(args);
          const blocked = this.state.blocked;
          if (this.state.stage !== 'blocked' || blocked?.step !== 'account' || blocked.type !== 'EmailInUse' || this.offboardRequest || !this.input.customer) {
            throw new Error(`handOverAccount is allowed only while account creation is blocked on EmailInUse; the stage is ${this.state.stage}`);
          }
          const owner = blocked.owner?.customerRef ?? null;
          if (args.from !== owner) {
            throw new Error(owner ? `from must be ${owner}, the account's owner when the step was blocked` : 'from must be null: no customer of this service owns the account');
          }
        },
      },
    );

    setHandler(purchaseNumberUpdate, (args) => this.updateLock.runExclusive(async () => ({ e164: await this.buyNumber(numberRequest(args)) })), {
      validator: (args: NumberPurchaseArgs) => {
        if (!['telephony', 'active'].includes(this.state.stage) || !this.state.telephony.trunkId || this.offboardRequest) {
          throw new Error(`purchaseNumber is allowed only once the trunk exists (telephony or active); the stage is ${this.state.stage}`);
        }
        if (typeof args?.country !== 'string' || (args.search !== undefined && typeof args.search !== 'string')) {
          throw new Error('country must be a string; search, when given, must be a string');
        }
      },
    });
  }

  /** A new KYC event: counted, its key remembered, and a hint to confirm now when it is for the open session. */
  private takeKycEvent(event: KycEventSignal): void {
    this.seenEventKeys.add(event.eventKey);
    this.state.kyc.eventsSeen += 1;
    this.state.kyc.lastEventAt = event.receivedAt;
    if (this.openKycAttempt()?.sessionId === event.sessionId) this.kycHint = true;
  }

  private requireOpenKyc(update: string): void {
    if (this.state.stage !== 'kyc' || !this.openKycAttempt()) {
      throw new Error(`${update} is allowed only while a KYC session is open (stage kyc); the stage is ${this.state.stage}`);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  /** The wait before the next poll: the interval, spread by jitter (jitter.ts) for workflows on the patched code. */
  private pollDelayMs(intervalMs: number): number {
    return patched(PATCH.pollJitter) ? jitteredMs(intervalMs) : intervalMs;
  }

  private openKycAttempt(): KycAttemptRecord | undefined {
    const last = this.state.kyc.attempts.at(-1);
    return last && !last.outcome ? last : undefined;
  }

  private customer(): NonNullable<OnboardingInput['customer']> {
    if (!this.input.customer) throw ApplicationFailure.nonRetryable('The customer details are not in this run', 'InvariantViolation');
    return this.input.customer;
  }

  private authId(): string {
    if (!this.state.authId) throw ApplicationFailure.nonRetryable('No Vobiz account yet', 'InvariantViolation');
    return this.state.authId;
  }

  private touch(): void {
    this.state.updatedAt = new Date().toISOString();
    publishStage(this.state);
  }

  private setStage(stage: Stage, reason?: string): void {
    this.state.stage = stage;
    if (reason !== undefined) this.state.reason = reason;
    else delete this.state.reason;
    this.touch();
  }

  private summary(): LifecycleSummary {
    return {
      stage: this.state.stage,
      ...(this.state.reason ? { reason: this.state.reason } : {}),
      ...(this.state.authId ? { authId: this.state.authId } : {}),
      kycAttempts: this.state.kyc.attempts.length,
      ...(this.state.telephony.trunkId ? { trunkId: this.state.telephony.trunkId } : {}),
      numbersReleased: this.state.telephony.releasedNumbers,
      ...(this.state.usage ? { usageTotals: this.state.usage.totals } : {}),
      ...(this.state.offboarding?.balanceAtOffboarding ? { balanceAtOffboarding: this.state.offboarding.balanceAtOffboarding } : {}),
    };
  }
}

function kycWaitStage(outcome: KycOutcome): Stage {
  return outcome === 'failed' ? 'kyc_failed' : outcome === 'expired' ? 'kyc_expired' : 'kyc_revoked';
}

function normalizeRetry(args: RetryArgs | undefined): RetryCorrections {
  const checked = normalizeCorrections(args ?? {});
  return checked.ok ? checked.value : {};
}

function numberRequest(args: NumberPurchaseArgs): NumberRequest {
  return { country: args.country, ...(args.search ? { search: args.search } : {}) };
}

function requireReason(args: ReasonArgs | undefined): void {
  const reason = args?.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) {
    throw new Error('reason is required: a non-empty string of at most 500 characters');
  }
}

/**
 * One customer's whole life on Vobiz, as one durable workflow:
 *   account → funding → kyc → telephony → active → offboarding → offboarded
 * with kyc_failed / kyc_expired / kyc_revoked (waiting, bounded, for an operator) and failed.
 *
 * The workflow decides and waits; activities do every Vobiz call and reconcile before repeating one. The
 * `kycEvent` signal is a hint that makes the workflow confirm the session with the API now instead of at the next
 * poll. The monitoring loop continues-as-new so a customer can stay active for years.
 */
import {
  ApplicationFailure,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { addAmounts, compareAmounts, ZERO } from './amounts.js';
import { effect, notify, read, setEffectSettleDelay, setEffectStartToCloseTimeout } from './activity-stubs.js';
import { durationMs } from './duration.js';
import {
  NumberRequestSchema,
  OnboardingInputSchema,
  describeProblems,
  type NumberRequest,
  type OnboardingInput,
} from './input.js';
import {
  WAITING_FOR_OPERATOR,
  kycEventSignal,
  offboardUpdate,
  purchaseNumberUpdate,
  restartKycUpdate,
  resendKycUpdate,
  revokeKycUpdate,
  statusQuery,
  type KycAttemptRecord,
  type KycOutcome,
  type LifecycleState,
  type LifecycleSummary,
  type NumberPurchaseArgs,
  type ReasonArgs,
  type Stage,
  type UsageSnapshot,
} from './messages.js';
import { publishStage } from './visibility.js';

const DAY_MS = 86_400_000;
/** How long a customer whose KYC ended without success waits for an operator before the workflow closes. */
const OPERATOR_WAIT = '30 days';
/** Past expires_at, how long we give Vobiz to report the expiry itself before we revoke the session ourselves. */
const EXPIRY_GRACE_MS = 10 * 60_000;
/** Tries at picking a free inventory number when others are bought from under us. */
const NUMBER_PICK_TRIES = 5;

/** Input as carried across continue-as-new: the customer's details (and password) are no longer needed. */
const CarriedInputSchema = OnboardingInputSchema.omit({ customer: true });
type CarriedInput = ReturnType<typeof CarriedInputSchema.parse>;

export interface ResumeState {
  state: LifecycleState;
}

export async function customerLifecycle(rawInput: unknown, resume?: ResumeState): Promise<LifecycleSummary> {
  // Validated again here, not only at the edge: a workflow started by hand (CLI, UI) gets the same rules.
  const parsed = (resume ? CarriedInputSchema : OnboardingInputSchema).safeParse(rawInput);
  if (!parsed.success) {
    const problems = describeProblems(parsed.error);
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      message: `Invalid onboarding input: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      nonRetryable: true,
      details: [problems],
    });
  }
  setEffectSettleDelay(parsed.data.advanced.effectSettleDelay);
  setEffectStartToCloseTimeout(parsed.data.advanced.effectStartToCloseTimeout);
  return new Lifecycle(parsed.data, resume?.state).run();
}

class Lifecycle {
  private readonly state: LifecycleState;
  /** Set by a kycEvent signal for the current session: confirm with the API now. */
  private kycHint = false;
  private readonly seenEventKeys = new Set<string>();
  private offboardRequest?: ReasonArgs;
  private restartRequested = false;

  constructor(
    private readonly input: OnboardingInput | CarriedInput,
    resumed?: LifecycleState,
  ) {
    const now = new Date().toISOString();
    const { workflowId } = workflowInfo();
    this.state = resumed ?? {
      workflowId,
      customerRef: input.customerRef,
      stage: 'account',
      kyc: { attemptsAllowed: input.kyc.maxAttempts, attempts: [], remindersSent: [], eventsSeen: 0 },
      telephony: { numbers: [], releasedNumbers: [] },
      startedAt: now,
      updatedAt: now,
    };
    this.registerHandlers();
  }

  async run(): Promise<LifecycleSummary> {
    try {
      if (this.state.stage === 'account') await this.provisionAccount();
      if (this.state.stage === 'funding' && !this.offboardRequest) await this.fund();
      if (this.state.stage === 'kyc' && !this.offboardRequest) {
        const kyc = await this.runKyc();
        if (kyc === 'closed') return this.summary();
      }
      if (this.state.stage === 'telephony' && !this.offboardRequest) await this.provisionTelephony();
      if (this.state.stage === 'active' && !this.offboardRequest) await this.monitorUsage();
      if (this.offboardRequest) await this.offboard(this.offboardRequest);
      return this.summary();
    } catch (err) {
      // continueAsNew() ends the run by throwing: it must leave the workflow function, not become a failure.
      if (isCancellation(err) || err instanceof ContinueAsNew) throw err;
      // A non-retryable rejection (e.g. the e-mail belongs to another customer): record why, then fail visibly.
      const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      this.setStage('failed', reason);
      throw ApplicationFailure.create({ type: 'LifecycleFailed', message: reason, nonRetryable: true, cause: err as Error });
    }
  }

  // ---- stages -------------------------------------------------------------------------------------------------

  private async provisionAccount(): Promise<void> {
    const input = this.input as OnboardingInput;
    this.setStage('account');
    const account = await effect('createCustomerAccount', 'Create the customer account', {
      workflowId: this.state.workflowId,
      customer: input.customer,
    });
    this.state.authId = account.authId;
    log.info('Customer account ready', { authId: account.authId, adopted: account.adopted });
    this.setStage('funding');
  }

  private async fund(): Promise<void> {
    const { funding } = this.input;
    this.setStage('funding');
    const transfer = await effect('transferOpeningBalance', `Transfer the opening balance (${funding.amount} ${funding.currency})`, {
      authId: this.authId(),
      amount: funding.amount,
      currency: funding.currency,
      ...(funding.description ? { description: funding.description } : {}),
      intentToken: `lc:${this.state.workflowId}:opening-balance`,
    });
    this.state.funding = transfer;
    log.info('Opening balance transferred', { transactionId: transfer.transactionId, adopted: transfer.adopted });
    this.setStage('kyc');
  }

  /** Opens sessions until one completes, attempts run out (then waits for an operator), or offboarding starts. */
  private async runKyc(): Promise<'completed' | 'offboard' | 'closed'> {
    for (;;) {
      this.setStage('kyc');
      const attempt = this.state.kyc.attempts.length + 1;
      const session = await effect('openKycSession', `Open KYC session (attempt ${attempt})`, {
        authId: this.authId(),
        workflowId: this.state.workflowId,
        attempt,
        expiresInDays: this.input.kyc.expiresInDays,
        reminderSchedule: this.input.kyc.reminderSchedule,
      });
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

      const outcome = await this.awaitKycOutcome(record);
      if (outcome === 'offboard') return 'offboard';
      record.outcome = outcome;
      record.endedAt = new Date().toISOString();
      this.touch();
      if (outcome === 'completed') {
        this.setStage('telephony');
        return 'completed';
      }
      if (outcome !== 'revoked' && this.state.kyc.attempts.length < this.state.kyc.attemptsAllowed) continue;

      const waiting: Stage = outcome === 'failed' ? 'kyc_failed' : outcome === 'expired' ? 'kyc_expired' : 'kyc_revoked';
      this.setStage(waiting, `KYC ${outcome} after ${this.state.kyc.attempts.length} attempt(s); waiting for an operator`);
      this.restartRequested = false;
      const decided = await condition(() => this.restartRequested || Boolean(this.offboardRequest), OPERATOR_WAIT, {
        summary: 'Wait for an operator: restartKyc or offboard',
      });
      if (this.offboardRequest) return 'offboard';
      if (!decided) {
        this.setStage(waiting, `KYC ${outcome}; no operator decision within ${OPERATOR_WAIT}`);
        return 'closed';
      }
    }
  }

  /**
   * Waits for the session's end: confirms with the API on every webhook hint, at every poll interval and at
   * expiry, and sends each reminder once, at its point, while the session is open.
   */
  private async awaitKycOutcome(record: KycAttemptRecord): Promise<KycOutcome | 'offboard'> {
    const expiresAt = Date.parse(record.expiresAt);
    const openedAt = Date.parse(record.openedAt);
    const pollMs = durationMs(this.input.kyc.pollInterval);
    // Reminder points that fall after the session opened; a restart re-derives this list and skips those sent.
    const reminders = this.input.kyc.reminderSchedule
      .map((point) => ({ days: point.value, at: expiresAt - point.value * DAY_MS }))
      .filter((r) => r.at >= openedAt)
      .sort((a, b) => a.at - b.at);
    const reminderSent = (days: number) =>
      this.state.kyc.remindersSent.some((r) => r.attempt === record.attempt && r.daysBeforeExpiry === days);
    let nextPollAt = Date.now() + pollMs;
    let confirmNow = true; // confirm once at the start: the session may have ended while we were not looking

    for (;;) {
      if (this.offboardRequest) return 'offboard';
      const now = Date.now();
      if (confirmNow || this.kycHint || now >= nextPollAt || now >= expiresAt) {
        this.kycHint = false;
        confirmNow = false;
        const session = await read('getKycSession', `Confirm KYC session state (attempt ${record.attempt})`, {
          sessionId: record.sessionId,
        });
        this.state.kyc.status = session.status;
        this.touch();
        if (session.outcome) return session.outcome;
        if (Date.now() >= expiresAt + EXPIRY_GRACE_MS) {
          // Vobiz never reported the expiry: the session's deadline is ours too. Revoke it so the link stops working.
          await read('revokeKycSession', 'Revoke the KYC session past its expiry', {
            sessionId: record.sessionId,
            reason: 'expired',
          });
          return 'expired';
        }
        nextPollAt = Date.now() + pollMs;
      }

      const due = reminders.find((r) => r.at <= Date.now() && !reminderSent(r.days));
      if (due) {
        const { result } = await read('resendKycEmail', `Send the KYC reminder ${due.days} day(s) before expiry`, {
          sessionId: record.sessionId,
          purpose: 'reminder',
        });
        this.state.kyc.remindersSent.push({
          attempt: record.attempt,
          daysBeforeExpiry: due.days,
          result,
          at: new Date().toISOString(),
        });
        this.touch();
        if (result === 'skipped_session_closed') confirmNow = true;
        continue;
      }

      const nextReminder = reminders.find((r) => !reminderSent(r.days));
      const deadline = Date.now() < expiresAt ? expiresAt : expiresAt + EXPIRY_GRACE_MS;
      const wakeAt = Math.min(nextPollAt, deadline, nextReminder?.at ?? Infinity);
      await condition(() => this.kycHint || Boolean(this.offboardRequest), Math.max(wakeAt - Date.now(), 1000), {
        summary: nextReminder && nextReminder.at === wakeAt ? `Until the ${nextReminder.days}-day reminder` : 'Until the next KYC check',
      });
    }
  }

  private async provisionTelephony(): Promise<void> {
    this.setStage('telephony');
    if (!this.state.telephony.trunkId) {
      const trunk = await effect('createSipTrunk', 'Create the SIP trunk with the customer credentials', {
        authId: this.authId(),
        workflowId: this.state.workflowId,
        trunk: this.input.telephony.trunk,
      });
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
  }

  /** Picks a free inventory number and buys it; a number taken by someone else in between is skipped. */
  private async buyNumber(request: NumberRequest): Promise<string> {
    const exclude: string[] = [...this.state.telephony.numbers];
    for (let i = 0; i < NUMBER_PICK_TRIES; i++) {
      const pick = await read('pickInventoryNumber', `Find a number in inventory (${request.country})`, {
        authId: this.authId(),
        country: request.country,
        ...(request.search ? { search: request.search } : {}),
        exclude,
      });
      if (!pick) break;
      const bought = await effect('purchaseNumber', `Buy ${pick.e164}`, { authId: this.authId(), e164: pick.e164 });
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
  }

  /** Polls usage every cdrPollInterval until offboarding; continues-as-new to keep each run's history small. */
  private async monitorUsage(): Promise<void> {
    const monitoring = this.input.monitoring;
    const usage = (this.state.usage ??= {
      totals: { calls: 0, answered: 0, billableMinutes: 0, cost: ZERO },
      alerts: [],
      runs: 1,
    });
    let since = usage.last?.checkpoint ?? this.state.updatedAt;
    let afterCdrId = usage.last?.lastCdrId ?? 0;
    this.setStage('active');
    for (let poll = 1; ; poll++) {
      await condition(() => Boolean(this.offboardRequest), monitoring.cdrPollInterval, { summary: 'Until the next usage poll' });
      if (this.offboardRequest) return;
      const snapshot = await read('summarizeUsage', 'Summarize call records and balance', { authId: this.authId(), since, afterCdrId });
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
        // Handlers may still be running (e.g. a number purchase): let them finish, or continue-as-new drops them.
        await condition(allHandlersFinished);
        if (this.offboardRequest) return;
        usage.runs += 1;
        const { customer: _dropped, ...carried } = this.input as OnboardingInput;
        // The memo (the start API's input fingerprint) is carried explicitly, so a repeated start stays comparable.
        const next = makeContinueAsNewFunc<typeof customerLifecycle>({ memo: workflowInfo().memo ?? {} });
        await next(carried, { state: this.state });
      }
    }
  }

  private async raiseAlerts(previous: UsageSnapshot | undefined, current: UsageSnapshot): Promise<void> {
    const { lowBalanceThreshold, failedCallJump, alertWebhookUrl } = this.input.monitoring;
    const alerts: { kind: 'low_balance' | 'failed_calls_jump'; detail: string }[] = [];
    const isLow = (s: UsageSnapshot) => compareAmounts(s.balance, lowBalanceThreshold) < 0;
    // Alert on the transition into low balance, not on every poll while it stays low.
    if (isLow(current) && !(previous && isLow(previous))) {
      alerts.push({ kind: 'low_balance', detail: `balance ${current.balance} ${current.currency} below ${lowBalanceThreshold}` });
    }
    const jump = current.window.failedShare - (previous?.window.failedShare ?? 0);
    if (current.window.calls > 0 && jump >= failedCallJump) {
      alerts.push({
        kind: 'failed_calls_jump',
        detail: `failed-call share rose from ${Math.round((previous?.window.failedShare ?? 0) * 100)}% to ${Math.round(current.window.failedShare * 100)}%`,
      });
    }
    for (const alert of alerts) {
      const record = { ...alert, at: new Date().toISOString() };
      this.state.usage?.alerts.push(record);
      if (this.state.usage && this.state.usage.alerts.length > 50) this.state.usage.alerts.shift();
      try {
        await notify('sendAlert', `Alert: ${alert.kind}`, {
          workflowId: this.state.workflowId,
          authId: this.authId(),
          alert: record,
          ...(alertWebhookUrl ? { webhookUrl: alertWebhookUrl } : {}),
        });
      } catch (err) {
        if (isCancellation(err)) throw err;
        log.warn('Alert could not be delivered', { alert: alert.kind, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private async offboard(request: ReasonArgs): Promise<void> {
    this.state.offboarding ??= { reason: request.reason, requestedAt: new Date().toISOString() };
    this.setStage('offboarding', request.reason);
    const open = this.openKycAttempt();
    if (open) {
      await read('revokeKycSession', 'Revoke the open KYC session', { sessionId: open.sessionId, reason: request.reason });
      open.outcome = 'revoked';
      open.endedAt = new Date().toISOString();
    }
    if (this.state.authId) {
      for (const e164 of this.state.telephony.numbers) {
        if (this.state.telephony.releasedNumbers.includes(e164)) continue;
        await read('releaseNumber', `Release ${e164}`, { authId: this.state.authId, e164 });
        this.state.telephony.releasedNumbers.push(e164);
        this.touch();
      }
      if (this.state.telephony.trunkId && !this.state.telephony.trunkDisabled) {
        await read('disableSipTrunk', 'Disable the SIP trunk', { authId: this.state.authId, trunkId: this.state.telephony.trunkId });
        this.state.telephony.trunkDisabled = true;
      }
    }
    this.state.offboarding.completedAt = new Date().toISOString();
    this.setStage('offboarded', request.reason);
  }

  // ---- handlers -----------------------------------------------------------------------------------------------

  private registerHandlers(): void {
    setHandler(statusQuery, () => this.state);

    setHandler(kycEventSignal, (event) => {
      // Duplicates (Vobiz retries) and events for other sessions change nothing; the API decides, not the event.
      if (this.seenEventKeys.has(event.eventKey)) return;
      this.seenEventKeys.add(event.eventKey);
      this.state.kyc.eventsSeen += 1;
      this.state.kyc.lastEventAt = event.receivedAt;
      if (this.openKycAttempt()?.sessionId === event.sessionId) this.kycHint = true;
    });

    setHandler(
      resendKycUpdate,
      async () => {
        const open = this.openKycAttempt()!;
        const { result } = await read('resendKycEmail', 'Re-send the KYC email (operator)', {
          sessionId: open.sessionId,
          purpose: 'operator',
        });
        if (result === 'skipped_session_closed') this.kycHint = true;
        return { result };
      },
      { validator: () => this.requireOpenKyc('resendKyc') },
    );

    setHandler(
      revokeKycUpdate,
      async ({ reason }) => {
        const open = this.openKycAttempt()!;
        await read('revokeKycSession', 'Revoke the KYC session (operator)', { sessionId: open.sessionId, reason });
        this.kycHint = true; // the main loop confirms the revocation with the API and moves to kyc_revoked
        await condition(() => this.state.stage !== 'kyc' || !this.openKycAttempt());
        return { stage: this.state.stage };
      },
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
        this.state.kyc.attemptsAllowed = this.state.kyc.attempts.length + 1;
        this.restartRequested = true;
        return { stage: 'kyc' as Stage };
      },
      {
        validator: () => {
          if (!WAITING_FOR_OPERATOR.includes(this.state.stage)) {
            throw new Error(`restartKyc is allowed only in ${WAITING_FOR_OPERATOR.join(', ')}; the stage is ${this.state.stage}`);
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
          if (['offboarding', 'offboarded', 'failed'].includes(this.state.stage) || this.offboardRequest) {
            throw new Error(`offboard is not allowed: the stage is ${this.state.stage}${this.offboardRequest ? ' (offboarding already requested)' : ''}`);
          }
        },
      },
    );

    setHandler(purchaseNumberUpdate, async (args) => ({ e164: await this.buyNumber(NumberRequestSchema.parse(args)) }), {
      validator: (args: NumberPurchaseArgs) => {
        if (!['telephony', 'active'].includes(this.state.stage) || !this.state.telephony.trunkId || this.offboardRequest) {
          throw new Error(`purchaseNumber is allowed only once the trunk exists (telephony or active); the stage is ${this.state.stage}`);
        }
        const parsed = NumberRequestSchema.safeParse(args);
        if (!parsed.success) {
          throw new Error(describeProblems(parsed.error).map((p) => `${p.field} ${p.rule}`).join('; '));
        }
      },
    });
  }

  private requireOpenKyc(update: string): void {
    if (this.state.stage !== 'kyc' || !this.openKycAttempt()) {
      throw new Error(`${update} is allowed only while a KYC session is open (stage kyc); the stage is ${this.state.stage}`);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private openKycAttempt(): KycAttemptRecord | undefined {
    const last = this.state.kyc.attempts.at(-1);
    return last && !last.outcome ? last : undefined;
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
    else if (!WAITING_FOR_OPERATOR.includes(stage)) delete this.state.reason;
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
    };
  }
}

function requireReason(args: ReasonArgs | undefined): void {
  const reason = args?.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) {
    throw new Error('reason is required: a non-empty string of at most 500 characters');
  }
}

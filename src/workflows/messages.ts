/**
 * The shared contract of the customer-lifecycle workflow: stages, state, and the signal, updates and query that
 * the webhook bridge, the start API, the CLI and tests use. Pure: imported by workflow code and by clients.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FailureType, StallKind } from '../failures/vocabulary.js';

export const WORKFLOW_TYPE = 'customerLifecycle';

export const STAGES = [
  'account',
  'funding',
  'kyc',
  'telephony',
  'active',
  'offboarding',
  'offboarded',
  'kyc_failed',
  'kyc_expired',
  'kyc_revoked',
  'blocked',
  'failed',
] as const;
export type Stage = (typeof STAGES)[number];

/** Stages in which the workflow waits for an operator (restartKyc, retry or offboard), for a bounded time. */
export const WAITING_FOR_OPERATOR: readonly Stage[] = ['kyc_failed', 'kyc_expired', 'kyc_revoked', 'blocked'];

/** Stages a workflow never leaves. `failed` is reached only by workflows started before the failure policy. */
export const TERMINAL_STAGES: readonly Stage[] = ['offboarded', 'failed'];

/** Why a step is being retried by itself (the `VobizStalled` search attribute; empty when nothing is stalled). */
export type { StallKind };

export const KYC_EVENTS = ['kyc.completed', 'kyc.failed', 'kyc.session_revoked', 'kyc.session_expired'] as const;
export type KycEventType = (typeof KYC_EVENTS)[number];

/**
 * A KYC webhook, reduced by the bridge to what the workflow needs. It is a hint only: the workflow confirms the
 * session's state with the API before acting. No personal data (verified_data stays out of history).
 */
export interface KycEventSignal {
  /** Dedupe key: the same delivery retried by Vobiz carries the same key. */
  eventKey: string;
  event: KycEventType;
  sessionId: string;
  /**
   * The Vobiz account the webhook names (`account_auth_id`). The bridge always sets it and signals without looking
   * the workflow up; the workflow ignores an event naming another account than its customer's. A signal without it
   * (one sent by hand) cannot be checked and is taken: it is only a hint, so the most it costs is a confirmation.
   */
  accountAuthId?: string;
  /** Vobiz's status in the payload (`status` or `session_status`), informational only. */
  status?: string;
  receivedAt: string;
}

/**
 * Whose Vobiz account an `EmailInUse` block is about: the customer that owns the e-mail's account (its claim, or
 * the account recorded before claims existed) and the account, when one exists. No personal data.
 */
export interface AccountOwner {
  customerRef?: string;
  authId?: string;
}

export interface ReasonArgs {
  reason: string;
}

/**
 * `offboard`'s arguments. `force`: an offboarding that cannot finish (a step Vobiz keeps refusing) ends anyway: each
 * step still to do is tried once more and left as it stands if that fails, and what was left is recorded
 * (`offboarding.left`). Allowed while offboarding too, where a plain offboard is refused.
 */
export interface OffboardArgs extends ReasonArgs {
  force?: boolean;
}

/** What an offboarding left at Vobiz because an operator forced it to end (`offboard --force`). */
export interface OffboardingLeft {
  /** Numbers not released: they stay rented, and billed, until released in the Vobiz Console or through support. */
  numbers?: string[];
  /** The trunk, not disabled. */
  trunkId?: string;
  /** The KYC session, not revoked. */
  kycSessionId?: string;
  /** The wallet balance could not be read: ask Vobiz support what is left to reclaim. */
  balanceUnknown?: boolean;
}

export interface NumberPurchaseArgs {
  country: string;
  search?: string;
}

export type KycOutcome = 'completed' | 'failed' | 'expired' | 'revoked';

export interface KycAttemptRecord {
  attempt: number;
  sessionId: string;
  expiresAt: string;
  /** Workflow time the session was opened or adopted: reminder points before it are not sent. */
  openedAt: string;
  outcome?: KycOutcome;
  endedAt?: string;
  adopted: boolean;
}

export interface ReminderRecord {
  attempt: number;
  daysBeforeExpiry: number;
  /** `sent`: Vobiz accepted the resend; `recent_email`: its 30-minute cooldown showed an email had just gone out. */
  result: 'sent' | 'recent_email' | 'skipped_session_closed';
  at: string;
}

export interface UsageSnapshot {
  polledAt: string;
  /**
   * Where the next poll continues: CDRs with a larger `id` than `lastCdrId` (Vobiz's CDR ids grow with insertion,
   * so a record written late, with an earlier start or end time, is still counted once), within a date window
   * reaching one day before `checkpoint`.
   */
  checkpoint: string;
  lastCdrId: number;
  window: {
    calls: number;
    answered: number;
    byStatus: Record<string, number>;
    byHangupCause: Record<string, number>;
    answerRate: number;
    failedShare: number;
    billableMinutes: number;
    cost: string;
    lastCallAt?: string;
  };
  balance: string;
  currency: string;
}

export interface UsageTotals {
  calls: number;
  answered: number;
  billableMinutes: number;
  cost: string;
}

export interface AlertRecord {
  kind: 'low_balance' | 'failed_calls_jump' | 'stalled' | 'blocked';
  at: string;
  detail: string;
}

/** Everything the `status` query returns; no secrets (no password, no auth token) and no KYC documents. */
export interface LifecycleState {
  workflowId: string;
  customerRef: string;
  stage: Stage;
  /** Why the workflow is in a failure or waiting stage, or why it was offboarded. */
  reason?: string;
  authId?: string;
  funding?: { transactionId: string; transferId?: string; amount: string; currency: string; adopted: boolean };
  /** A step Vobiz refused for this customer's data: waiting for an operator's `retry` or `offboard`. */
  blocked?: { step: Stage; type: string; reason: string; since: string; owner?: AccountOwner };
  /** A step being retried by itself (credentials refused, Vobiz down, a bug): what, why, since when. */
  stall?: { step: string; kind: StallKind; type: string; reason: string; since: string; rounds: number };
  kyc: {
    attemptsAllowed: number;
    attempts: KycAttemptRecord[];
    /** Status last confirmed with the API for the current session. */
    status?: string;
    remindersSent: ReminderRecord[];
    eventsSeen: number;
    lastEventAt?: string;
  };
  telephony: {
    trunkId?: string;
    trunkDomain?: string;
    numbers: string[];
    releasedNumbers: string[];
    trunkDisabled?: boolean;
  };
  usage?: { last?: UsageSnapshot; totals: UsageTotals; alerts: AlertRecord[]; runs: number };
  offboarding?: {
    reason: string;
    requestedAt: string;
    completedAt?: string;
    balanceAtOffboarding?: string;
    /** The account answered 404 to its own reads: the steps that needed it ended as done (nothing of it is left). */
    accountGone?: boolean;
    /** An operator's `offboard --force`: why and when. */
    forced?: { reason: string; at: string };
    /** What the forced end left at Vobiz. */
    left?: OffboardingLeft;
  };
  /**
   * When the wait for an operator (blocked, kyc_failed, kyc_expired, kyc_revoked) ends by itself and the customer is
   * offboarded: an absolute time, so a wait resumed after continue-as-new keeps its deadline. Absent when not waiting.
   */
  operatorWaitUntil?: string;
  startedAt: string;
  updatedAt: string;
}

/** The workflow's result when it closes. */
export interface LifecycleSummary {
  stage: Stage;
  reason?: string;
  authId?: string;
  kycAttempts: number;
  trunkId?: string;
  numbersReleased: string[];
  usageTotals?: UsageTotals;
  /** The wallet balance when offboarding finished ("123.00000 INR"): Vobiz has no API to move it back. */
  balanceAtOffboarding?: string;
  /** The account was gone at Vobiz when offboarding needed it. */
  accountGone?: boolean;
  /** What a forced offboarding left at Vobiz. */
  left?: OffboardingLeft;
}

export const kycEventSignal = defineSignal<[KycEventSignal]>('kycEvent');
/**
 * The same event as an Update, which bridges send instead of the signal: its validator refuses an event that cannot
 * matter before anything reaches history (a refused Update writes no event), so a replayed or flooded delivery costs
 * the customer's history nothing. The bridge gives it the update ID `kycEventUpdateId(eventKey)`, so copies of one
 * delivery arriving at several bridges at once attach to one Update. The signal is still taken: it is in running
 * customers' histories, and a bridge of an earlier release sends it until it is upgraded.
 */
export const kycEventUpdate = defineUpdate<{ stage: Stage }, [KycEventSignal]>('kycEvent');
export const kycEventUpdateId = (eventKey: string): string => `kyc-event-${eventKey}`;
/** Why the kycEvent Update's validator refused an event: the ApplicationFailure type of the rejection. */
export const KYC_EVENT_REJECTIONS = {
  /** The run (or one before it) already took an event with this key. */
  duplicate: 'KycEventDuplicate',
  /** The event names another Vobiz account than the customer's. */
  otherAccount: 'KycEventOtherAccount',
  /** Not the customer's open KYC session, or the customer is not waiting in stage kyc. */
  notWaiting: 'KycEventNotWaiting',
  /** Not a KYC event as the bridge sends it (a hand-made Update). */
  invalid: 'KycEventInvalid',
} as const satisfies Record<string, FailureType>;
export type KycEventRejection = keyof typeof KYC_EVENT_REJECTIONS;
export const statusQuery = defineQuery<LifecycleState>('status');
/** Re-send the KYC email now (Vobiz allows one every 30 minutes). */
export const resendKycUpdate = defineUpdate<{ result: ReminderRecord['result'] }, []>('resendKyc');
/** Revoke the open KYC session; the workflow then waits for restartKyc or offboard. */
export const revokeKycUpdate = defineUpdate<{ stage: Stage }, [ReasonArgs]>('revokeKyc');
/** After a failed, expired or revoked KYC: open a new session (one more attempt). */
export const restartKycUpdate = defineUpdate<{ stage: Stage }, []>('restartKyc');
/** Release numbers, disable the trunk, revoke open sessions, and end; `force` ends an offboarding that cannot finish. */
export const offboardUpdate = defineUpdate<{ stage: Stage }, [OffboardArgs]>('offboard');
/**
 * Fields an operator may correct when retrying a blocked step: the customer's details (account creation) or the
 * trunk settings (trunk creation). The password is not among them: it is sealed at the edge.
 */
export interface RetryArgs {
  customer?: Partial<Record<'name' | 'email' | 'phone' | 'company' | 'country', string>>;
  trunk?: Partial<Record<string, unknown>>;
}
/** After a step was blocked (Vobiz refused the customer's data): try it again, optionally with corrected fields. */
export const retryUpdate = defineUpdate<{ stage: Stage }, [RetryArgs]>('retry');
/**
 * A customer blocked on `EmailInUse` takes the e-mail's account over, deliberately (a returning customer after
 * offboarding, or an account made outside this service): `from` names the current owner's customerRef exactly as
 * the block recorded it (null when no customer owns the account), so a typo hands nothing over. The worker refuses
 * while that owner still runs; then the account step runs again and adopts the account.
 */
export interface HandOverAccountArgs {
  from: string | null;
  reason: string;
}
export const handOverAccountUpdate = defineUpdate<{ stage: Stage }, [HandOverAccountArgs]>('handOverAccount');
/** Buy a number from inventory for the customer (telephony or active stage). */
export const purchaseNumberUpdate = defineUpdate<{ e164: string }, [NumberPurchaseArgs]>('purchaseNumber');

export interface ReleaseNumberArgs {
  e164: string;
}
/**
 * Give one of the customer's numbers back to Vobiz (refused for a number that is not the customer's, one already
 * released, and while the customer is being offboarded: offboarding releases every number). The number counts as
 * released (`telephony.releasedNumbers`) only once Vobiz has confirmed; `alreadyReleased` says Vobiz had released it
 * before this request (a retry after a lost answer).
 */
export const releaseNumberUpdate = defineUpdate<{ e164: string; alreadyReleased: boolean }, [ReleaseNumberArgs]>('releaseNumber');

/**
 * A hint from the partner-wide KYC sweep (kyc-sweep.ts): Vobiz no longer lists this customer's session as open, so
 * its webhook was probably lost. Like a webhook it is only a hint: the workflow confirms with the API now instead
 * of at its next poll, and ignores the hint when it has no open session.
 */
export interface KycCheckSignal {
  /** The sweep run that sent it (for the logs; a repeated hint only costs one more confirmation). */
  sweepId: string;
}
export const kycCheckSignal = defineSignal<[KycCheckSignal]>('kycCheck');

export const KYC_SWEEP_WORKFLOW_TYPE = 'kycSweep';
/** The sweep's safety net by default: every open session is paged at least every 3 hours (`KYC_SWEEP_FULL_PAGING_EVERY`). */
export const KYC_SWEEP_FULL_PAGING_EVERY_MS = 3 * 60 * 60 * 1000;

/** What one sweep did: its figures also go to metrics (`vobiz_kyc_sweep_*`). */
/**
 * Why a sweep read every page of open sessions: it had no baseline to compare the totals with (the first run, or
 * the previous one found nobody waiting), Vobiz's open total fell against our waiting customers (a session closed
 * and its customer did not hear of it), or the last full paging is older than the safety-net period.
 */
export type KycSweepPagingReason = 'no_baseline' | 'open_total_fell' | 'safety_net';

export interface KycSweepResult {
  /** Running customers of this task queue in stage `kyc` on a session our records call open (visibility). */
  customersInKyc: number;
  /** Sessions Vobiz lists as open (email_sent, link_ready, opened, in_progress): the sum of the four totals. */
  openSessions: number;
  /** Customers signalled `kycCheck`: waiting in kyc with no open session at Vobiz (only a paging sweep nudges). */
  nudged: number;
  /** Vobiz requests the sweep made: 0 with nobody waiting, 4 (the totals) in the steady state, ≈ 4 + open/100 when it paged. */
  vobizCalls: number;
  /** Why it read every page of open sessions, or null when the totals were enough. */
  paged: KycSweepPagingReason | null;
  /**
   * For the next sweep: open sessions minus waiting customers, the nudged ones counted as gone; null when nobody
   * waited (no totals read). A later surplus below it means a session closed unseen.
   */
  baseline: number | null;
  /** When a sweep last read every page (ISO time), carried from run to run for the safety net; null if never. */
  lastFullPagingAt: string | null;
}

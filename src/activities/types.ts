/**
 * The activities' contract, imported by workflow code as types only.
 *
 * Two rules shape every signature:
 * - The customer's auth token never crosses it: activities that act as the customer fetch the token from the
 *   partner API when they run, so it never enters workflow history.
 * - Every side effect carries what the activity needs to find an earlier attempt's result (the workflow ID, the
 *   attempt number, an intent token, the chosen number), because Vobiz has no idempotency keys.
 */
import type {
  AccountBalance,
  CdrPage,
  Dashboard,
  ListCdrsParams,
  ListInventoryParams,
  ListNumbersParams,
  ListTransactionsParams,
  NumberPage,
  PartnerProfile,
  TransactionPage,
} from '../vobiz/index.js';
import type { WorkerCheckReport, WorkerCheckRequest } from '../checks/results.js';
import type { CustomerDetails, ReminderPoint, TrunkSettings } from '../workflows/input-types.js';
import type { AlertRecord, KycOutcome, KycSweepResult, ReminderRecord, UsageSnapshot } from '../workflows/messages.js';

export type ReminderPointInput = ReminderPoint;
export type { CustomerDetails } from '../workflows/input-types.js';

/** Every effect's input: how long a retry after an ambiguous write must wait (set by the workflow's `effect()`). */
export interface EffectInput {
  settleDelayMs?: number;
}

export interface CreateAccountInput extends EffectInput {
  workflowId: string;
  customer: CustomerDetails;
  /**
   * Claim the e-mail's account for this workflow before creating or adopting it (src/temporal/account-claims.ts).
   * Set by workflows started since claims exist; older ones, whose account may predate any claim, adopt by details.
   */
  claimOwnership?: boolean;
}
export interface CreateAccountResult {
  authId: string;
  /** True when an earlier attempt had already created the account and this one found and adopted it. */
  adopted: boolean;
}

/** The details of an `EmailInUse` refusal (its first detail): whose the account is, without personal data. */
export interface AccountOwnerDetail {
  /** The customer that owns the e-mail's account through its claim, or recorded the account before claims existed. */
  ownerCustomerRef?: string;
  /** The Vobiz account that has the e-mail, when one exists. */
  authId?: string;
}

/** An operator hands the account of `email` to the customer `workflowId` (a returning customer, or an account made elsewhere). */
export interface HandOverAccountInput {
  workflowId: string;
  email: string;
  /** The current owner's workflow ID, or null for an account no customer of this service owns. */
  fromWorkflowId: string | null;
  reason: string;
}

export interface TransferInput extends EffectInput {
  authId: string;
  /** Canonical decimal string, e.g. "500.00000". */
  amount: string;
  currency: string;
  description?: string;
  /** Unique to this workflow and step; written into the transfer description and searched for before any repeat. */
  intentToken: string;
}
export interface TransferResult {
  /** The customer ledger row's id (`GET …/transactions`), the same whether the transfer was made now or adopted. */
  transactionId: string;
  /** Vobiz's transfer id (`txn_…`) when this attempt made the transfer; the ledger rows do not carry it. */
  transferId?: string;
  amount: string;
  currency: string;
  adopted: boolean;
}

export interface OpenKycSessionInput extends EffectInput {
  authId: string;
  workflowId: string;
  attempt: number;
  expiresInDays: number;
  reminderSchedule: ReminderPointInput[];
}
export interface KycSessionRef {
  sessionId: string;
  expiresAt: string;
  status: string;
  adopted: boolean;
}

export interface KycSessionState {
  sessionId: string;
  status: string;
  kycType: string | null;
  expiresAt: string;
  /** Set once the session has ended, from the status Vobiz reports. */
  outcome?: KycOutcome;
}

export interface ResendKycInput {
  sessionId: string;
  /** `reminder`: a scheduled reminder; `operator`: an operator asked (a cooldown 429 is reported, not waited out). */
  purpose: 'reminder' | 'operator';
}

export interface CreateTrunkInput extends EffectInput {
  authId: string;
  workflowId: string;
  trunk: TrunkSettings;
}
export interface TrunkRef {
  trunkId: string;
  trunkDomain: string;
  adopted: boolean;
}

export interface PickNumberInput {
  authId: string;
  country: string;
  search?: string;
  /** Numbers already tried and found taken. */
  exclude: string[];
}
export type PurchaseNumberResult = { status: 'purchased' | 'adopted'; e164: string } | { status: 'unavailable'; e164: string };

export interface SummarizeUsageInput {
  authId: string;
  /** The previous poll's time (ISO-8601): the CDR date window reaches one day before it. */
  since: string;
  /** Count CDRs with an id above this one (0 on the first poll). */
  afterCdrId: number;
}

export interface SendAlertInput {
  workflowId: string;
  authId: string;
  alert: AlertRecord;
  webhookUrl?: string;
}

export interface LifecycleActivities {
  createCustomerAccount(input: CreateAccountInput): Promise<CreateAccountResult>;
  handOverAccount(input: HandOverAccountInput): Promise<{ owner: string }>;
  transferOpeningBalance(input: TransferInput): Promise<TransferResult>;
  openKycSession(input: OpenKycSessionInput): Promise<KycSessionRef>;
  getKycSession(input: { sessionId: string }): Promise<KycSessionState>;
  resendKycEmail(input: ResendKycInput): Promise<{ result: ReminderRecord['result'] }>;
  revokeKycSession(input: { sessionId: string; reason: string }): Promise<{ status: string; alreadyEnded: boolean }>;
  createSipTrunk(input: CreateTrunkInput): Promise<TrunkRef>;
  disableSipTrunk(input: { authId: string; trunkId: string }): Promise<{ alreadyDisabled: boolean }>;
  pickInventoryNumber(input: PickNumberInput): Promise<{ e164: string } | null>;
  purchaseNumber(input: { authId: string; e164: string } & EffectInput): Promise<PurchaseNumberResult>;
  releaseNumber(input: { authId: string; e164: string }): Promise<{ alreadyReleased: boolean }>;
  summarizeUsage(input: SummarizeUsageInput): Promise<UsageSnapshot>;
  readBalance(input: { authId: string }): Promise<{ balance: string; currency: string }>;
  sendAlert(input: SendAlertInput): Promise<void>;
}

export interface KycSweepInput {
  /** Only customers of this task queue are swept (one deployment's customers; tests share a server). */
  taskQueue: string;
  /** The sweep run, passed on in each hint. */
  sweepId: string;
  /** Sessions per page of `GET /kyc-sessions` (Vobiz allows up to 100). */
  pageSize: number;
  /** The safety net: every open session is paged at least this often, whatever the totals say. */
  fullPagingEveryMs: number;
}

/** The partner-wide KYC sweep (src/activities/kyc-sweep.ts), registered beside the lifecycle's activities. */
export interface KycSweepActivities {
  sweepKycSessions(input: KycSweepInput): Promise<KycSweepResult>;
}

/**
 * One page of a Vobiz read, for the bridge (src/bridge/activity-reads.ts), which runs these as standalone
 * activities on the Vobiz task queue: inside the partner's rate budget, with the partner credentials only the worker
 * holds. Results cross Temporal as JSON (amounts as decimal strings); the bridge parses them with the same schemas.
 */
export interface VobizReadActivities {
  readTransactionPage(input: { authId: string; params: ListTransactionsParams }): Promise<TransactionPage>;
  /** `authId` null: every customer's call records. */
  readCdrPage(input: { authId: string | null; params: ListCdrsParams }): Promise<CdrPage>;
  readNumberPage(input: { authId: string; params: ListNumbersParams }): Promise<NumberPage>;
  readInventoryPage(input: { params: ListInventoryParams }): Promise<NumberPage>;
  readAccountBalance(input: { authId: string }): Promise<AccountBalance>;
  readPartnerProfile(): Promise<PartnerProfile>;
  readPartnerDashboard(): Promise<Dashboard>;
}

/** The worker's start-up checks, run again for the doctor (src/activities/worker-checks.ts). */
export interface WorkerCheckActivities {
  runWorkerChecks(request: WorkerCheckRequest): Promise<WorkerCheckReport>;
}

/**
 * The failure vocabulary: every failure type this service raises, defined once, with what it means.
 *
 * - `kind`: what a step failing with it means for the customer (the workflow's failure policy, docs/design.md §4).
 *   `customer_data` blocks the customer until an operator retries (with corrected fields) or offboards; every other
 *   kind is a *stall kind*: the step retries by itself, visibly (the `VobizStalled` search attribute), until the
 *   cause is fixed.
 * - `retried`: whether the activity's retry policy tries it again before the workflow hears of it; `false` makes
 *   the failure final for the activity (`nonRetryable`).
 * - `report`: how an operator action that failed with it is told by the start API and the CLI (docs/bridge.md).
 *
 * The Vobiz client names each of its errors with a type from here (`answerType` for an HTTP error answer), the
 * activities raise only these types, the workflow classifies a failure by looking its type up, and operator
 * refusals are reported from the same entry. Plain data and functions, no imports: the workflow's deterministic
 * sandbox and the Temporal-free Vobiz client both load it.
 */

/** Why a step stalls: the values of the `VobizStalled` search attribute (empty while nothing stalls), never a message. */
export const STALL_KINDS = ['credentials', 'partner_balance', 'vobiz_unavailable', 'unexpected'] as const;
export type StallKind = (typeof STALL_KINDS)[number];
/** What a step failure means for the customer: its own data refused (a block), or why the step stalls. */
export type FailureKind = 'customer_data' | StallKind;

/** How an operator action that failed is told (one HTTP status and one CLI exit code each, docs/bridge.md). */
export type OperatorReport =
  /** The workflow's validator said no: not allowed in the current stage. */
  | 'not_allowed'
  /** The workflow or Vobiz refused while carrying it out (no number in inventory, wallet too low, …). */
  | 'refused'
  /** Refused for now: the same request succeeds after a wait (Vobiz's KYC e-mail cooldown, its rate limit). */
  | 'try_later'
  /** Could not be carried out (Vobiz unreachable, broke its contract, timed out): retrying later may work. */
  | 'failed';

interface FailureMeaning {
  kind: FailureKind;
  retried: boolean;
  report: OperatorReport;
}

const customerData = { kind: 'customer_data', retried: false, report: 'refused' } as const;
/** Raised by the workflow itself (an update's handler, its input check): never a step's failure, so `unexpected`. */
const workflowRefusal = { kind: 'unexpected', retried: false, report: 'refused' } as const;

export const FAILURE_TYPES = {
  // Vobiz answered with an error (`answerType`); the failure's details carry the HTTP status and Vobiz's code.
  /** 400, or another 4xx with no name of its own: Vobiz refused the request as sent. */
  VobizBadRequest: customerData,
  /** 402, or Vobiz's `insufficient_balance`: the customer's wallet cannot pay (a number's fees). */
  VobizInsufficientBalance: customerData,
  VobizNotFound: customerData,
  VobizConflict: customerData,
  VobizValidationError: customerData,
  /** 401: the partner token was rotated or mistyped (or the customer's, fetched with it). */
  VobizUnauthorized: { kind: 'credentials', retried: false, report: 'failed' },
  /** 403: a permission or capability flag the partner lacks. */
  VobizForbidden: { kind: 'credentials', retried: false, report: 'refused' },
  /** 429: retried after the wait Vobiz asked for. */
  VobizRateLimited: { kind: 'vobiz_unavailable', retried: true, report: 'try_later' },
  /** 5xx or 408: Vobiz could not handle the request now. */
  VobizServerError: { kind: 'vobiz_unavailable', retried: true, report: 'failed' },

  // The Vobiz client's other errors.
  /** No answer: connection refused or reset, a timeout. */
  VobizUnreachable: { kind: 'vobiz_unavailable', retried: true, report: 'failed' },
  /** An answer that broke the documented contract (a body that fails the schema, a redirect). */
  VobizContractBroken: { kind: 'unexpected', retried: false, report: 'failed' },
  /** The client refused to send a field that breaks a documented rule: the same data fails again. */
  VobizRequestInvalid: customerData,

  // Raised by the activities.
  /**
   * The customer's Vobiz account answers 404 to its own reads (`GET /accounts/{id}`, its balance): closed at Vobiz, or
   * never this partner's. Offboarding counts every step that needs the account as done; elsewhere it blocks.
   */
  VobizAccountGone: customerData,
  /** The e-mail's Vobiz account belongs to another customer, or to none here; the details name the owner. */
  EmailInUse: customerData,
  /** A transfer tagged with this customer's token exists with another amount. */
  TransferMismatch: customerData,
  /** The opening balance is over the worker's cap (ONBOARDING_MAX_OPENING_BALANCE); nothing was transferred. */
  OpeningBalanceOverCap: customerData,
  /** The partner wallet cannot cover the opening transfer: the partner tops up, the step carries on by itself. */
  PartnerBalanceInsufficient: { kind: 'partner_balance', retried: false, report: 'refused' },
  /** A transfer Vobiz confirmed is not in the customer's ledger yet: read again shortly. */
  VobizLedgerLagging: { kind: 'unexpected', retried: true, report: 'refused' },
  /** The customer's password reached the worker unsealed. */
  PasswordNotSealed: { kind: 'unexpected', retried: false, report: 'refused' },
  /** A sealed password this worker cannot open (a key it does not hold, a changed value). */
  SealedPasswordUnreadable: { kind: 'unexpected', retried: false, report: 'refused' },
  /** An operator's account hand-over named the wrong owner, or one still running. */
  HandOverRefused: { kind: 'unexpected', retried: false, report: 'refused' },
  /** Vobiz sends one KYC e-mail per 30 minutes (its 429); the details say how long to wait. */
  KycResendCooldown: { kind: 'vobiz_unavailable', retried: false, report: 'try_later' },
  /** Vobiz rolled a number purchase back (typically the customer's wallet, too low for the fees). */
  NumberPurchaseFailed: { kind: 'unexpected', retried: false, report: 'refused' },
  /** The alert webhook resolves to an internal address: not sent. */
  AlertWebhookRefused: { kind: 'unexpected', retried: false, report: 'refused' },
  /** Vobiz lists its number inventory to an account only, and the partner has no active customer account to ask through. */
  NoCustomerAccount: { kind: 'unexpected', retried: false, report: 'refused' },

  // Raised by the workflow.
  NoNumberAvailable: workflowRefusal,
  /** The stage changed while the operator's request waited for another to finish. */
  NotAllowed: workflowRefusal,
  /** The workflow's own state broke a rule it keeps (a bug): the action could not be carried out. */
  InvariantViolation: { kind: 'unexpected', retried: false, report: 'failed' },
  /** The workflow's input has the wrong shape. */
  InvalidInput: workflowRefusal,
  /** A step failed on the path without the failure policy (patch `failure-policy-v1` not taken): the run fails. */
  LifecycleFailed: workflowRefusal,
  /** The kycEvent Update's validator refused an event (messages.ts, `KYC_EVENT_REJECTIONS`). */
  KycEventDuplicate: workflowRefusal,
  KycEventOtherAccount: workflowRefusal,
  KycEventNotWaiting: workflowRefusal,
  KycEventInvalid: workflowRefusal,
} as const satisfies Record<string, FailureMeaning>;

export type FailureType = keyof typeof FAILURE_TYPES;

const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.keys(FAILURE_TYPES));

export function isFailureType(type: string): type is FailureType {
  return KNOWN_TYPES.has(type);
}

/** The customer-data answers by Vobiz's normalised code, and by status when the code names none of them. */
const CUSTOMER_DATA_CODES: ReadonlyMap<string, FailureType> = new Map([
  ['bad_request', 'VobizBadRequest'],
  ['insufficient_balance', 'VobizInsufficientBalance'],
  ['not_found', 'VobizNotFound'],
  ['conflict', 'VobizConflict'],
  ['validation_error', 'VobizValidationError'],
]);
const CUSTOMER_DATA_STATUSES: ReadonlyMap<number, FailureType> = new Map([
  [400, 'VobizBadRequest'],
  [402, 'VobizInsufficientBalance'],
  [404, 'VobizNotFound'],
  [409, 'VobizConflict'],
  [422, 'VobizValidationError'],
]);

/**
 * The type of an HTTP error answer from Vobiz, from its status and Vobiz's own code as the client normalised it
 * (`unauthorized`, `not_found`, …; any other code passes by its status). Refused credentials come first, by code
 * or status, then Vobiz being unavailable, then the customer's data (a 4xx); anything else broke the contract.
 */
export function answerType(status: number, code?: string): FailureType {
  if (code === 'unauthorized') return 'VobizUnauthorized';
  if (code === 'forbidden') return 'VobizForbidden';
  if (status === 401) return 'VobizUnauthorized';
  if (status === 403) return 'VobizForbidden';
  if (code === 'rate_limited' || status === 429) return 'VobizRateLimited';
  if (code === 'server_error' || status === 408 || status >= 500) return 'VobizServerError';
  if (status >= 400) return CUSTOMER_DATA_CODES.get(code ?? '') ?? CUSTOMER_DATA_STATUSES.get(status) ?? 'VobizBadRequest';
  return 'VobizContractBroken';
}

/**
 * What a step failing with `type` means for the customer. A type outside the vocabulary means what the HTTP status
 * it carries means, and `unexpected` without one: a bug's `TypeError`, and the types named after Vobiz's own code
 * (`VobizHttp_408`, `VobizDidCoolOffInEffect`) that running customers' histories hold, so replaying them decides as
 * it did when they ran.
 */
export function failureKind(type: string, status?: number): FailureKind {
  if (isFailureType(type)) return FAILURE_TYPES[type].kind;
  return status === undefined ? 'unexpected' : FAILURE_TYPES[answerType(status)].kind;
}

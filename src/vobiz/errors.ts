/**
 * One error taxonomy for every Vobiz call.
 *
 *   VobizError                 base: `failureType`, `retryable`, `method`, `path`, credential-free `message`, `toJSON()`
 *   ├─ VobizApiError           the API answered with a non-2xx status (any of the documented body shapes)
 *   ├─ VobizNetworkError       connection refused/reset/closed; `mayHaveCommitted` when the request may have landed
 *   ├─ VobizTimeoutError       connect/headers/body timeout; same `mayHaveCommitted` rule
 *   └─ VobizResponseError      a 2xx body that does not match the schema (a contract break: not retryable)
 *
 * Each error is named by a type of the failure vocabulary (`failureType`, src/failures/vocabulary.ts), and
 * `retryable` (whether repeating the *same* request can succeed) is that type's; callers (Temporal retry policies)
 * decide whether to repeat. `mayHaveCommitted` is the warning that matters for non-idempotent calls (transfer,
 * create, purchase): the effect may exist even though we saw no response, so reconcile before repeating.
 *
 * Aborts are not wrapped: an aborted call rejects with the signal's reason, so Temporal sees its own cancellation.
 * Messages never carry credentials (see redact.ts); `toJSON()` never carries headers or bodies.
 */
import { FAILURE_TYPES, answerType, type FailureType } from '../failures/vocabulary.js';

export interface VobizErrorContext {
  method: string;
  /** Request path (with ids and URL-encoded E.164), never the query string or headers. */
  path: string;
}

export class VobizError extends Error {
  /** What the error means, in the failure vocabulary: the type the activities raise it as. */
  readonly failureType: FailureType;
  readonly retryable: boolean;
  readonly method: string;
  readonly path: string;

  constructor(message: string, ctx: VobizErrorContext, failureType: FailureType, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VobizError';
    this.failureType = failureType;
    this.retryable = FAILURE_TYPES[failureType].retried;
    this.method = ctx.method;
    this.path = ctx.path;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, method: this.method, path: this.path, failureType: this.failureType, retryable: this.retryable };
  }
}

/** Normalised codes. Unknown specific API codes pass through snake_cased (e.g. `did_cool_off_in_effect`). */
export type VobizErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'insufficient_balance'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'validation_error'
  | 'rate_limited'
  | 'server_error'
  | (string & {});

export interface VobizFieldError {
  /** Dotted field path without the `body`/`query`/`path` location prefix, e.g. `reminder_schedule.0.value`. */
  field: string;
  rule: string;
}

type Primitive = string | number | boolean | null;

export class VobizApiError extends VobizError {
  readonly status: number;
  readonly code: VobizErrorCode;
  /** The code exactly as the API sent it (`HTTPError`, `INSUFFICIENT_BALANCE`, 401…), for diagnosis. */
  readonly apiCode: string | number | undefined;
  readonly fieldErrors: VobizFieldError[];
  /** When a 429 says how long to wait (Retry-After header or "wait N seconds" in the message). */
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  /** Scalar, non-secret extras from the body, e.g. `current_balance`, `requested_amount`, `currency`. */
  readonly details: Record<string, Primitive>;

  constructor(init: {
    ctx: VobizErrorContext;
    status: number;
    code: VobizErrorCode;
    apiCode?: string | number | undefined;
    message: string;
    fieldErrors?: VobizFieldError[];
    retryAfterMs?: number | undefined;
    requestId?: string | undefined;
    details?: Record<string, Primitive>;
  }) {
    super(init.message, init.ctx, answerType(init.status, init.code));
    this.name = 'VobizApiError';
    this.status = init.status;
    this.code = init.code;
    this.apiCode = init.apiCode;
    this.fieldErrors = init.fieldErrors ?? [];
    this.retryAfterMs = init.retryAfterMs;
    this.requestId = init.requestId;
    this.details = init.details ?? {};
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      code: this.code,
      apiCode: this.apiCode,
      fieldErrors: this.fieldErrors,
      retryAfterMs: this.retryAfterMs,
      requestId: this.requestId,
      details: this.details,
    };
  }
}

export class VobizNetworkError extends VobizError {
  /** True for non-GET requests that may have reached Vobiz before the connection failed. */
  readonly mayHaveCommitted: boolean;
  /** The socket error code (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET…). */
  readonly errorCode: string | undefined;

  constructor(message: string, ctx: VobizErrorContext, init: { mayHaveCommitted: boolean; errorCode?: string; cause?: unknown }) {
    super(message, ctx, 'VobizUnreachable', { cause: init.cause });
    this.name = 'VobizNetworkError';
    this.mayHaveCommitted = init.mayHaveCommitted;
    this.errorCode = init.errorCode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), mayHaveCommitted: this.mayHaveCommitted, errorCode: this.errorCode };
  }
}

export type VobizTimeoutPhase = 'connect' | 'headers' | 'body';

export class VobizTimeoutError extends VobizError {
  readonly phase: VobizTimeoutPhase;
  readonly timeoutMs: number | undefined;
  readonly mayHaveCommitted: boolean;

  constructor(
    message: string,
    ctx: VobizErrorContext,
    init: { phase: VobizTimeoutPhase; timeoutMs?: number; mayHaveCommitted: boolean; cause?: unknown },
  ) {
    super(message, ctx, 'VobizUnreachable', { cause: init.cause });
    this.name = 'VobizTimeoutError';
    this.phase = init.phase;
    this.timeoutMs = init.timeoutMs;
    this.mayHaveCommitted = init.mayHaveCommitted;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), phase: this.phase, timeoutMs: this.timeoutMs, mayHaveCommitted: this.mayHaveCommitted };
  }
}

export interface VobizSchemaIssue {
  /** Dotted path into the body, e.g. `accounts.3.cash_credits`. */
  path: string;
  /** zod issue code (`invalid_type`, `custom`…) and, for type errors, the expected type. Never the received value. */
  code: string;
  expected?: string;
}

export class VobizResponseError extends VobizError {
  readonly status: number;
  readonly issues: VobizSchemaIssue[];

  constructor(ctx: VobizErrorContext, status: number, issues: VobizSchemaIssue[], reason = 'did not match the expected schema') {
    const summary = issues
      .slice(0, 5)
      .map((i) => `${i.path || '(root)'}: ${i.code}${i.expected ? ` (expected ${i.expected})` : ''}`)
      .join('; ');
    super(
      `Vobiz ${ctx.method} ${ctx.path} → ${status}: response ${reason}${summary ? `: ${summary}` : ''}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`,
      ctx,
      'VobizContractBroken',
    );
    this.name = 'VobizResponseError';
    this.status = status;
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, issues: this.issues };
  }
}

/**
 * The caller's input broke a documented rule, so no request was sent. Not retryable: the same input fails again.
 * Carries the same `fieldErrors` shape as a Vobiz 422, so callers handle both alike.
 */
export class VobizRequestError extends VobizError {
  readonly code = 'validation_error' as const;
  readonly fieldErrors: VobizFieldError[];

  constructor(ctx: VobizErrorContext, fieldErrors: VobizFieldError[]) {
    super(
      `Vobiz ${ctx.method} ${ctx.path}: invalid request: ${fieldErrors.map((f) => `${f.field || '(input)'} ${f.rule}`).join('; ')}`,
      ctx,
      'VobizRequestInvalid',
    );
    this.name = 'VobizRequestError';
    this.fieldErrors = fieldErrors;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code, fieldErrors: this.fieldErrors };
  }
}

/**
 * Errors the OnboardingClient throws: one class per kind of answer, each carrying the bridge's
 * `{status, error, field, rule}` so callers can branch on the class and show the field and rule to a person.
 */
import type { FieldProblem } from '../workflows/input.js';

export interface ApiErrorBody {
  error?: string;
  message?: string;
  field?: string;
  rule?: string;
  problems?: FieldProblem[];
  type?: string;
  retryAfterSeconds?: number;
}

export class OnboardingApiError extends Error {
  readonly status: number;
  /** The bridge's machine-readable code (`invalid_input`, `conflict`, `not_allowed`, …). */
  readonly code: string;
  readonly field?: string;
  readonly rule?: string;
  /** Every problem, for validation errors (400). */
  readonly problems: FieldProblem[];
  /** True when the same request may succeed later (Temporal unreachable, timeouts, network errors, try_later). */
  readonly retryable: boolean;
  /** For refused or failed actions: the workflow's or Vobiz's failure type (`KycResendCooldown`, `NoNumberAvailable`, …). */
  readonly type?: string;
  /** For TryLaterError: seconds until the same request can succeed. */
  readonly retryAfterSeconds?: number;

  constructor(status: number, body: ApiErrorBody, retryable = false) {
    super(body.message ?? `Onboarding API answered ${status}`);
    this.name = new.target.name;
    this.status = status;
    this.code = body.error ?? 'unknown';
    if (body.field !== undefined) this.field = body.field;
    if (body.rule !== undefined) this.rule = body.rule;
    this.problems = body.problems ?? (body.field && body.rule ? [{ field: body.field, rule: body.rule }] : []);
    this.retryable = retryable;
    if (body.type !== undefined) this.type = body.type;
    if (body.retryAfterSeconds !== undefined) this.retryAfterSeconds = body.retryAfterSeconds;
  }
}

/** 400: the request itself is wrong; `problems` names every field and rule. */
export class InvalidRequestError extends OnboardingApiError {}
/** 401: missing or wrong bearer token. */
export class UnauthorizedError extends OnboardingApiError {}
/** 403 `forbidden`: a read-only token (BRIDGE_READ_TOKENS) sent to a route that starts or acts. */
export class ForbiddenError extends OnboardingApiError {}
/** 404: no onboarding for that customerRef. */
export class NotFoundError extends OnboardingApiError {}
/**
 * 409 `conflict` / `already_closed`: the customerRef is taken by a different input or a finished customer;
 * `finished`: an action or a read on a customer whose workflow has closed (the message says since when).
 */
export class ConflictError extends OnboardingApiError {}
/** 409 `not_allowed`: the workflow refused the action in its current stage. */
export class NotAllowedError extends OnboardingApiError {}
/** 409 `action_refused`: the workflow or Vobiz refused while carrying it out (`type` says why, e.g. NoNumberAvailable). */
export class ActionRefusedError extends OnboardingApiError {}
/** 429 `try_later`: refused for now (e.g. KycResendCooldown); `retryAfterSeconds` says when to ask again. */
export class TryLaterError extends OnboardingApiError {}
/** 502 `action_failed`: the workflow accepted the action but could not complete it (e.g. a Vobiz call failed). */
export class ActionFailedError extends OnboardingApiError {}
/** 5xx, or no answer at all (status 0): retry later. */
export class ServiceUnavailableError extends OnboardingApiError {}

export function errorFor(status: number, body: ApiErrorBody): OnboardingApiError {
  if (status === 400 || status === 413 || status === 415 || status === 422) return new InvalidRequestError(status, body);
  if (status === 401) return new UnauthorizedError(status, body);
  if (status === 403) return new ForbiddenError(status, body);
  if (status === 404) return new NotFoundError(status, body);
  if (status === 409) {
    if (body.error === 'not_allowed') return new NotAllowedError(status, body);
    if (body.error === 'action_refused') return new ActionRefusedError(status, body);
    return new ConflictError(status, body);
  }
  if (status === 429 && body.error === 'try_later') return new TryLaterError(status, body, true);
  if (status === 502 && body.error === 'action_failed') return new ActionFailedError(status, body);
  if (status >= 500 || status === 0 || status === 429) return new ServiceUnavailableError(status, body, true);
  return new OnboardingApiError(status, body);
}

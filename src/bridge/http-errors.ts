/**
 * One error shape for every non-2xx answer: `{ error, message, field?, rule?, problems? }`. `error` is a stable
 * machine-readable code; `field` + `rule` say what to fix (invariant 4: every error names the field and the rule).
 */
import type { Refusal } from '../onboarding/refusals.js';
import type { FieldProblem } from '../workflows/input.js';

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  rule?: string;
  problems?: FieldProblem[];
  /** For refused or failed actions: the workflow's or Vobiz's failure type (`KycResendCooldown`, …). */
  type?: string;
  /** For `try_later`: seconds until the same request can succeed (also sent as `Retry-After`). */
  retryAfterSeconds?: number;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
    this.name = 'HttpError';
  }

  static field(statusCode: number, error: string, field: string, rule: string): HttpError {
    return new HttpError(statusCode, { error, message: `${field} ${rule}`, field, rule });
  }

  static problems(statusCode: number, error: string, problems: FieldProblem[]): HttpError {
    const first = problems[0];
    return new HttpError(statusCode, {
      error,
      message: problems.map((p) => `${p.field} ${p.rule}`).join('; '),
      ...(first ? { field: first.field, rule: first.rule } : {}),
      problems,
    });
  }
}

/** The answer for an operator action the workflow or Vobiz did not carry out (see src/onboarding/refusals.ts). */
export function refusalError(refusal: Refusal): HttpError {
  const common = { message: refusal.message, type: refusal.type };
  switch (refusal.kind) {
    case 'not_allowed':
      return new HttpError(409, { error: 'not_allowed', ...common, field: 'stage', rule: refusal.message });
    case 'refused':
      return new HttpError(409, { error: 'action_refused', ...common, field: 'action', rule: refusal.message });
    case 'try_later':
      return new HttpError(429, {
        error: 'try_later',
        ...common,
        field: 'action',
        rule: refusal.message,
        ...(refusal.retryAfterSeconds !== undefined ? { retryAfterSeconds: refusal.retryAfterSeconds } : {}),
      });
    case 'failed':
      return new HttpError(502, { error: 'action_failed', ...common, field: 'action', rule: 'could not be carried out; retry later' });
  }
}

export const temporalUnavailable = (): HttpError =>
  new HttpError(503, {
    error: 'temporal_unavailable',
    message: 'Temporal could not be reached in time; retry later',
    field: 'temporal',
    rule: 'must be reachable',
  });

/** Temporal answered, but no worker did: stopped (nothing polls the task queue) or stuck. */
export const workerUnavailable = (err: { message: string; taskQueue: string }): HttpError =>
  new HttpError(503, { error: 'worker_unavailable', message: err.message, field: 'worker', rule: `must poll task queue ${err.taskQueue}` });

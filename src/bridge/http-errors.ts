/**
 * One error shape for every non-2xx answer: `{ error, message, field?, rule?, problems? }`. `error` is a stable
 * machine-readable code; `field` + `rule` say what to fix (invariant 4: every error names the field and the rule).
 */
import type { FieldProblem } from '../workflows/input.js';

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  rule?: string;
  problems?: FieldProblem[];
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

export const temporalUnavailable = (): HttpError =>
  new HttpError(503, {
    error: 'temporal_unavailable',
    message: 'Temporal could not be reached in time; retry later',
    field: 'temporal',
    rule: 'must be reachable',
  });

/**
 * How the CLI reports failures: what happened and why, in words a person can act on (or as JSON with --json), and
 * an exit code scripts can branch on:
 *
 *   0 ok · 1 other · 2 invalid input (every field and rule) · 3 not found · 4 refused (conflict, not allowed in the
 *   stage, a finished customer, refused by the workflow or Vobiz, or "try later") · 5 Temporal unreachable, or no
 *   worker answered (the message says which) · 6 the action
 *   was accepted but could not be carried out (Vobiz unreachable, …): retry later
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { InvalidPageTokenError, NoVobizAccountYetError } from '../onboarding/customers.js';
import { describeRefusal } from '../onboarding/refusals.js';
import { OnboardingConflictError } from '../onboarding/start.js';
import { NoCustomerAccountError } from '../reads/vobiz-reads.js';
import { CustomerFinishedError, WorkerUnavailableError, isTemporalUnavailable } from '../onboarding/temporal-calls.js';
import { VobizApiError, VobizError } from '../vobiz/index.js';
import type { FieldProblem } from '../workflows/input.js';

export const EXIT = { ok: 0, failed: 1, invalidInput: 2, notFound: 3, refused: 4, unavailable: 5, actionFailed: 6 } as const;

export class CliInputError extends Error {
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'CliInputError';
  }
}

/** Temporal did not answer the connection attempt: the message names the address and how it was chosen. */
export class TemporalUnreachableError extends Error {
  constructor(
    readonly address: string,
    readonly hint: string,
  ) {
    super(`Temporal is not reachable at ${address}`);
    this.name = 'TemporalUnreachableError';
  }
}

interface FailureReport {
  code: number;
  /** Machine-readable kind, the same words as the start API's `error` codes. */
  error: string;
  message: string;
  type?: string;
  retryAfterSeconds?: number;
  problems?: FieldProblem[];
  hint?: string;
}

export function describeFailure(err: unknown): FailureReport {
  if (err instanceof CliInputError) {
    return { code: EXIT.invalidInput, error: 'invalid_input', message: err.message, problems: err.problems };
  }
  if (err instanceof InvalidPageTokenError) {
    return { code: EXIT.invalidInput, error: 'invalid_input', message: 'invalid filter', problems: [{ field: '--page-token', rule: err.rule }] };
  }
  if (err instanceof OnboardingConflictError) {
    return { code: EXIT.refused, error: err.reason === 'different_input' ? 'conflict' : 'already_closed', message: err.message };
  }
  if (err instanceof CustomerFinishedError) return { code: EXIT.refused, error: 'finished', message: err.message };
  if (err instanceof WorkerUnavailableError) {
    return { code: EXIT.unavailable, error: 'worker_unavailable', message: err.message, hint: 'status and actions need a running worker; Temporal itself answered' };
  }
  if (err instanceof WorkflowNotFoundError) {
    return { code: EXIT.notFound, error: 'not_found', message: `no onboarding ${err.workflowId} (never started, or past retention)` };
  }
  if (err instanceof NoVobizAccountYetError) return { code: EXIT.notFound, error: 'no_vobiz_account', message: err.message };
  if (err instanceof NoCustomerAccountError) return { code: EXIT.refused, error: 'no_customer_account', message: err.message };
  if (err instanceof WorkflowUpdateFailedError) {
    const refusal = describeRefusal(err.cause);
    const error = { not_allowed: 'not_allowed', refused: 'action_refused', try_later: 'try_later', failed: 'action_failed' }[refusal.kind];
    return {
      code: refusal.kind === 'failed' ? EXIT.actionFailed : EXIT.refused,
      error,
      type: refusal.type,
      message: refusal.message,
      ...(refusal.retryAfterSeconds !== undefined ? { retryAfterSeconds: refusal.retryAfterSeconds } : {}),
    };
  }
  if (err instanceof TemporalUnreachableError) {
    return { code: EXIT.unavailable, error: 'temporal_unavailable', message: err.message, hint: err.hint };
  }
  if (isTemporalUnavailable(err)) {
    return {
      code: EXIT.unavailable,
      error: 'temporal_unavailable',
      message: 'Temporal gave no answer in time',
      hint: 'check TEMPORAL_ADDRESS and that the server runs (a missing worker is told as worker_unavailable)',
    };
  }
  if (err instanceof VobizApiError) {
    const code = err.status === 404 ? EXIT.notFound : err.retryable ? EXIT.actionFailed : EXIT.refused;
    return { code, error: 'vobiz_error', type: err.code, message: err.message };
  }
  if (err instanceof VobizError) {
    return { code: EXIT.actionFailed, error: 'vobiz_unreachable', message: err.message, hint: 'check VOBIZ_BASE_URL (npm start runs the sandbox on SANDBOX_PORT)' };
  }
  return { code: EXIT.failed, error: 'failed', message: err instanceof Error ? err.message : String(err) };
}

/** The lines a person reads on stderr. */
export function failureLines(report: FailureReport): string[] {
  const head = {
    invalid_input: 'invalid input',
    conflict: 'refused',
    already_closed: 'refused',
    not_found: 'not found',
    no_vobiz_account: 'not yet',
    not_allowed: 'not allowed',
    action_refused: 'refused',
    try_later: 'try later',
    action_failed: 'failed',
    temporal_unavailable: 'unavailable',
    worker_unavailable: 'no worker',
    finished: 'finished',
  }[report.error] ?? 'failed';
  const lines = [`${head}: ${report.type && report.type !== 'NotAllowed' ? `${report.type}: ` : ''}${report.message}`];
  for (const p of report.problems ?? []) lines.push(`  ${p.field} ${p.rule}`);
  if (report.retryAfterSeconds !== undefined) lines.push(`  retry after ${report.retryAfterSeconds} s`);
  if (report.hint) lines.push(`  hint: ${report.hint}`);
  return lines;
}

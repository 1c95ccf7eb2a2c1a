/**
 * How the CLI reports failures: one line a person can act on, and an exit code scripts can branch on.
 * 2 invalid input, 3 not found, 4 refused (conflict or not allowed in this stage), 5 Temporal unreachable, 1 other.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { OnboardingConflictError } from '../onboarding/start.js';
import { isTemporalUnavailable } from '../onboarding/temporal-calls.js';
import type { FieldProblem } from '../workflows/input.js';

export const EXIT = { ok: 0, failed: 1, invalidInput: 2, notFound: 3, refused: 4, unavailable: 5 } as const;

export class CliInputError extends Error {
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'CliInputError';
  }
}

export function describeFailure(err: unknown): { code: number; lines: string[] } {
  if (err instanceof CliInputError) {
    return { code: EXIT.invalidInput, lines: [err.message, ...err.problems.map((p) => `  ${p.field}: ${p.rule}`)] };
  }
  if (err instanceof OnboardingConflictError) return { code: EXIT.refused, lines: [`refused: ${err.message}`] };
  if (err instanceof WorkflowNotFoundError) return { code: EXIT.notFound, lines: [`not found: no running onboarding ${err.workflowId}`] };
  if (err instanceof WorkflowUpdateFailedError) return { code: EXIT.refused, lines: [`not allowed: ${err.cause?.message ?? err.message}`] };
  if (isTemporalUnavailable(err)) return { code: EXIT.unavailable, lines: ['Temporal unreachable or no answer in time: check TEMPORAL_ADDRESS, that the server runs, and (for status and actions) that a worker runs'] };
  return { code: EXIT.failed, lines: [`failed: ${err instanceof Error ? err.message : String(err)}`] };
}

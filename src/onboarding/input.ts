/**
 * The edge's reading of what a person or service sent: every problem as "field rule" (`telephony is required`,
 * `kyc.maxAttempts must be a number`), never zod's own wording ("Invalid input: expected object, received
 * undefined"). The workflow validates again with the same schema; this only words the problems for people.
 */
import type { z } from 'zod';
import { CustomerRefSchema, OnboardingInputSchema, type FieldProblem, type ParseResult } from '../workflows/input.js';

const ARTICLE: Record<string, string> = { object: 'an object', array: 'an array', string: 'a string', number: 'a number', boolean: 'true or false', int: 'a whole number' };

function ruleOf(issue: z.core.$ZodIssue): string {
  const missing = !('input' in issue) || issue.input === undefined;
  if (issue.code === 'invalid_type') {
    if (missing) return 'is required';
    // The schema's own message, unless it is zod's default or says "is required" of a value that is present.
    if (issue.message.startsWith('Invalid input') || issue.message === 'is required') return `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid')) return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_union' && issue.message.startsWith('Invalid')) return missing ? 'is required' : 'has an unsupported type';
  if (issue.code === 'invalid_format' && issue.message.startsWith('Invalid')) return `must be a valid ${issue.format}`;
  if (issue.code === 'unrecognized_keys') return `has no field ${issue.keys.join(', ')} that can be set here`;
  return issue.message;
}

/** zod issues → `{field, rule}` with dotted field paths (`customer.phone`, `kyc.reminderSchedule.0.value`). */
export function describeInputProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(input)', rule: ruleOf(issue) }));
}

/**
 * The one place the start API and the CLI (single and bulk) turn a request into the workflow's input. `reportInput`
 * only lets the wording tell "missing" from "wrong type"; inputs never leave this function.
 */
export function parseOnboardingRequest(raw: unknown): ParseResult {
  const parsed = OnboardingInputSchema.safeParse(raw, { reportInput: true });
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, problems: describeInputProblems(parsed.error) };
}

export type CustomerRefResult = { ok: true; customerRef: string } | { ok: false; problems: FieldProblem[] };

export function parseCustomerRef(value: unknown): CustomerRefResult {
  const parsed = CustomerRefSchema.safeParse(value, { reportInput: true });
  if (parsed.success) return { ok: true, customerRef: parsed.data };
  return { ok: false, problems: describeInputProblems(parsed.error).map((p) => ({ ...p, field: 'customerRef' })) };
}

/** Formats problems as one line: `telephony is required; customer.country must be …`. */
export function problemsLine(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.field} ${p.rule}`).join('; ');
}

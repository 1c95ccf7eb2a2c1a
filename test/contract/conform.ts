/** Assertion helper for the contract tests: a body either matches a strict schema or the test names every issue. */
import { expect } from 'vitest';
import type { z } from 'zod';

/** Issue lines ("summary.last_call_at: Invalid input: expected string, received null"), empty when the body conforms. */
export function issuesOf(schema: z.ZodType, body: unknown): string[] {
  const r = schema.safeParse(body);
  if (r.success) return [];
  return r.error.issues.map((i) => {
    const keys = 'keys' in i && Array.isArray(i.keys) ? ` [${i.keys.join(', ')}]` : '';
    return `${i.path.join('.') || '(root)'}: ${i.message}${keys}`;
  });
}

export function expectConform(label: string, schema: z.ZodType, res: { status: number; body: unknown }, status = 200): void {
  expect({ label, status: res.status }).toEqual({ label, status });
  expect({ label, issues: issuesOf(schema, res.body) }).toEqual({ label, issues: [] });
}

/** Validates caller input against a request schema before anything is sent; failures become `VobizRequestError`. */
import type { z } from 'zod';
import { VobizRequestError, type VobizErrorContext } from './errors.js';

export function validateInput<S extends z.ZodType>(schema: S, input: unknown, ctx: VobizErrorContext): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // Rules only, never the values: a bad password must not end up in an error message.
  throw new VobizRequestError(
    ctx,
    parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.'), rule: i.message })),
  );
}

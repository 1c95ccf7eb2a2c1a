/**
 * The reads' filters as the start API takes them in a query string: the Vobiz client's own params (camelCase, the
 * same names and rules), their numbers given as digits, `exclude` as repeated or comma-separated prefixes. An
 * unknown parameter is refused by name rather than ignored: a misspelt filter would otherwise widen the answer.
 */
import type { z } from 'zod';
import { describeInputProblems } from '../onboarding/input.js';
import { ListCdrsParams, ListInventoryParams, ListNumbersParams, ListTransactionsParams } from '../vobiz/index.js';
import type { FieldProblem } from '../workflows/input.js';

export type QueryResult<T> = { ok: true; params: T } | { ok: false; problems: FieldProblem[] };

type Query = Record<string, string | string[] | undefined>;

/** Keys whose values are whole numbers; the rest stay strings (or lists, for `exclude`). */
const NUMERIC = new Set(['page', 'perPage', 'minDuration', 'maxDuration']);

function fromQuery(query: Query, known: readonly string[], lists: readonly string[] = []): { value: Record<string, unknown>; problems: FieldProblem[] } {
  const value: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    if (!known.includes(key)) {
      problems.push({ field: key, rule: `is not a filter of this list (${known.join(', ')})` });
      continue;
    }
    if (lists.includes(key)) {
      value[key] = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
      continue;
    }
    if (Array.isArray(raw)) {
      problems.push({ field: key, rule: 'must be given once' });
      continue;
    }
    // Digits become a number; anything else is left for the schema to name ("must be a number").
    value[key] = NUMERIC.has(key) && /^\d{1,9}$/.test(raw) ? Number(raw) : raw;
  }
  return { value, problems };
}

function parser<S extends z.ZodType>(schema: S, known: readonly string[], lists: readonly string[] = []) {
  return (query: unknown): QueryResult<z.input<S>> => {
    const { value, problems } = fromQuery((query ?? {}) as Query, known, lists);
    const parsed = schema.safeParse(value, { reportInput: true });
    const all = [...problems, ...(parsed.success ? [] : describeInputProblems(parsed.error))];
    return all.length === 0 ? { ok: true, params: value as z.input<S> } : { ok: false, problems: all };
  };
}

const keysOf = (schema: z.ZodObject): string[] => Object.keys(schema.shape);

export const parseTransactionQuery = parser(ListTransactionsParams, keysOf(ListTransactionsParams));
export const parseCdrQuery = parser(ListCdrsParams, keysOf(ListCdrsParams));
export const parseNumberQuery = parser(ListNumbersParams, keysOf(ListNumbersParams));
export const parseInventoryQuery = parser(ListInventoryParams, keysOf(ListInventoryParams), ['exclude']);

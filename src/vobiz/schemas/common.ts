/**
 * Building blocks shared by the response and request schemas.
 *
 * Naming choice: request options are camelCase TypeScript (`perPage`, `accountAuthId`) and are mapped to the API's
 * snake_case on the wire; response types keep Vobiz's own snake_case field names (`cash_credits`, `trunk_domain`),
 * because they are Vobiz's vocabulary and match its docs, webhooks and support conversations one to one.
 *
 * Responses are parsed leniently: loose objects keep unknown fields, most fields are optional/nullable, and the
 * documented variants are accepted. Only what the client itself relies on (ids, list arrays, money) is checked hard.
 */
import { z } from 'zod';
import { Money } from '../money.js';

/** Every amount, number or decimal string, becomes an exact `Money` (invalid → a schema issue, no value echoed). */
export const money = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return Money.parse(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'invalid amount (not finite, not a decimal, or more than 5 decimals)' });
    return z.NEVER;
  }
});
export const optMoney = money.nullish();

/**
 * Where a model types an amount `Any` (the dashboard's `partner.balance`, null in the prose): a `Money` when it is
 * one, otherwise absent. Never fails the response.
 */
export const looseMoney = z.unknown().optional().transform((value): Money | undefined => (typeof value === 'number' || typeof value === 'string' ? (Money.tryParse(value) ?? undefined) : undefined));

/** A free-form object (KYC `metadata`, `verified_data`) that a model types `Any`: kept when it is an object, else null. */
export const looseRecord = z.unknown().optional().transform((value): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null,
);

/** Ids arrive as strings ("500000") or integers (account_id 500000) depending on the endpoint. */
export const idLike = z.union([z.string(), z.number()]);

export const optString = z.string().nullish();
export const optNumber = z.number().nullish();
export const optBool = z.boolean().nullish();
/** Counters that some pages print as numbers and others as numeric strings. */
export const count = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
export const optCount = count.nullish();

/** A response that may be empty (204), a string (the "200 string" delete variant) or any object. */
export const anyBody = z.unknown().transform((v): Record<string, unknown> => {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  return v === undefined || v === null ? {} : { message: typeof v === 'string' ? v : JSON.stringify(v) };
});

export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +919876543210');
export const ISO_DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
export const page = z.number().int('must be a whole number').min(1, 'must be >= 1');
export const perPage = (max: number) =>
  z.number().int('must be a whole number').min(1, 'must be >= 1').max(max, `must be <= ${max}`);

/** Shallow camelCase → snake_case for request bodies and queries; drops undefined. Nested objects are kept as is
 * (e.g. free-form KYC `metadata` must reach Vobiz unchanged). */
export function toSnake(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  }
  return out;
}

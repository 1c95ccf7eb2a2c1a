/**
 * Query parsing for the pagination families of doc §3. Partner endpoints behave like FastAPI (out-of-range → 422
 * ValidationError); customer endpoints behave like the Go services behind them (out of range → clamp or fall back).
 */
import { validationError, type ValidationDetail } from './errors.js';

export type Query = Record<string, string | string[] | undefined>;

export function queryString(query: Query, name: string): string | undefined {
  const v = query[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

/**
 * Reads integer query parameters for a partner endpoint, collecting every problem into one 422 (a client sees all
 * its mistakes at once, as with FastAPI).
 */
export function partnerInts<K extends string>(
  query: Query,
  spec: Record<K, { default?: number; min?: number; max?: number }>,
): Record<K, number | undefined> {
  const details: ValidationDetail[] = [];
  const out = {} as Record<K, number | undefined>;
  for (const name of Object.keys(spec) as K[]) {
    const rule = spec[name];
    const raw = queryString(query, name);
    if (raw === undefined) {
      out[name] = rule.default;
      continue;
    }
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) {
      details.push({ type: 'int_parsing', loc: ['query', name], msg: 'Input should be a valid integer, unable to parse string as an integer', input: raw });
    } else if (rule.min !== undefined && n < rule.min) {
      details.push({ type: 'greater_than_equal', loc: ['query', name], msg: `Input should be greater than or equal to ${rule.min}`, input: raw, ctx: { ge: rule.min } });
    } else if (rule.max !== undefined && n > rule.max) {
      details.push({ type: 'less_than_equal', loc: ['query', name], msg: `Input should be less than or equal to ${rule.max}`, input: raw, ctx: { le: rule.max } });
    } else {
      out[name] = n;
    }
  }
  if (details.length > 0) throw validationError(details);
  return out;
}

/** A customer-API integer: unparsable or out-of-range values fall back (or clamp) instead of failing. */
export function lenientInt(query: Query, name: string, fallback: number, opts: { min?: number; max?: number; overMax?: 'clamp' | 'fallback' } = {}): number {
  const raw = queryString(query, name);
  const n = raw === undefined ? NaN : Number(raw);
  if (!Number.isInteger(n)) return fallback;
  if (opts.min !== undefined && n < opts.min) return fallback;
  if (opts.max !== undefined && n > opts.max) return opts.overMax === 'fallback' ? fallback : opts.max;
  return n;
}

export function pageSlice<T>(rows: T[], page: number, perPage: number): T[] {
  return rows.slice((page - 1) * perPage, page * perPage);
}

/** Checks a `YYYY-MM-DD` query date; returns the UTC midnight ms, or undefined when absent. */
export function parseDay(raw: string | undefined): number | undefined | 'invalid' {
  if (raw === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return 'invalid';
  const ms = Date.parse(`${raw}T00:00:00Z`);
  return Number.isNaN(ms) ? 'invalid' : ms;
}

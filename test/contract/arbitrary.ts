/**
 * fast-check arbitraries generated from the strict zod models (sdk-models.ts, doc-shapes.ts): every value a model
 * allows, with optional keys absent or present, `Optional` values null, and (with `extraKeys`) unknown keys added
 * to every object, so a property test can feed a client every response shape Vobiz may send.
 *
 * Two value rules come from the docs rather than the models: amounts are decimals with at most 5 places (doc §8;
 * the client keeps money exact at 1e-5), and strings are non-empty (an empty id is no id).
 */
import fc from 'fast-check';
import type { z } from 'zod';

/** The keys the client reads as money; a string there is a decimal string, as the docs print them. */
const MONEY_KEYS = new Set([
  'balance', 'cash_credits', 'total_balance', 'total_cost', 'cost', 'streaming_cost', 'amount', 'partner_balance_after',
  'customer_balance_after', 'total_debit', 'total_credit', 'net_amount', 'setup_fee', 'monthly_fee', 'release_fee',
  'refund_amount', 'total_balance_held', 'mtd_revenue', 'total_spend_this_month',
]);

interface ArbitraryOptions {
  /** Adds up to two unknown keys (`x_…`) to every object: the client must ignore them. */
  extraKeys?: boolean;
}

const decimalUnits = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 });
/** A decimal number with at most 5 places. */
const decimalNumber = decimalUnits.map((u) => u / 100_000);
/** The same amount as the docs' strings: "1300.00000", "108.24", "0". */
const decimalString = fc.tuple(decimalUnits, fc.constantFrom(0, 2, 5)).map(([u, places]) => (places === 0 ? String(Math.trunc(u / 100_000)) : (u / 100_000).toFixed(places)));
const isoTimestamp = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().replace(/\.\d{3}Z$/, 'Z'), d.toISOString().replace('Z', '+00:00')));
const text = fc.string({ minLength: 1, maxLength: 12 });
const json = fc.jsonValue({ maxDepth: 1 });

/** The parts of zod's internal definition objects that the walk reads. */
interface ZodDef {
  type: string;
  format?: string;
  checks?: unknown[];
  values?: unknown[];
  entries?: Record<string, unknown>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

function isOptional(schema: z.ZodType): boolean {
  return defOf(schema).type === 'optional';
}

export function arbitraryOf(schema: z.ZodType, options: ArbitraryOptions = {}, key?: string): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const inner = (s: z.ZodType | undefined): z.ZodType => {
    if (!s) throw new Error(`arbitraryOf: zod ${def.type} without its inner schema`);
    return s;
  };
  switch (def.type) {
    case 'string':
      if (key && MONEY_KEYS.has(key)) return decimalString;
      return def.format === 'datetime' ? isoTimestamp : text;
    case 'number':
      if ((schema as z.ZodNumber).isInt) return fc.integer({ min: 0, max: 100_000 });
      return decimalNumber;
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(def.values ?? []));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries ?? {}));
    case 'null':
      return fc.constant(null);
    case 'nullable':
      return fc.option(arbitraryOf(inner(def.innerType), options, key), { nil: null, freq: 3 });
    case 'optional':
      return arbitraryOf(inner(def.innerType), options, key); // absence is the object's business
    case 'array':
      return fc.array(arbitraryOf(inner(def.element), options), { maxLength: 3 });
    case 'union':
      return fc.oneof(...(def.options ?? []).map((o) => arbitraryOf(o, options, key)));
    case 'unknown':
      return json;
    case 'record':
      return fc.dictionary(text, json, { maxKeys: 3 });
    case 'pipe':
      return arbitraryOf(inner(def.in), options, key);
    case 'object': {
      const shape = def.shape ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [k, v] of Object.entries(shape)) {
        model[k] = arbitraryOf(v, options, k);
        if (!isOptional(v)) requiredKeys.push(k);
      }
      const record = fc.record(model, { requiredKeys: requiredKeys as never[] }) as fc.Arbitrary<Record<string, unknown>>;
      if (!options.extraKeys) return record;
      const extras = fc.dictionary(text.map((k) => `x_${k}`), json, { maxKeys: 2 });
      return fc.tuple(record, extras).map(([known, unknown]) => ({ ...unknown, ...known }));
    }
    default:
      throw new Error(`arbitraryOf: no arbitrary for zod type "${def.type}"${key ? ` (field ${key})` : ''}`);
  }
}

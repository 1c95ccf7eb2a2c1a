/**
 * Exact money for Vobiz amounts.
 *
 * Vobiz sends amounts two ways: JSON numbers (`500.0`, `0.08`, transfer `*_balance_after`, CDR costs) and
 * 5-decimal strings (`"23906.83000"`: partner `balance`, customer `cash_credits`, dashboard `total_balance`).
 * Binary floats cannot hold either exactly, and sums of them drift (0.1 + 0.2 !== 0.3). So every amount becomes a
 * `Money`: an immutable count of 1e-5 units in a bigint, which is the finest precision the API ever shows.
 *
 * Parsing is strict: NaN, Infinity and anything finer than 5 decimals are rejected with a `MoneyError` rather than
 * rounded, because silently rounding a balance would hide a bug (or a change in the API).
 *
 * `toJSON()` gives the canonical string, so a `Money` that crosses a JSON boundary (e.g. a Temporal payload) stays
 * exact and can be read back with `Money.parse`. `toNumber()` is for the wire, where Vobiz expects JSON numbers.
 */

/** Decimal places Vobiz uses in its widest amount strings. */
const MONEY_SCALE = 5;
const UNITS_PER_WHOLE = 10n ** BigInt(MONEY_SCALE);

/** A plain decimal (optional sign, digits, optional fraction, optional exponent as in `String(1e-7)`). */
const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** Strings from the API: no exponent, at least one digit before an optional fraction. */
const DECIMAL_STRING = /^[+-]?\d+(?:\.\d+)?$/;

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}

export type MoneyInput = Money | number | string | bigint;

export class Money {
  /** Amount in 1e-5 units. */
  readonly units: bigint;

  private constructor(units: bigint) {
    this.units = units;
  }

  static readonly ZERO = new Money(0n);

  /** From a count of 1e-5 units (e.g. a value read back from storage). */
  static fromUnits(units: bigint): Money {
    return new Money(units);
  }

  /**
   * From a JSON number, a decimal string, or an existing `Money`. Bigints are whole amounts (e.g. `500n` = 500.00000).
   * Throws `MoneyError` for NaN/Infinity, malformed strings, or more than 5 significant decimals.
   */
  static parse(value: MoneyInput): Money {
    if (value instanceof Money) return value;
    if (typeof value === 'bigint') return new Money(value * UNITS_PER_WHOLE);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new MoneyError(`amount must be a finite number, got ${String(value)}`);
      // String(n) is the shortest decimal that round-trips to n: exactly what the JSON text said (0.08 → "0.08").
      return new Money(decimalToUnits(String(value), String(value)));
    }
    if (typeof value === 'string') {
      const text = value.trim();
      if (!DECIMAL_STRING.test(text)) {
        throw new MoneyError(`amount must be a decimal such as "500.00000", got ${JSON.stringify(value)}`);
      }
      return new Money(decimalToUnits(text, value));
    }
    throw new MoneyError(`amount must be a number or a decimal string, got ${typeof value}`);
  }

  /** `Money.parse` that returns undefined instead of throwing; for optional display paths only. */
  static tryParse(value: unknown): Money | undefined {
    try {
      return Money.parse(value as MoneyInput);
    } catch {
      return undefined;
    }
  }

  static sum(values: Iterable<MoneyInput>): Money {
    let total = 0n;
    for (const v of values) total += Money.parse(v).units;
    return new Money(total);
  }

  add(other: MoneyInput): Money {
    return new Money(this.units + Money.parse(other).units);
  }

  subtract(other: MoneyInput): Money {
    return new Money(this.units - Money.parse(other).units);
  }

  negate(): Money {
    return new Money(-this.units);
  }

  /** -1, 0 or 1, for `Array.prototype.sort` and comparisons. */
  compare(other: MoneyInput): -1 | 0 | 1 {
    const o = Money.parse(other).units;
    return this.units < o ? -1 : this.units > o ? 1 : 0;
  }

  equals(other: MoneyInput): boolean {
    return this.compare(other) === 0;
  }

  lessThan(other: MoneyInput): boolean {
    return this.compare(other) < 0;
  }

  greaterThan(other: MoneyInput): boolean {
    return this.compare(other) > 0;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  isPositive(): boolean {
    return this.units > 0n;
  }

  /** Canonical form with exactly 5 decimals: "500.00000", "-0.08000". */
  toString(): string {
    const negative = this.units < 0n;
    const abs = negative ? -this.units : this.units;
    const whole = abs / UNITS_PER_WHOLE;
    const frac = (abs % UNITS_PER_WHOLE).toString().padStart(MONEY_SCALE, '0');
    return `${negative ? '-' : ''}${whole.toString()}.${frac}`;
  }

  /** Fixed decimals for display ("500.00"); truncates toward zero below the requested precision. */
  toFixed(decimals: number): string {
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > MONEY_SCALE) {
      throw new MoneyError(`decimals must be an integer 0..${MONEY_SCALE}`);
    }
    const s = this.toString();
    return decimals === 0 ? s.slice(0, s.indexOf('.')) : s.slice(0, s.indexOf('.') + 1 + decimals);
  }

  /**
   * The nearest JS number, for request bodies (Vobiz expects JSON numbers for `amount`). Exact for every amount
   * below 2^53 / 1e5 (about 90 billion), far above any wallet.
   */
  toNumber(): number {
    return Number(this.toString());
  }

  /** JSON keeps the exact canonical string; read it back with `Money.parse`. */
  toJSON(): string {
    return this.toString();
  }
}

function decimalToUnits(text: string, original: unknown): bigint {
  const m = DECIMAL.exec(text);
  if (!m) throw new MoneyError(`amount is not a decimal: ${JSON.stringify(original)}`);
  const sign = m[1] === '-' ? -1n : 1n;
  let intPart = m[2] ?? '0';
  let fracPart = m[3] ?? '';
  const exponent = m[4] ? Number(m[4]) : 0;
  // Shift the decimal point for exponent forms such as String(1e21) = "1e+21" or String(1e-7) = "1e-7".
  if (exponent > 0) {
    const moved = fracPart.padEnd(exponent, '0');
    intPart += moved.slice(0, exponent);
    fracPart = moved.slice(exponent);
  } else if (exponent < 0) {
    const padded = intPart.padStart(-exponent + 1, '0');
    fracPart = padded.slice(exponent) + fracPart;
    intPart = padded.slice(0, exponent);
  }
  // Trailing zeros carry no value ("1.000000" is fine); significant digits past the 5th are rejected, not rounded.
  const significant = fracPart.replace(/0+$/, '');
  if (significant.length > MONEY_SCALE) {
    throw new MoneyError(
      `amount has more than ${MONEY_SCALE} decimal places: ${JSON.stringify(original)} (Vobiz amounts have at most ${MONEY_SCALE})`,
    );
  }
  const units = BigInt(intPart || '0') * UNITS_PER_WHOLE + BigInt(significant.padEnd(MONEY_SCALE, '0') || '0');
  return sign * units;
}

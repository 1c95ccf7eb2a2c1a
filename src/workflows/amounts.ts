/**
 * Exact arithmetic on canonical decimal strings ("500.00000") in workflow code: amounts are kept as scaled
 * integers (1e-5 units, Vobiz's ledger precision) so sums and comparisons never drift. Pure.
 */
const SCALE = 100_000n;

function toUnits(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  const units = BigInt(whole) * SCALE + BigInt(fraction.padEnd(5, '0').slice(0, 5));
  return negative ? -units : units;
}

function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  return `${negative ? '-' : ''}${abs / SCALE}.${(abs % SCALE).toString().padStart(5, '0')}`;
}

export function addAmounts(a: string, b: string): string {
  return fromUnits(toUnits(a) + toUnits(b));
}

/** -1, 0 or 1 as a < b, a = b, a > b. */
export function compareAmounts(a: string, b: string): -1 | 0 | 1 {
  const d = toUnits(a) - toUnits(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export const ZERO = '0.00000';

/**
 * Money is kept as integers of 1e-5 currency units (the API renders balances with 5 decimals), so sums and
 * balance checks are exact; floats appear only at the edge, when a body is parsed or rendered.
 */
const UNITS_PER_MAJOR = 100_000;

export function toUnits(amount: number): number {
  return Math.round(amount * UNITS_PER_MAJOR);
}

/** As a JSON number (transfer amounts, `*_balance_after`, CDR costs, ledger amounts). */
export function toNumber(units: number): number {
  return units / UNITS_PER_MAJOR;
}

/** As a 5-decimal string (partner `balance`, customer `cash_credits`, dashboard `total_balance`). */
export function toString5(units: number): string {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  return `${sign}${Math.floor(abs / UNITS_PER_MAJOR)}.${String(abs % UNITS_PER_MAJOR).padStart(5, '0')}`;
}

/** As a 2-decimal string (dashboard `total_cost`) and for messages ("₹200.00"). */
export function toString2(units: number): string {
  return (units / UNITS_PER_MAJOR).toFixed(2);
}

/** Currency by ISO-3166 alpha-2 country (doc §5.4: the wallet currency follows the country, IN→INR). */
export const CURRENCY_BY_COUNTRY: Record<string, string> = {
  IN: 'INR', US: 'USD', GB: 'GBP', AE: 'AED', SG: 'SGD', AU: 'AUD', CA: 'CAD', DE: 'EUR', FR: 'EUR', NL: 'EUR',
  IE: 'EUR', ES: 'EUR', IT: 'EUR', JP: 'JPY', NP: 'NPR', BD: 'BDT', LK: 'LKR', SA: 'SAR', ZA: 'ZAR', MY: 'MYR',
};

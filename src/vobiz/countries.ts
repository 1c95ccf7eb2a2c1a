/**
 * The countries Vobiz accepts for an account and a number search: ISO 3166-1 alpha-2 codes (docs/vobiz-api.md §5.4;
 * the wallet's currency follows the country). One list, from `i18n-iso-countries`, read by every edge (the start API,
 * the CLI and bulk files, the operator actions) and by the sandbox, so a code Vobiz would refuse (`ZZ`, `XX`) is
 * refused where it is typed instead of blocking the customer at Vobiz later.
 */
import countries from 'i18n-iso-countries';

const ALPHA2: ReadonlySet<string> = new Set(Object.keys(countries.getAlpha2Codes()));

export const COUNTRY_RULE = 'must be an ISO 3166-1 alpha-2 country code (upper case), e.g. IN';

/** True for an assigned ISO 3166-1 alpha-2 code in upper case (`IN`, `US`); false for `ZZ`, `in`, `IND`. */
export function isVobizCountry(code: string): boolean {
  return ALPHA2.has(code);
}

/**
 * The customer API's path casing (docs/vobiz-api.md §1): the reference pages and Vobiz's SDK write
 * `/api/v1/Account/{auth_id}/...`, and "wrong casing gives 401/404"; a few routes are lowercase `/api/v1/account/...`
 * (cancel-release), and some doc examples write transactions and CDR search in lowercase. By default the sandbox
 * serves both casings everywhere; with `strictPathCasing` it serves only what the docs and the SDK show.
 */
const CUSTOMER_PATH = /^\/api\/v1\/(Account|account)\/[^/]+(\/.*)?$/;
/** Served only in lowercase (the SDK's `cancel_number_release` path). */
const LOWERCASE_ONLY = [/^\/numbers\/[^/]+\/cancel-release\/?$/];
/** Shown in both casings by the docs' examples. */
const EITHER_CASE = [/^\/transactions(\/.*)?$/, /^\/cdr\/search\/?$/];

/** Whether a customer-API path is in a casing the real API serves; other paths are not its business (true). */
export function casingServed(path: string): boolean {
  const m = CUSTOMER_PATH.exec(path);
  if (!m) return true;
  const casing = m[1];
  const rest = m[2] ?? '';
  if (EITHER_CASE.some((r) => r.test(rest))) return true;
  if (LOWERCASE_ONLY.some((r) => r.test(rest))) return casing === 'account';
  return casing === 'Account';
}

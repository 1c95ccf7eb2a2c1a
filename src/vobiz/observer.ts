/**
 * What the transport reports about each Vobiz call, for metrics: the client stays free of Temporal and of any
 * metrics library; whoever builds it (the worker) passes an observer that records. Observers must not throw (the
 * transport swallows it if they do: a metrics fault never fails a Vobiz call).
 */

/** How a call ended: the HTTP status, or why there was none. */
export type VobizCallStatus = number | 'timeout' | 'network_error' | 'cancelled';

export interface VobizCallObservation {
  method: string;
  /** The path as a template: ids, auth IDs and numbers replaced by `{id}` (see `routeTemplate`). */
  route: string;
  status: VobizCallStatus;
  /** From sending the request (after any rate-budget wait) to the whole response read, in milliseconds. */
  durationMs: number;
  /** A 429's Retry-After (header or message), in milliseconds, when Vobiz named one. */
  retryAfterMs?: number | undefined;
}

export interface VobizObserver {
  call?(observation: VobizCallObservation): void;
  /** A request waited this long for its turn in this process's rate budget (only waits > 0 are reported). */
  rateBudgetWait?(waitMs: number): void;
}

/**
 * Path segments of the Vobiz API that are names, not values. Anything else (auth IDs, session and trunk ids, CDR
 * UUIDs, `%2B91…` numbers, or a segment this list has not heard of) becomes `{id}`: a label never carries an id,
 * and an unknown literal costs a less precise route, never a leak or an unbounded label set.
 */
const LITERAL_SEGMENTS = new Set([
  'api', 'v1', 'partner', 'auth', 'me', 'dashboard',
  'accounts', 'Account', 'account', 'balance', 'transfer-balance', 'transactions', 'cdrs', 'cdr', 'numbers',
  'kyc-sessions', 'resend', 'trunks', 'concurrency', 'inventory', 'purchase-from-inventory',
]);

/** `/api/v1/partner/accounts/MA123/transfer-balance` → `/api/v1/partner/accounts/{id}/transfer-balance`. */
export function routeTemplate(path: string): string {
  const withoutQuery = path.split('?')[0]!;
  return withoutQuery
    .split('/')
    .map((segment) => (segment === '' || LITERAL_SEGMENTS.has(segment) ? segment : '{id}'))
    .join('/');
}

/** Public surface of the typed Vobiz API client. */
export { VobizClient, type VobizClientOptions } from './client.js';
export { CustomerClient, type CustomerClientOptions } from './customer.js';
export { Transport, type CallOptions, type VobizCredentials, type TransportOptions } from './transport.js';
export { routeTemplate, type VobizObserver, type VobizCallObservation, type VobizCallStatus } from './observer.js';
export { Money, MoneyError, type MoneyInput } from './money.js';
export {
  VobizError,
  VobizApiError,
  VobizNetworkError,
  VobizTimeoutError,
  VobizResponseError,
  VobizRequestError,
  type VobizErrorCode,
  type VobizFieldError,
  type VobizSchemaIssue,
  type VobizTimeoutPhase,
} from './errors.js';
export { parseApiError, parseRetryAfterMs, type ErrorResponse } from './error-body.js';
export type { PaginateOptions } from './pagination.js';
export * from './schemas/accounts.js';
export * from './schemas/kyc.js';
export * from './schemas/transactions.js';
export * from './schemas/cdr.js';
export * from './schemas/numbers.js';
export * from './schemas/trunks.js';
export * from './schemas/profile.js';

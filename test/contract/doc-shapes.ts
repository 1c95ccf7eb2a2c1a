/**
 * Strict zod shapes for what the SDK models leave open (`typing.Any`, `None`, or no SDK function at all), transcribed
 * from the prose docs (../shared/docs/vobiz-api.md): create account, partner balance, transfer, KYC create / revoke,
 * number purchase, the partner's bare CDR, the KYC webhook payloads and the documented error bodies (§2).
 */
import { z } from 'zod';
import { CdrListItem, ListNumbersResponseItemsItem } from './sdk-models.js';

const obj = z.strictObject;
const str = z.string();
const num = z.number();

/** §5.4 POST /accounts → 201. */
export const CreatedAccount = obj({
  auth_id: z.string().regex(/^MA_[A-Z0-9]{8}$/), auth_token: str, name: str, email: str, status: z.literal('active'),
  balance: num, currency: str, country: str, created_at: str,
});
/** §5.4 GET /accounts/{id}/balance. */
export const PartnerAccountBalance = obj({ auth_id: str, name: str, cash_credits: z.string().regex(/^\d+\.\d{5}$/), currency: str, updated_at: str });
/** §5.5 transfer-balance → 200. */
export const Transfer = obj({
  transaction_id: z.string().regex(/^txn_/), from_account: str, to_account: str, amount: num, currency: str,
  description: str.nullable(), status: z.literal('completed'), partner_balance_after: num, customer_balance_after: num, timestamp: str,
});
/** §5.10 POST /kyc-sessions → 201 (email and redirect flows). */
export const CreatedKycSession = obj({
  session_id: str, account_auth_id: str, customer_email: str.nullable(), email_dispatched_to: str.nullable(),
  kyc_type: z.null(), status: z.enum(['email_sent', 'link_ready']), expires_at: str, widget_url: str.nullable(),
  kyc_link: z.null(), message: str,
});
/** §5.10 DELETE /kyc-sessions/{id} → 200. */
export const RevokedKycSession = obj({ message: z.literal('Session revoked'), session_id: str });
/** §6.3 purchase-from-inventory → 200 {message, number:{…, source:"inventory"}} (the number in the owned shape). */
export const PurchasedNumber = obj({ message: z.literal('Number purchased successfully'), number: ListNumbersResponseItemsItem.extend({ source: z.literal('inventory') }) });
/** §5.8 partner GET /accounts/{id}/cdrs/{uuid}: a bare CDR object (the 43 fields of §6.2). */
export const BareCdr = CdrListItem;

/** §5.11: the union of the partner flow page's and the sub-account pages' webhook payloads. */
export const KycWebhookPayload = obj({
  event: z.enum(['kyc.initiated', 'kyc.submitted', 'kyc.completed', 'kyc.failed', 'kyc.session_expired', 'kyc.session_revoked']),
  timestamp: str, session_id: str, account_auth_id: str, customer_email: str.nullable(), kyc_type: z.enum(['individual', 'company']).nullable(),
  status: str, session_status: str, metadata: z.record(z.string(), z.unknown()).nullable(),
  verified_data: z.record(z.string(), z.unknown()).nullable(), reason: str.nullable().optional(), created_at: str, updated_at: str,
});

// ---- §2 error bodies, one per family

/** Partner FastAPI-style errors (KYC 404/409/429, 401/403, …). */
export const PartnerHttpError = obj({ error: z.literal('HTTPError'), message: str, status_code: z.number().int(), retry_after_seconds: z.number().int().optional() });
/** Partner 422. */
export const PartnerValidationError = obj({
  error: z.literal('ValidationError'), message: str, status_code: z.literal(422),
  details: z.array(obj({ type: str, loc: z.array(z.union([str, num])), msg: str, input: z.unknown(), ctx: z.record(z.string(), z.unknown()).optional() })),
});
/** Partner transfer-balance 400. */
export const InsufficientBalanceError = obj({ error: z.literal('insufficient_balance'), message: str, current_balance: num, requested_amount: num, currency: str });
/** Customer API (OpenAPI `Error` schema). */
export const CustomerError = obj({ api_id: str.optional(), error: str, message: str });
/** Customer transactions-style nested 401/403. */
export const NestedError = obj({ error: obj({ code: z.number().int(), message: str }) });

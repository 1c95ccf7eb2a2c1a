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

// ---- prose-only variants (what the SDK models forbid or do not describe), for the client's property test

const int = z.number().int();
const moneyish = z.union([num, str]);

/** §5.2: the /me object with `currency` (and `country`, as in the OpenAPI example). */
export const PartnerProfileProse = obj({
  id: str, account_id: int, name: str, slug: str, company: str, auth_id: str, email: str, phone: str, billing_model: str,
  is_active: z.boolean(), is_verified: z.boolean(), max_accounts: int, account_count: int, can_create_accounts: z.boolean(),
  can_transfer_balance: z.boolean(), can_view_cdrs: z.boolean(), can_create_pricing_tiers: z.boolean(),
  default_pricing_tier_id: str, balance: str, currency: str, country: str.optional(), created_at: str, updated_at: str,
});
/** §5.3, the OpenAPI example's dashboard. */
export const DashboardOpenApiExample = obj({ total_customers: int, active_customers: int, pending_kyc: int, total_balance_held: moneyish, currency: str, mtd_revenue: moneyish });
/** §5.3, the older docs' dashboard. */
export const DashboardOlderDocs = obj({
  active_accounts: int, total_balance: moneyish, currency: str, calls_today: int, calls_this_month: int,
  total_spend_this_month: moneyish, accounts_low_balance: int, accounts_suspended: int,
});

/** §6.2: the prose's CDR summary (four camelCase keys; `last_call_at` null when there is no call). */
const CdrSummaryProse = obj({
  totalCalls: int, answeredCalls: int, answerRate: num, avgCallDuration: str, total_duration_seconds: int,
  total_billable_seconds: int, total_cost: num, last_call_at: str.nullable(),
});
/** §3: the CDR list envelope (partner adds `account_auth_id`) with the prose summary. */
export const CdrPageProse = obj({
  success: z.literal(true), account_id: str, account_auth_id: str.optional(), count: int, data: z.array(CdrListItem),
  pagination: obj({ page: int, per_page: int, total: int, pages: int, has_next: z.boolean(), has_prev: z.boolean() }),
  summary: CdrSummaryProse, filters: obj({ call_direction: str, from_number: str, hangup_cause: str, to_number: str }).optional(),
});

/** §6.4: the trunk object with its optional keys, statuses from requests and responses. */
export const TrunkProse = obj({
  trunk_id: str, account_id: str, name: str, trunk_domain: str, trunk_status: z.enum(['active', 'enabled', 'disabled']),
  secure: z.boolean(), trunk_direction: z.enum(['inbound', 'outbound', 'both']), concurrent_calls_limit: int, cps_limit: int,
  description: str, transport: z.enum(['udp', 'tcp', 'tls']), recording: z.boolean(), enable_transcription: z.boolean(),
  pii_redaction: z.boolean(), webhook_method: z.enum(['POST', 'GET']), recording_webhook_enabled: z.boolean(),
  created_at: str, updated_at: str, credential_uuid: str.optional(), primary_uri_uuid: str.optional(),
  inbound_destination: str.optional(), pii_entity_types: z.union([str, z.array(str)]).optional(), webhook_url: str.optional(),
});
export const TrunkPageProse = obj({ meta: obj({ limit: int, offset: int, total: int }), objects: z.array(TrunkProse) });

/** §6.3: an inventory item as the prose lists it (`{id,e164,country,region,status,setup_fee,monthly_fee,currency,capabilities,…}`). */
const InventoryNumberProse = obj({
  id: str, e164: str, country: str, region: str, status: z.literal('active'), setup_fee: num, monthly_fee: num, currency: str,
  capabilities: obj({ voice: z.boolean(), sms: z.boolean(), mms: z.boolean(), fax: z.boolean() }),
});
export const InventoryPageProse = obj({ items: z.array(InventoryNumberProse), page: int, per_page: int, total: int });

/** §5.7 with decimal amounts (the SDK's partner model says int). */
export const TransactionPageProse = obj({
  transactions: z.array(obj({
    id: str, account_id: str, balance_id: str, type: z.enum(['credit', 'debit']), amount: num, currency: str, description: str,
    reference: str, status: str, processed_at: str, created_at: str, updated_at: str,
  })),
  summary: obj({
    total_transactions: int, total_debit: num, total_credit: num, net_amount: num,
    by_reference_type: z.array(obj({ reference_type: str, total_debit: num, total_credit: num, count: int })),
  }),
  total: int, page: int, per_page: int, total_pages: int, account_auth_id: str,
});

/** §5.11 / sub-account pages: a session named the webhook's way (`session_id`, `session_status`). */
export const KycSessionWebhookNaming = obj({
  session_id: str, account_auth_id: str, customer_email: str.nullable(), kyc_type: z.enum(['individual', 'company']).nullable(),
  session_status: str, metadata: z.record(z.string(), z.unknown()).nullable(), created_at: str, updated_at: str,
});

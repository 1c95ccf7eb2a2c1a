/**
 * Vobiz's response models, transcribed from its Fern-generated Python SDK (vobiz-ai/Vobiz-Python-SDK @ f936913, facts
 * in ../shared/docs/vobiz-sdk-models.md) into strict zod schemas: an unknown key fails, like the SDK's pydantic models
 * (`extra="forbid"`). The pydantic types map as:
 *
 *   str → string, int → integer, float → number, bool → boolean, datetime → ISO-8601 string,
 *   Optional[X] → X, null or absent, Any → anything, a required field → must be present (null only if Optional).
 *
 * Field names are the wire names: the SDK's `uuid_` and `from_` are pydantic aliases of `uuid` and `from`.
 * Only the endpoints this project calls are here. Nothing in this file is relaxed: where the sandbox knowingly differs
 * from a model, the contract test says so next to the model (docs/sandbox.md, "SDK models vs prose docs").
 */
import { z } from 'zod';

const str = z.string();
const int = z.number().int();
const float = z.number();
const bool = z.boolean();
const datetime = z.iso.datetime({ offset: true });
/** `Optional[X]`: X, null, or absent. */
const opt = <T extends z.ZodType>(t: T) => t.nullish();
/** `Any` / `Optional[Any]`: anything, absent included. */
const any = z.unknown().optional();
/** A required `Any`: anything (null included), but the key must be there. */
const requiredAny = z.unknown().refine((v) => v !== undefined, 'required');
const obj = z.strictObject;

// ---- partner API

const partnerProfileFields = {
  id: str, account_id: int, name: str, slug: str, company: str, auth_id: str, email: str, phone: str, billing_model: str,
  is_active: bool, is_verified: bool, max_accounts: int, can_create_accounts: bool, can_create_pricing_tiers: bool,
  can_view_cdrs: bool, can_transfer_balance: bool, default_pricing_tier_id: str, account_count: int,
  created_at: str, updated_at: str,
};
export const GetPartnerProfileResponse = obj({ ...partnerProfileFields, balance: str });

const callTotals = { total_calls: int, answered_calls: int, total_minutes: float };
export const GetPartnerDashboardResponse = obj({
  partner: obj({ ...partnerProfileFields, balance: any }),
  period: obj({ from: str, to: str }),
  accounts: obj({
    total: int, active: int,
    customers: z.array(obj({ auth_id: str, name: str, email: str, phone: str, is_active: bool, created_at: str })),
  }),
  total_balance: str,
  currency: str,
  calls: obj({ ...callTotals, total_cost: str }),
  traffic: obj({ inbound: obj({ ...callTotals, total_cost: str }), outbound: obj({ ...callTotals, total_cost: str }) }),
  by_product: obj({
    sip_trunking: obj({ total_calls: int, answered_calls: int, total_minutes: int, total_cost: str }),
    voice_api: obj({ ...callTotals, total_cost: str }),
  }),
  time_series: z.array(obj({ date: str, ...callTotals, total_cost: str, inbound: obj(callTotals), outbound: obj(callTotals) })),
});

const ListCustomerAccountsResponseAccountsItemPricingTier = obj({
  id: str, name: str, currency: str, rate_per_minute: float, streaming_rate_per_minute: float,
  recording_rate_per_minute: float, whatsapp_voice_rate: float, transcription_rate_per_minute: float,
  pii_redaction_rate_per_minute: float, charge_non_connected_calls: bool, non_connected_call_fee: float,
  did_release_fee: int, is_active: bool, is_default: bool, partner_id: any,
});
export const ListCustomerAccountsResponseAccountsItem = obj({
  name: str, email: str, phone: str, description: opt(str), gstin: opt(str), gst_status: opt(str), tds_enabled: bool,
  tds_percentage: int, business_type: str, id: str, auth_id: str, api_id: str, account_type: str, role: str,
  postpaid: bool, address: opt(str), city: opt(str), state: opt(str), timezone: opt(str), country: str,
  zip_code: opt(str), company: str, billing_mode: str, auto_recharge: bool, cash_credits: str, cps_limit: int,
  concurrent_calls_limit: int, base_cps_limit: any, base_concurrent_calls_limit: any, purchased_cps: any,
  purchased_concurrent_calls: any, is_active: bool, is_verified: bool, is_trial_account: bool, enabled: bool,
  kyc_status: str, google_id: any, referral_code: opt(str), referral_disabled: bool, custom_referrer_reward_amount: any,
  custom_referee_reward_amount: any, created_at: str, updated_at: str, last_login: opt(str), pricing_tier_id: str,
  pricing_tier: ListCustomerAccountsResponseAccountsItemPricingTier, partner_id: str, auto_recharge_config: any,
  resource_uri: str, auth_token: str,
});
export const ListCustomerAccountsResponse = obj({
  accounts: z.array(ListCustomerAccountsResponseAccountsItem), total: int, page: int, size: int,
});

const pagination = obj({ page: int, per_page: int, total: int, pages: int, has_next: bool, has_prev: bool });

export const ListCustomerTransactionsResponseTransactionsItem = obj({
  id: str, account_id: str, balance_id: str, type: str, amount: int, currency: str, description: str, reference: str,
  status: str, processed_at: str, created_at: str, updated_at: str,
});
export const ListCustomerTransactionsResponseSummary = obj({
  total_transactions: int, total_debit: int, total_credit: int, net_amount: int,
  by_reference_type: z.array(obj({ reference_type: str, total_debit: int, total_credit: int, count: int })),
});
export const ListCustomerTransactionsResponse = obj({
  transactions: z.array(ListCustomerTransactionsResponseTransactionsItem),
  summary: ListCustomerTransactionsResponseSummary,
  total: int, page: int, per_page: int, total_pages: int, account_auth_id: str,
});

export const ListCustomerCdrsResponseSummary = obj({
  answer_rate: int, answered_calls: int, avg_call_duration: str, last_call_at: str, total_calls: int,
  total_billable_seconds: int, total_cost: int, total_duration_seconds: int,
});
export const ListCustomerCdrsResponse = obj({
  account_id: str, count: int, data: z.array(any), pagination, success: bool, summary: ListCustomerCdrsResponseSummary,
  account_auth_id: str,
});

export const ListCustomerNumbersResponse = obj({ items: z.array(any), page: int, per_page: int, total: int, account_auth_id: str });

export const ListKycSessionsResponseSessionsItem = obj({
  id: str, account_auth_id: str, customer_email: opt(str), kyc_type: opt(str), status: str, expires_at: str,
  first_opened_at: opt(str), completed_at: opt(str), webhook_url: opt(str), redirect_url: opt(str),
  reminder_schedule: z.array(obj({ value: int, trigger: str })),
  // Union[Any, None, …]: anything, but required.
  metadata: requiredAny, verified_data: requiredAny,
  created_at: str, updated_at: str,
});
export const ListKycSessionsResponse = obj({ sessions: z.array(ListKycSessionsResponseSessionsItem), total: int, page: int, size: int });

// ---- customer (account-scoped) API

export const RetrieveAccountResponse = obj({
  type: str, id: str, api_id: str, name: str, email: str, phone: str, description: str, auth_id: str, auth_secret: str,
  auth_token_expire_time: any, country: str, timezone: str, city: str, state: str, address: str, zip_code: str,
  company: str, account_type: str, postpaid: bool, auto_recharge: bool, auto_recharge_config: any, enabled: bool,
  carrier_type: any, customer_type: any, credit_limit: int, cps_limit: int, concurrent_calls_limit: int,
  base_cps_limit: int, base_concurrent_calls_limit: int, purchased_cps: int, purchased_concurrent_calls: int,
  risk_rating: int, risk_status: any, features: obj({ call_queue: bool }), ip_auth_enabled: bool,
  ip_whitelist_rules: z.record(z.string(), z.unknown()), allow_aws_ips: bool, role: str, is_active: bool,
  is_verified: bool, is_trial_account: bool, created_at: str, updated_at: str, last_login: str, pricing_tier_id: str,
  pricing_tier: obj({
    id: str, name: str, description: str, currency: str, rate_per_minute: float, billing_increment_seconds: int,
    minimum_duration_seconds: int, is_active: bool, is_default: bool,
  }),
});

export const GetConcurrencyResponse = obj({ account_id: str, concurrent_calls: int, max_concurrent: int, utilization_pct: int, request_id: str });

export const GetBalanceResponse = obj({
  id: str, account_id: str, currency: str, balance: float, reserved_funds: int, promotional_balance: int,
  promotional_reserved_balance: int, available_balance: float, credit_limit: int, is_postpaid: bool,
  credit_limit_type: str, low_balance_threshold: int, status: str, created_at: str, updated_at: str,
});

export const ListTransactionsResponse = obj({
  transactions: z.array(obj({
    id: str, account_id: str, balance_id: str, type: str, amount: float, currency: str, description: str, reference: str,
    reference_type: opt(str), status: str, processed_at: str, created_at: str, updated_at: str,
  })),
  summary: obj({
    total_transactions: int, total_debit: float, total_credit: int, net_amount: float,
    by_reference_type: z.array(obj({ reference_type: str, total_debit: float, total_credit: int, count: int })),
  }),
  total: int, page: int, per_page: int, total_pages: int,
});

/** ListCdrsResponseDataItem = SearchCdrsResponseDataItem = ListRecentCdrsResponseDataItem. */
export const CdrListItem = obj({
  account_id: str, answer_time: opt(str), billsec: int, bridge_uuid: opt(str), call_direction: str, caller_id_name: str,
  caller_id_number: str, campaign_id: any, carrier_ip: any, codec: opt(str), context: str, cost: float, created_at: str,
  currency: str, customer_endpoint: any, destination_number: str, duration: int, end_time: str, failure_code: opt(str),
  failure_reason: opt(str), hangup_cause: opt(str), hangup_cause_code: opt(int), hangup_cause_name: opt(str),
  hangup_disposition: opt(str), hangup_source: opt(str), id: int, jitter: opt(float), mos: opt(float),
  network_addr: opt(str), origination_region: str, packet_loss: opt(float), progress_time: opt(str), region: str,
  ring_time: int, sip_call_id: str, sip_user_agent: opt(str), start_time: str, streaming_cost: float,
  terminated_to: opt(str), total_cost: float, trunk_id: opt(str), updated_at: str, uuid: str,
});
/** GetCdrResponseData: the same fields, but several of them required and non-null (an answered call's example). */
const GetCdrResponseData = obj({
  account_id: str, answer_time: str, billsec: int, bridge_uuid: str, call_direction: str, caller_id_name: str,
  caller_id_number: str, campaign_id: any, carrier_ip: any, codec: str, context: str, cost: float, created_at: str,
  currency: str, customer_endpoint: any, destination_number: str, duration: int, end_time: str, failure_code: any,
  failure_reason: any, hangup_cause: str, hangup_cause_code: int, hangup_cause_name: str, hangup_disposition: str,
  hangup_source: str, id: int, jitter: float, mos: float, network_addr: str, origination_region: str, packet_loss: int,
  progress_time: str, region: str, ring_time: int, sip_call_id: str, sip_user_agent: str, start_time: str,
  streaming_cost: int, terminated_to: any, total_cost: float, trunk_id: any, updated_at: str, uuid: str,
});
export const GetCdrResponse = obj({ data: GetCdrResponseData, success: bool });

const CdrSummary = obj({
  answer_rate: float, answered_calls: int, avg_call_duration: str, last_call_at: str, total_calls: int,
  total_billable_seconds: int, total_cost: float, total_duration_seconds: int,
});
export const ListCdrsResponse = obj({ account_id: str, count: int, data: z.array(CdrListItem), pagination, success: bool, summary: CdrSummary });
export const SearchCdrsResponse = obj({
  account_id: str, count: int, data: z.array(CdrListItem),
  filters: obj({ call_direction: str, from_number: str, hangup_cause: str, to_number: str }),
  pagination, success: bool, summary: CdrSummary,
});
export const ListRecentCdrsResponse = obj({ account_id: str, count: int, data: z.array(CdrListItem), success: bool });

const capabilities = obj({ voice: bool, sms: bool, mms: bool, fax: bool });
export const ListNumbersResponseItemsItem = obj({
  id: str, account_id: str, e164: str, country: str, region: str, capabilities, status: str, provider: str,
  setup_fee: int, monthly_fee: int, currency: str, application_id: opt(str), voice_enabled: bool, tags: z.array(str),
  purchased_at: str, is_blocked: bool, created_at: str, updated_at: str, is_trial_number: bool,
  last_billing_date: opt(str), next_billing_date: opt(str), minimum_commitment_months: int,
  aadhaar_verification_required: bool, aadhaar_verified: bool, source: str, released_at: opt(str), trunk_group_id: opt(str),
});
export const ListNumbersResponse = obj({ items: z.array(ListNumbersResponseItemsItem), page: int, per_page: int, total: int });

const ListInventoryNumbersResponseItemsItem = obj({
  id: str, account_id: str, e164: str, country: str, capabilities, status: str, provider: str, setup_fee: int,
  monthly_fee: int, currency: str, voice_enabled: bool, tags: any, is_blocked: bool, created_at: str, updated_at: str,
  is_trial_number: bool, minimum_commitment_months: int, aadhaar_verification_required: bool, aadhaar_verified: bool,
  region: opt(str),
});
export const ListInventoryNumbersResponse = obj({ items: z.array(ListInventoryNumbersResponseItemsItem), page: int, per_page: int, total: int });

export const UnrentNumberResponse = obj({ cancel_url: str, cooldown_ends_at: datetime, message: str, note: opt(str), release_fee: float, status: str });
export const CancelNumberReleaseResponse = obj({
  message: str, status: requiredAny, currency: opt(str), refund_amount: opt(float), refund_status: any, refund_error: opt(str),
});

const trunkFields = {
  trunk_id: str, account_id: str, name: str, trunk_domain: str, trunk_status: str, secure: bool, trunk_direction: str,
  concurrent_calls_limit: int, cps_limit: int, description: str, transport: str, recording: bool,
  enable_transcription: bool, pii_redaction: bool, webhook_method: str, recording_webhook_enabled: bool,
  created_at: str, updated_at: str,
};
/** CreateTrunkResponse = RetrieveTrunkResponse = UpdateTrunkResponse. */
export const TrunkResponse = obj(trunkFields);
export const ListTrunksResponse = obj({
  meta: obj({ limit: int, offset: int, total: int }),
  objects: z.array(obj({
    ...trunkFields, credential_uuid: opt(str), primary_uri_uuid: opt(str), inbound_destination: opt(str),
    pii_entity_types: opt(str), webhook_url: opt(str),
  })),
});

/** Partner API: customer accounts, balance, transfer, profile and dashboard (docs/vobiz-api.md §5.2–5.5). */
import { z } from 'zod';
import { Money } from '../money.js';
import { sizedPages, type PageOf } from './pages.js';
import { E164, count, idLike, looseMoney, money, optBool, optCount, optMoney, optNumber, optString, page, perPage } from './common.js';

// ---- requests (camelCase; mapped to snake_case on the wire)

export const CreateAccountInput = z.object({
  name: z.string().trim().min(1, 'is required'),
  email: z.string().trim().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address'),
  phone: E164,
  // Vobiz also wants a digit and a special character; it answers 422 if missing, and we let it decide.
  password: z.string().min(8, 'must be at least 8 characters'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO-3166 alpha-2 code such as IN'),
  company: z.string().optional(),
  // Best-effort fields: Vobiz may reject them (docs §5.4).
  description: z.string().optional(),
  address: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  zipCode: z.string().optional(),
  timezone: z.string().optional(),
  gstin: z.string().optional(),
  gstStatus: z.enum(['active', 'inactive']).optional(),
  accountType: z.string().optional(),
});
export type CreateAccountInput = z.input<typeof CreateAccountInput>;

export const ListAccountsParams = z.object({ page: page.optional(), perPage: perPage(100).optional(), search: z.string().optional() });
export type ListAccountsParams = z.input<typeof ListAccountsParams>;

export const TransferBalanceInput = z.object({
  /** Number, decimal string or Money; must be > 0 with at most 5 decimals; sent as a JSON number. */
  amount: z.union([z.number(), z.string(), z.custom<Money>((v) => v instanceof Money)]).transform((v, ctx) => {
    const m = Money.tryParse(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'must be a finite amount with at most 5 decimals' });
      return z.NEVER;
    }
    if (!m.isPositive()) {
      ctx.addIssue({ code: 'custom', message: 'must be > 0' });
      return z.NEVER;
    }
    return m;
  }),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as INR'),
  description: z.string().max(500, 'must be at most 500 characters').optional(),
});
export type TransferBalanceInput = z.input<typeof TransferBalanceInput>;

// ---- responses

export const CreatedAccount = z.looseObject({
  auth_id: z.string(),
  /** The customer's credential: shown here and via getAccount only. Never log it. */
  auth_token: z.string(),
  name: optString,
  email: optString,
  status: optString,
  balance: optMoney,
  currency: optString,
  country: optString,
  created_at: optString,
});
export type CreatedAccount = z.output<typeof CreatedAccount>;

export const Account = z.looseObject({
  auth_id: z.string(),
  /** The real token on GET /accounts/{id}; "<redacted>" in lists. */
  auth_token: optString,
  id: idLike.nullish(),
  api_id: optString,
  name: optString,
  email: optString,
  phone: optString,
  company: optString,
  country: optString,
  currency: optString,
  timezone: optString,
  account_type: optString,
  billing_mode: optString,
  cash_credits: optMoney,
  cps_limit: optNumber,
  concurrent_calls_limit: optNumber,
  is_active: optBool,
  is_verified: optBool,
  is_trial_account: optBool,
  enabled: optBool,
  kyc_status: optString,
  partner_id: optString,
  pricing_tier_id: optString,
  pricing_tier: z.looseObject({}).nullish(),
  created_at: optString,
  updated_at: optString,
});
export type Account = z.output<typeof Account>;

/** per_page is echoed as `size`; older docs call the request param `size` too. */
export const AccountPage = sizedPages('accounts').of(Account, { per_page: optCount });
export type AccountPage = PageOf<typeof AccountPage>;

export const AccountBalance = z.looseObject({
  auth_id: optString,
  name: optString,
  cash_credits: money,
  currency: optString,
  updated_at: optString,
});
export type AccountBalance = z.output<typeof AccountBalance>;

export const Transfer = z.looseObject({
  transaction_id: z.string(),
  from_account: optString,
  to_account: optString,
  amount: money,
  currency: optString,
  description: optString,
  status: optString,
  partner_balance_after: optMoney,
  customer_balance_after: optMoney,
  timestamp: optString,
});
export type Transfer = z.output<typeof Transfer>;

export const PartnerProfile = z.looseObject({
  id: optString,
  account_id: idLike.nullish(),
  auth_id: optString,
  name: optString,
  slug: optString,
  company: optString,
  email: optString,
  phone: optString,
  billing_model: optString,
  is_active: optBool,
  is_verified: optBool,
  max_accounts: optCount,
  account_count: optCount,
  can_create_accounts: optBool,
  can_transfer_balance: optBool,
  can_view_cdrs: optBool,
  can_create_pricing_tiers: optBool,
  default_pricing_tier_id: optString,
  /** "23906.83000" on /me; null inside /dashboard. */
  balance: optMoney,
  currency: optString,
  country: optString,
  created_at: optString,
  updated_at: optString,
});
export type PartnerProfile = z.output<typeof PartnerProfile>;

/**
 * Three documented shapes (current prose, OpenAPI example, older docs); all fields optional, money normalised.
 * The current prose shape is what the sandbox sends.
 */
export const Dashboard = z.looseObject({
  // current prose
  // `balance` is null here in the prose and `Any` in the SDK model.
  partner: PartnerProfile.partial().extend({ balance: looseMoney }).nullish(),
  period: z.looseObject({ from: optString, to: optString }).nullish(),
  accounts: z
    .union([
      z.looseObject({ total: optCount, active: optCount, customers: z.array(z.looseObject({ auth_id: optString })).nullish() }),
      count,
    ])
    .nullish(),
  total_balance: optMoney,
  currency: optString,
  calls: z
    .looseObject({ total_calls: optCount, answered_calls: optCount, total_minutes: optNumber, total_cost: optMoney })
    .nullish(),
  traffic: z.looseObject({}).nullish(),
  by_product: z.looseObject({}).nullish(),
  time_series: z.array(z.looseObject({ date: optString, total_cost: optMoney })).nullish(),
  // OpenAPI example
  total_customers: optCount,
  active_customers: optCount,
  pending_kyc: optCount,
  total_balance_held: optMoney,
  mtd_revenue: optMoney,
  // older docs
  active_accounts: optCount,
  calls_today: optCount,
  calls_this_month: optCount,
  total_spend_this_month: optMoney,
  accounts_low_balance: optCount,
  accounts_suspended: optCount,
});
export type Dashboard = z.output<typeof Dashboard>;

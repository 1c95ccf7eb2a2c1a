/**
 * The customer's own account (`GET /api/v1/auth/me`, the SDK's `retrieve_account`) and its live concurrency
 * (`GET /api/v1/Account/{id}/concurrency`, `get_concurrency`): the fields of Vobiz's SDK models, filled from the account.
 */
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../context.js';
import { requireCustomer } from '../auth.js';
import { PRICING_TIER_ID, type Customer } from '../accounts.js';

/** `RetrieveAccountResponse`. The secret is not echoed: the caller already holds it (sandbox choice). */
function renderProfile(c: Customer): Record<string, unknown> {
  const d = c.doc;
  return {
    type: 'account', id: d.id, api_id: d.api_id, name: d.name, email: d.email, phone: d.phone, description: d.description,
    auth_id: d.auth_id, auth_secret: '<redacted>', auth_token_expire_time: null, country: d.country, timezone: d.timezone,
    city: d.city, state: d.state, address: d.address, zip_code: d.zip_code, company: d.company, account_type: d.account_type,
    postpaid: d.postpaid, auto_recharge: d.auto_recharge, auto_recharge_config: null, enabled: d.enabled, carrier_type: null,
    customer_type: null, credit_limit: 0, cps_limit: d.cps_limit, concurrent_calls_limit: d.concurrent_calls_limit,
    base_cps_limit: d.base_cps_limit, base_concurrent_calls_limit: d.base_concurrent_calls_limit, purchased_cps: d.purchased_cps,
    purchased_concurrent_calls: d.purchased_concurrent_calls, risk_rating: 0, risk_status: null, features: { call_queue: false },
    ip_auth_enabled: false, ip_whitelist_rules: {}, allow_aws_ips: false, role: d.role, is_active: d.is_active,
    is_verified: d.is_verified, is_trial_account: d.is_trial_account, created_at: d.created_at, updated_at: d.updated_at,
    // Required string in the SDK model; an account that never logged in shows its creation time.
    last_login: d.last_login ?? d.created_at, pricing_tier_id: PRICING_TIER_ID,
    pricing_tier: {
      id: PRICING_TIER_ID, name: 'Sandbox Standard', description: 'Sandbox default tier', currency: d.currency, rate_per_minute: 0.5,
      billing_increment_seconds: 60, minimum_duration_seconds: 0, is_active: true, is_default: true,
    },
  };
}

/** Routes under /api/v1 (the profile is not account-scoped in its path). */
export function customerProfileRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    app.get('/auth/me', async (req) => {
      // No account id in the path: the account is whoever the credentials name.
      return renderProfile(requireCustomer(ctx, req, null));
    });
  };
}

/** Routes under the account prefix. The sandbox runs no live calls: synthetic traffic is recorded after the fact. */
export function customerConcurrencyRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { authId: string } }>('/concurrency', async (req) => {
      const c = requireCustomer(ctx, req, req.params.authId);
      return { account_id: c.doc.auth_id, concurrent_calls: 0, max_concurrent: c.doc.concurrent_calls_limit, utilization_pct: 0, request_id: randomUUID() };
    });
  };
}

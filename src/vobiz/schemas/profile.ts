/** The customer's own account (`GET /api/v1/auth/me`) and its concurrency (`GET /Account/{id}/concurrency`). */
import { z } from 'zod';
import { idLike, optBool, optCount, optNumber, optString } from './common.js';

/**
 * The account as its own credentials see it. `auth_secret` (the SDK model has it) is dropped here: the caller
 * already holds its credentials, and a parsed profile must be safe to log.
 */
export const CustomerProfile = z
  .looseObject({
    auth_id: z.string(),
    id: idLike.nullish(),
    api_id: optString,
    name: optString,
    email: optString,
    phone: optString,
    company: optString,
    country: optString,
    timezone: optString,
    account_type: optString,
    role: optString,
    enabled: optBool,
    is_active: optBool,
    is_verified: optBool,
    is_trial_account: optBool,
    cps_limit: optNumber,
    concurrent_calls_limit: optNumber,
    pricing_tier_id: optString,
    pricing_tier: z.looseObject({}).nullish(),
    created_at: optString,
    updated_at: optString,
  })
  .transform(({ auth_secret: _secret, ...rest }) => rest);
export type CustomerProfile = z.output<typeof CustomerProfile>;

export const Concurrency = z.looseObject({
  account_id: idLike.nullish(),
  concurrent_calls: optCount,
  max_concurrent: optCount,
  utilization_pct: optNumber,
  request_id: optString,
});
export type Concurrency = z.output<typeof Concurrency>;

/**
 * The limits on what one onboarding may ask for, read by every edge that starts or steers onboardings (the bridge's
 * start API, the CLI) and by the worker, which checks them again before it acts: the edge refuses early with a
 * clear error, the worker is the last line.
 */
import { z } from 'zod';
import { canonicalAmount } from '../workflows/input-structure.js';
import { booleanFlag } from './fields.js';
import type { RunMode } from './general.js';

/**
 * The default cap on one customer's opening balance (ONBOARDING_MAX_OPENING_BALANCE), in the funding currency
 * (Vobiz wallets are rupees): 100 times the usual ₹500 opening balance, about 50,000-100,000 minutes of Indian
 * calls at ₹0.5-1 a minute, and half the sandbox's default ₹1,00,000 partner wallet, so one mistyped amount (an
 * extra three zeros) is refused instead of emptying the wallet. Partners with bigger customers raise it.
 */
export const DEFAULT_MAX_OPENING_BALANCE = '50000';

export const ONBOARDING_LIMITS = {
  ONBOARDING_MAX_OPENING_BALANCE: z
    .string()
    .trim()
    .regex(/^\d{1,12}(\.\d{1,5})?$/, 'must be an amount such as 50000 or 2500.50 (at most 5 decimal places)')
    .refine((v) => !/^0+(\.0+)?$/.test(v), 'must be greater than 0')
    .default(DEFAULT_MAX_OPENING_BALANCE),
  ALERT_WEBHOOK_ALLOW_LOOPBACK: booleanFlag(false),
};

export interface OnboardingConfig {
  /** NODE_ENV=production: alert webhooks must be https and `advanced.*` may not go below their safe floors. */
  production: boolean;
  /** The largest opening balance one customer may be given (canonical decimal, e.g. "50000.00000"). */
  maxOpeningBalance: string;
  /** Alert webhooks may point at loopback receivers (development and tests only; production refuses the setting). */
  allowLoopbackAlertWebhooks: boolean;
}

type LimitsEnv = z.infer<z.ZodObject<typeof ONBOARDING_LIMITS>> & { NODE_ENV: RunMode };

export function onboardingLimits(e: LimitsEnv, problems: string[]): OnboardingConfig {
  const production = e.NODE_ENV === 'production';
  if (production && e.ALERT_WEBHOOK_ALLOW_LOOPBACK) {
    problems.push('ALERT_WEBHOOK_ALLOW_LOOPBACK: must be false when NODE_ENV=production (loopback alert receivers are for development)');
  }
  return { production, maxOpeningBalance: canonicalAmount(e.ONBOARDING_MAX_OPENING_BALANCE), allowLoopbackAlertWebhooks: e.ALERT_WEBHOOK_ALLOW_LOOPBACK };
}

/**
 * What every activity factory receives: the Vobiz client and the few settings activities need. Built once per
 * worker process in src/worker/lifecycle-workers.ts. Activities log through `log` from @temporalio/activity, which
 * reaches the worker's Runtime logger (pino, redacted) with the workflow and activity IDs attached.
 */
import { cancellationSignal } from '@temporalio/activity';
import { DEFAULT_MAX_OPENING_BALANCE, type OnboardingConfig } from '../config/onboarding-limits.js';
import type { ResolveHost } from '../net/outbound-target.js';
import type { UnsealingKey } from '../secrets/keys.js';
import type { AccountClaims } from '../temporal/account-claims.js';
import type { CustomerClient, VobizClient } from '../vobiz/index.js';
import { accountGoneOr } from './failures.js';

export interface ActivitySettings {
  /** Where Vobiz posts KYC webhooks: the bridge's public URL + /webhooks/vobiz/kyc. */
  kycWebhookUrl?: string;
  /** Timeout for alert webhook deliveries: waiting for the answer's headers, and then for its body. */
  alertTimeoutMs: number;
  /**
   * The limits the edge enforced, checked again before the worker acts (config.onboarding): the opening balance cap
   * before money moves, and where alert webhooks may go. Without it, the strictest: the default cap, https only,
   * no loopback.
   */
  onboarding?: OnboardingConfig;
  /** How alert webhook host names are resolved (the system resolver unless a test names another). */
  resolveAlertHost?: ResolveHost;
}

/** The limits a worker applies when it was given none: the default cap and production's alert rules. */
export const STRICTEST_ONBOARDING: OnboardingConfig = {
  production: true,
  maxOpeningBalance: `${DEFAULT_MAX_OPENING_BALANCE}.00000`,
  allowLoopbackAlertWebhooks: false,
};

export interface ActivityDeps {
  vobiz: VobizClient;
  settings: ActivitySettings;
  /** The secrets private keys (SECRETS_KEYS): account creation opens the sealed password with them, for the call. */
  unsealingKeys: readonly UnsealingKey[];
  /** Who owns which e-mail's Vobiz account (claims on Temporal): account creation and operator hand-overs use it. */
  accountClaims: AccountClaims;
}

/** The AbortSignal of the running activity: a cancelled activity cancels its HTTP request. */
export function callOptions(): { signal: AbortSignal } {
  return { signal: cancellationSignal() };
}

/**
 * The customer API with the customer's own credentials, fetched from the partner API now. The token lives in
 * this activity's memory only: it is never an activity input or result, so it never enters workflow history.
 */
export async function customerApi(vobiz: VobizClient, authId: string): Promise<CustomerClient> {
  const account = await vobiz.getAccount(authId, callOptions()).catch((err: unknown) => {
    throw accountGoneOr(err, authId);
  });
  if (!account.auth_token || account.auth_token === '<redacted>') {
    throw new Error(`Vobiz did not return the customer's credentials for ${authId}`);
  }
  return vobiz.customer({ authId, authToken: account.auth_token });
}

/**
 * What every activity factory receives: the Vobiz client and the few settings activities need. Built once per
 * worker in src/worker.ts. Activities log through `log` from @temporalio/activity, which reaches the worker's
 * Runtime logger (pino, redacted) with the workflow and activity IDs attached.
 */
import { cancellationSignal } from '@temporalio/activity';
import type { UnsealingKey } from '../secrets/keys.js';
import type { AccountClaims } from '../temporal/account-claims.js';
import type { CustomerClient, VobizClient } from '../vobiz/index.js';

export interface ActivitySettings {
  /** Where Vobiz posts KYC webhooks: the bridge's public URL + /webhooks/vobiz/kyc. */
  kycWebhookUrl?: string;
  /** Timeout for alert webhook deliveries. */
  alertTimeoutMs: number;
}

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
  const account = await vobiz.getAccount(authId, callOptions());
  if (!account.auth_token || account.auth_token === '<redacted>') {
    throw new Error(`Vobiz did not return the customer's credentials for ${authId}`);
  }
  return vobiz.customer({ authId, authToken: account.auth_token });
}

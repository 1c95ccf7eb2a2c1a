/**
 * The partner credentials: one cheap authenticated read (`GET /me`) through the project's Vobiz client, so a
 * mistyped or rotated token is found at start instead of customer by customer (each stalling on `credentials`).
 */
import { VobizApiError, VobizError, type VobizClient } from '../vobiz/index.js';
import { errorText, fail, ok, type Check } from './run.js';

interface VobizWhere {
  vobiz: VobizClient;
  baseUrl: string;
  /** True when VOBIZ_BASE_URL was unset and this is the sandbox `npm start` runs (named in the fix). */
  sandboxDefault?: boolean;
}

const CAPABILITIES = ['can_create_accounts', 'can_transfer_balance'] as const;

export function vobizCredentials({ vobiz, baseUrl, sandboxDefault = false }: VobizWhere): Check {
  const where = sandboxDefault ? `${baseUrl} (the local sandbox: VOBIZ_BASE_URL is unset)` : baseUrl;
  const credentialsFix =
    `set VOBIZ_PARTNER_AUTH_ID and VOBIZ_PARTNER_AUTH_TOKEN (or its _FILE) to the partner's credentials for ${where} and restart this process; ` +
    'customers stalled on `credentials` carry on by themselves within two minutes (the bridge checks KYC webhook signatures with the partner token too, unless BRIDGE_WEBHOOK_SECRETS is set)';
  return {
    name: 'vobiz_credentials',
    async run({ signal }) {
      try {
        const me = await vobiz.me({ signal });
        if (me.is_active === false) return fail(`partner ${vobiz.partnerAuthId} is inactive at ${baseUrl}`, 'ask Vobiz support to reactivate the partner account');
        const off = CAPABILITIES.filter((flag) => me[flag] === false);
        if (off.length > 0) {
          return fail(`partner ${vobiz.partnerAuthId} lacks ${off.join(', ')} at ${baseUrl}: onboardings stall on \`credentials\``, `ask Vobiz support to enable ${off.join(', ')}`);
        }
        return ok(`partner ${vobiz.partnerAuthId} authenticated at ${baseUrl}`);
      } catch (err) {
        if (err instanceof VobizApiError && (err.status === 401 || err.status === 403)) {
          return fail(`Vobiz refused partner ${vobiz.partnerAuthId} at ${baseUrl} (${err.status}): customers stall on \`credentials\``, credentialsFix);
        }
        if (err instanceof VobizApiError) return fail(`Vobiz answered ${err.status} at ${baseUrl}: ${errorText(err)}`, 'retry later; if it persists, see the Vobiz status page');
        if (err instanceof VobizError) {
          return fail(`Vobiz not reachable at ${where}: ${errorText(err)}`, sandboxDefault ? 'start the sandbox (npm start runs one), or set VOBIZ_BASE_URL' : 'check VOBIZ_BASE_URL and the network to it');
        }
        throw err;
      }
    },
  };
}

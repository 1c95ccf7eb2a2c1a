/**
 * The bridge's settings Vobiz depends on: a public URL it can post KYC webhooks to, and a secret to check their
 * signatures with (or, for an account Vobiz does not sign for, unsigned deliveries taken as hints on purpose).
 */
import { urlProblem } from '../net/outbound-target.js';
import { KYC_WEBHOOK_PATH } from '../config/bridge-address.js';
import { fail, ok, warn, type Check } from './run.js';

const PUBLIC_ONLY = { httpsOnly: false, allowLoopback: false };

/**
 * `vobizBaseUrl` (the worker knows it): a public URL is needed only when Vobiz is out there; a sandbox on this
 * machine reaches a loopback bridge. Without it (the bridge), only production insists on a public https host.
 */
export function publicUrl({ url, production, vobizBaseUrl }: { url: string; production: boolean; vobizBaseUrl?: string }): Check {
  const fix = 'set BRIDGE_PUBLIC_URL to the https base URL Vobiz reaches the bridge at (no path, query or credentials; a tunnel in development)';
  return {
    name: 'public_url',
    async run() {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return fail('BRIDGE_PUBLIC_URL is not a URL', fix);
      }
      if (parsed.username || parsed.password || parsed.search || parsed.hash) {
        // Named, never shown: credentials in a URL are a secret.
        const extra = parsed.username || parsed.password ? 'credentials' : parsed.search ? 'a query' : 'a fragment';
        return fail(`BRIDGE_PUBLIC_URL (host ${parsed.host}) carries ${extra}: it must be the bare base URL the webhook path is added to`, fix);
      }
      const webhookUrl = `${url.replace(/\/$/, '')}${KYC_WEBHOOK_PATH}`;
      if (production) {
        const problem = urlProblem(url, { httpsOnly: true, allowLoopback: false });
        if (problem) return fail(`BRIDGE_PUBLIC_URL ${url} ${problem}: Vobiz cannot post KYC webhooks there`, fix);
      } else if (vobizBaseUrl && !urlProblem(vobizBaseUrl, PUBLIC_ONLY)) {
        const problem = urlProblem(url, PUBLIC_ONLY);
        if (problem) return fail(`Vobiz at ${vobizBaseUrl} cannot post to ${webhookUrl}: BRIDGE_PUBLIC_URL ${problem}`, fix);
      }
      return ok(`KYC webhooks go to ${webhookUrl}`);
    },
  };
}

export type WebhookSecretSource = 'BRIDGE_WEBHOOK_SECRETS' | 'VOBIZ_PARTNER_AUTH_TOKEN' | 'SANDBOX_PARTNER_AUTH_TOKEN';

export function webhookSecret({ count, source, signature }: { count: number; source: WebhookSecretSource; signature: 'required' | 'optional' }): Check {
  return {
    name: 'webhook_secret',
    async run() {
      const held = `${count} signing secret(s) from ${source}`;
      if (signature === 'optional') {
        return warn(
          `BRIDGE_WEBHOOK_SIGNATURE=optional: unsigned KYC webhooks are taken as hints (confirmed with the API); a wrong signature is still refused; ${held}`,
          'set BRIDGE_WEBHOOK_SIGNATURE=required once Vobiz signs this account\'s webhooks',
        );
      }
      if (count === 0) {
        return fail(`no signing secret (${source} is empty): every KYC webhook is refused 401`, 'set BRIDGE_WEBHOOK_SECRETS (or its _FILE) to the partner auth token Vobiz signs webhooks with');
      }
      return ok(held);
    },
  };
}

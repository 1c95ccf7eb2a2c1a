/**
 * KYC webhooks refused for their signature, told once per burst: a rotated partner token, or an account Vobiz does
 * not sign for, refuses every delivery, and a line per request would bury everything else. The first refusal after
 * a quiet minute is logged at error, with the fix; the rest of the burst is counted (the metric counts every one:
 * `vobiz_bridge_kyc_webhooks_total{outcome="bad_signature"}`, and an alert watches it) and told again at error
 * every ten minutes while it lasts.
 */
import type { Logger } from '../logging.js';

export type SignatureProblem = 'missing' | 'mismatch';

export interface SignatureRefusals {
  refused(problem: SignatureProblem): void;
}

interface SignatureRefusalOptions {
  /** A refusal this long after the previous one starts a new burst. */
  quietMs?: number;
  /** While a burst lasts, it is told again this often. */
  repeatMs?: number;
  now?: () => number;
}

const FIX =
  'BRIDGE_WEBHOOK_SECRETS (default: VOBIZ_PARTNER_AUTH_TOKEN) must hold the partner auth token Vobiz signs with (rotated at Vobiz?); ' +
  'for an account Vobiz does not sign webhooks for, BRIDGE_WEBHOOK_SIGNATURE=optional takes unsigned deliveries as hints (docs/bridge.md)';

export function createSignatureRefusals(logger: Logger, { quietMs = 60_000, repeatMs = 10 * 60_000, now = Date.now }: SignatureRefusalOptions = {}): SignatureRefusals {
  let lastAt = Number.NEGATIVE_INFINITY;
  let toldAt = Number.NEGATIVE_INFINITY;
  let untold = { missing: 0, mismatch: 0 };
  return {
    refused(problem) {
      const t = now();
      const newBurst = t - lastAt > quietMs;
      lastAt = t;
      untold[problem]++;
      if (!newBurst && t - toldAt < repeatMs) return;
      logger.error(
        { refused: untold, fix: FIX },
        newBurst ? 'KYC webhooks refused for their signature (401): further refusals in this burst are counted, not logged' : 'KYC webhooks still refused for their signature (401)',
      );
      toldAt = t;
      untold = { missing: 0, mismatch: 0 };
    },
  };
}

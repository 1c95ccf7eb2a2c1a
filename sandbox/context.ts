/** What every route and background job of one running sandbox shares. */
import type { Logger } from '../src/logging.js';
import type { Clock } from './clock.js';
import type { SandboxDb } from './db.js';
import type { RequestMeter } from './request-meter.js';
import type { WebhookDispatcher } from './webhooks.js';

/**
 * Switches for where Vobiz's two sources disagree (docs/sandbox.md, "SDK models vs prose docs").
 * - `responseShape`: `sdk` (default) emits only what Vobiz's SDK models accept; `prose` restores the prose docs'
 *   variants the models forbid (partner `currency`/`country` on /me, camelCase CDR summary keys with a null
 *   `last_call_at` when empty, a trunk's optional keys on create/get/update), for testing clients against them.
 * - `strictPathCasing`: refuse customer paths in the casing the real API does not serve (off by default).
 */
export interface SandboxSettings {
  responseShape: 'sdk' | 'prose';
  strictPathCasing: boolean;
}

export interface SandboxContext {
  db: SandboxDb;
  clock: Clock;
  logger: Logger;
  partnerAuthId: string;
  partnerAuthToken: string;
  /** Base URL printed in widget links; set once the server listens (an ephemeral port is known only then). */
  publicUrl: string;
  webhooks: WebhookDispatcher;
  /** Mutable at run time through POST /_sandbox/settings. */
  settings: SandboxSettings;
  /** Runs due expiries, reminders and scheduled traffic now (after a clock change, and on every tick). */
  runDueWork: () => void;
  /** API requests received (counts, per second) and the optional rate limit (request-meter.ts). */
  requests: RequestMeter;
}

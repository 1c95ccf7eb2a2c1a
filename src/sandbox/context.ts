/** What every route and background job of one running sandbox shares. */
import type { Logger } from '../logging.js';
import type { Clock } from './clock.js';
import type { SandboxDb } from './db.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface SandboxContext {
  db: SandboxDb;
  clock: Clock;
  logger: Logger;
  partnerAuthId: string;
  partnerAuthToken: string;
  /** Base URL printed in widget links; set once the server listens (an ephemeral port is known only then). */
  publicUrl: string;
  webhooks: WebhookDispatcher;
  /** Runs due expiries, reminders and scheduled traffic now (after a clock change, and on every tick). */
  runDueWork: () => void;
}

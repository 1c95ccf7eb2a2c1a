/** What every route gets: the Temporal client, settings, and the logger. One per bridge; no per-request state. */
import type { Client } from '@temporalio/client';
import type { BridgeConfig } from '../config/bridge.js';
import type { OnboardingPolicy } from '../onboarding/input.js';
import type { Logger } from '../logging.js';
import type { VobizReads } from '../reads/vobiz-reads.js';
import type { WebhookOutcome } from './metrics/registry.js';
import type { SignatureRefusals } from './signature-refusals.js';
import type { BridgeChecks } from './startup-checks.js';

export interface BridgeContext {
  client: Client;
  logger: Logger;
  bridge: BridgeConfig;
  /** The start API's limits (config.onboarding): the opening balance cap, alert webhook targets, production floors. */
  onboarding: OnboardingPolicy;
  taskQueue: string;
  /** Deadline for quick Temporal calls (start, signal, describe, query): a webhook must be answered promptly. */
  temporalTimeoutMs: number;
  /** Deadline for operator updates, which wait for the workflow to act (a Vobiz call may be in it). */
  updateTimeoutMs: number;
  /** Vobiz reads, run by the workers on the Vobiz task queue (activity-reads.ts): the bridge holds no Vobiz credentials. */
  reads: VobizReads;
  /** Counts what became of each KYC webhook (a no-op when BRIDGE_METRICS is off). */
  recordWebhook(outcome: WebhookOutcome): void;
  /** The start-up checks, run again by /readyz. */
  checks: BridgeChecks;
  /** Deliveries refused for their signature, logged at error once per burst. */
  signatureRefusals: SignatureRefusals;
}

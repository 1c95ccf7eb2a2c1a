/**
 * The bridge's Prometheus metrics (prom-client, its own registry: nothing global, so tests can run several bridges).
 *
 * Labels are bounded and carry nothing about a customer: route *templates* (`/onboardings/:customerRef`, never the
 * URL), status codes, webhook outcome reasons from a fixed list, stages from `STAGES`. No refs, ids or tokens.
 */
import type { Client } from '@temporalio/client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CHECK_STATUSES, type CheckResult } from '../../checks/results.js';
import { STAGES } from '../../workflows/messages.js';
import { StageCounter } from './stage-counts.js';

/**
 * What became of a KYC webhook delivery: `delivered` (the kycEvent Update accepted) and `signalled` (the signal, to
 * a worker from before the Update) are the ones that move a customer; `duplicate`, `other_account` and `not_waiting`
 * were acknowledged without reaching history; `stale_event` and `rate_limited` were refused before any Temporal call.
 * `unsigned` is counted besides a delivery's outcome: taken without a signature (BRIDGE_WEBHOOK_SIGNATURE=optional).
 */
export const WEBHOOK_OUTCOMES = [
  'delivered',
  'signalled',
  'duplicate',
  'other_account',
  'not_waiting',
  'refused',
  'stale_event',
  'rate_limited',
  'bad_signature',
  'invalid_json',
  'invalid_payload',
  'unknown_event',
  'ignored_event',
  'workflow_mismatch',
  'workflow_not_found',
  'temporal_error',
  'unsigned',
] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export interface BridgeMetrics {
  registry: Registry;
  observeRequest(route: string, method: string, statusCode: number, seconds: number): void;
  webhook(outcome: WebhookOutcome): void;
  /** The latest result of each start-up check: 1 on it, 0 on the other results. */
  startupChecks(results: readonly CheckResult[]): void;
}

export function createBridgeMetrics(options: { client: Client; stageCountTtlMs: number; onStageCountError?: (err: unknown) => void }): BridgeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vobiz_bridge_' });

  const requests = new Histogram({
    name: 'vobiz_bridge_http_request_duration_seconds',
    help: 'Bridge HTTP requests by route template, method and status code, and how long they took',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const webhooks = new Counter({
    name: 'vobiz_bridge_kyc_webhooks_total',
    help: 'KYC webhook deliveries by outcome: signalled, or why it was rejected or not signalled',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  // Every outcome from the first scrape, so `rate()` and alerts see a 0 before the first rejection.
  for (const outcome of WEBHOOK_OUTCOMES) webhooks.inc({ outcome }, 0);

  const stageCounter = new StageCounter(options.client, options.stageCountTtlMs);
  const lookupFailures = new Counter({
    name: 'vobiz_bridge_stage_count_failures_total',
    help: 'Scrapes at which the customers-by-stage visibility count failed (the stage series are then left out)',
    registers: [registry],
  });
  new Gauge({
    name: 'vobiz_customers',
    help: `Running customer workflows by stage (visibility count, reused for up to BRIDGE_METRICS_STAGE_COUNT_TTL)`,
    labelNames: ['stage'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await stageCounter.counts();
        for (const stage of STAGES) this.set({ stage }, counts[stage]);
      } catch (err) {
        // A scrape still answers (HTTP and webhook series stay visible) while Temporal is unreachable.
        lookupFailures.inc();
        options.onStageCountError?.(err);
      }
    },
  });

  const startupCheck = new Gauge({
    name: 'vobiz_startup_check',
    help: "The bridge's start-up checks (run at start and by /readyz): 1 on each check's latest result (ok, warn, fail, skipped), 0 on the others",
    labelNames: ['check', 'result'] as const,
    registers: [registry],
  });

  return {
    registry,
    startupChecks(results) {
      for (const r of results) for (const result of CHECK_STATUSES) startupCheck.set({ check: r.name, result }, r.status === result ? 1 : 0);
    },
    observeRequest(route, method, statusCode, seconds) {
      requests.observe({ route, method, status_code: String(statusCode) }, seconds);
    },
    webhook(outcome) {
      webhooks.inc({ outcome });
    },
  };
}

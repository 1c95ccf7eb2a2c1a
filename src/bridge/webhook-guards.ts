/**
 * What keeps KYC webhooks from flooding a customer, before any Temporal call: a delivery whose signed event time is
 * stale (or from the future) is refused; an exact replay of a delivery this bridge just handed over is answered from
 * memory; and each customer gets a token bucket of deliveries. All memory is bounded (LRU), per bridge: with several
 * bridges the workflow's own kycEvent validator is what drops a duplicate (a refused Update writes no history).
 */
import { LRUCache } from 'lru-cache';
import type { WebhookGuardSettings } from '../config/bridge.js';
import type { RelevantKycWebhook } from './kyc-webhook.js';

/** How far ahead of this bridge's clock an event time may be (clock skew between Vobiz and us). */
export const MAX_EVENT_CLOCK_SKEW_MS = 5 * 60_000;
/** Customers whose token buckets are kept at once; the least recently seen bucket goes first (and comes back full). */
const MAX_BUCKETS = 10_000;

/** ISO 8601 date-time, as Vobiz sends it ("2025-06-01T10:00:00Z", fractions and offsets allowed). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

interface EventTimeProblem {
  field: 'timestamp' | 'updated_at';
  rule: string;
  /** `stale`: outside the accepted window; `invalid`: not a date-time at all. */
  kind: 'stale' | 'invalid';
}

/** Why the delivery's event time is refused, or undefined (no time in the payload, or a time within the window). */
export function eventTimeProblem(webhook: Pick<RelevantKycWebhook, 'occurredAt' | 'occurredAtField'>, nowMs: number, maxAgeMs: number): EventTimeProblem | undefined {
  const { occurredAt } = webhook;
  if (!occurredAt) return undefined;
  const field = webhook.occurredAtField ?? 'timestamp';
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(occurredAt) ? occurredAt : `${occurredAt}Z`;
  const at = ISO_DATE_TIME.test(occurredAt) ? Date.parse(zoned.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(at)) return { field, kind: 'invalid', rule: 'must be an ISO 8601 date-time such as 2025-06-01T10:00:00Z' };
  const window = `must be at most ${describeMs(maxAgeMs)} old (BRIDGE_WEBHOOK_MAX_AGE) and at most ${describeMs(MAX_EVENT_CLOCK_SKEW_MS)} ahead of the bridge's clock`;
  if (at < nowMs - maxAgeMs || at > nowMs + MAX_EVENT_CLOCK_SKEW_MS) return { field, kind: 'stale', rule: window };
  return undefined;
}

function describeMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** Event keys this bridge handed over (or found already taken), per workflow, so a replay needs no Temporal call. */
export class RecentDeliveries {
  private readonly keys?: LRUCache<string, true>;

  constructor(max: number) {
    if (max > 0) this.keys = new LRUCache({ max });
  }

  has(workflowId: string, eventKey: string): boolean {
    return this.keys?.has(`${workflowId}\n${eventKey}`) ?? false;
  }

  remember(workflowId: string, eventKey: string): void {
    this.keys?.set(`${workflowId}\n${eventKey}`, true);
  }
}

/** Token buckets per customer: `burst` deliveries at once, refilled at `perMinute`. */
export class CustomerRateLimiter {
  private readonly buckets: LRUCache<string, { tokens: number; at: number }>;
  private readonly perMs: number;

  constructor(
    private readonly burst: number,
    perMinute: number,
  ) {
    this.perMs = perMinute / 60_000;
    // A bucket left alone until it is full again is the same as no bucket: it may go.
    this.buckets = new LRUCache({ max: MAX_BUCKETS, ttl: Math.ceil(burst / this.perMs), ttlAutopurge: false });
  }

  /** Takes one delivery from the customer's bucket; when it is empty, says how many seconds until one is back. */
  take(customer: string, nowMs: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const bucket = this.buckets.get(customer);
    const tokens = bucket ? Math.min(this.burst, bucket.tokens + Math.max(nowMs - bucket.at, 0) * this.perMs) : this.burst;
    if (tokens >= 1) {
      this.buckets.set(customer, { tokens: tokens - 1, at: nowMs });
      return { allowed: true };
    }
    this.buckets.set(customer, { tokens, at: nowMs });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)) };
  }
}

export interface WebhookGuards {
  settings: WebhookGuardSettings;
  recent: RecentDeliveries;
  limiter: CustomerRateLimiter;
}

export function createWebhookGuards(settings: WebhookGuardSettings): WebhookGuards {
  return { settings, recent: new RecentDeliveries(settings.recentKeys), limiter: new CustomerRateLimiter(settings.customerBurst, settings.customerPerMinute) };
}

// The bridge's flood guards on their own (src/bridge/webhook-guards.ts): the event-time window, the per-customer
// token bucket and its Retry-After, and the bounded memory of delivered keys.
import { describe, expect, it } from 'vitest';
import { loadBridgeConfig } from '../../src/config/bridge.js';
import { CustomerRateLimiter, MAX_EVENT_CLOCK_SKEW_MS, RecentDeliveries, eventTimeProblem } from '../../src/bridge/webhook-guards.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

describe('event time', () => {
  const maxAge = 24 * HOUR;
  it('accepts no time at all, and any time from max age ago to the clock skew ahead', () => {
    expect(eventTimeProblem({}, NOW, maxAge)).toBeUndefined();
    for (const t of [NOW - maxAge + 1000, NOW - HOUR, NOW, NOW + MAX_EVENT_CLOCK_SKEW_MS - 1000]) {
      expect(eventTimeProblem({ occurredAt: at(t), occurredAtField: 'timestamp' }, NOW, maxAge)).toBeUndefined();
    }
    // Offsets and no zone (read as UTC) are ISO 8601 too.
    expect(eventTimeProblem({ occurredAt: '2026-06-01T17:00:00+05:30', occurredAtField: 'timestamp' }, NOW, maxAge)).toBeUndefined();
    expect(eventTimeProblem({ occurredAt: '2026-06-01 11:00:00', occurredAtField: 'updated_at' }, NOW, maxAge)).toBeUndefined();
  });

  it('refuses older than max age, or further ahead than the skew, naming the field and both bounds', () => {
    const old = eventTimeProblem({ occurredAt: at(NOW - maxAge - 1000), occurredAtField: 'updated_at' }, NOW, maxAge);
    expect(old).toEqual({ field: 'updated_at', kind: 'stale', rule: 'must be at most 24h old (BRIDGE_WEBHOOK_MAX_AGE) and at most 5m ahead of the bridge\'s clock' });
    expect(eventTimeProblem({ occurredAt: at(NOW + MAX_EVENT_CLOCK_SKEW_MS + 1000), occurredAtField: 'timestamp' }, NOW, maxAge)).toMatchObject({ field: 'timestamp', kind: 'stale' });
  });

  it('refuses a time that is not an ISO 8601 date-time', () => {
    for (const text of ['yesterday', '1717236000', '2026-13-45T99:99:99Z', '06/01/2026']) {
      expect(eventTimeProblem({ occurredAt: text, occurredAtField: 'timestamp' }, NOW, maxAge)).toMatchObject({ field: 'timestamp', kind: 'invalid' });
    }
  });
});

describe('per-customer rate limit', () => {
  it('allows the burst at once, then one per refill interval, with a Retry-After that is the wait for the next', () => {
    const limiter = new CustomerRateLimiter(3, 6); // 3 at once, then one every 10 s
    expect([1, 2, 3].map(() => limiter.take('a', NOW).allowed)).toEqual([true, true, true]);
    expect(limiter.take('a', NOW)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(limiter.take('a', NOW + 4_000)).toEqual({ allowed: false, retryAfterSeconds: 6 });
    expect(limiter.take('a', NOW + 10_000).allowed).toBe(true);
    expect(limiter.take('a', NOW + 10_000).allowed).toBe(false);
    // Another customer has its own bucket, and a long pause refills no more than the burst.
    expect(limiter.take('b', NOW).allowed).toBe(true);
    expect([1, 2, 3, 4].map(() => limiter.take('a', NOW + 10 * HOUR).allowed)).toEqual([true, true, true, false]);
  });
});

describe('recent deliveries', () => {
  it('remembers keys per workflow, forgets the least recent past its size, and remembers nothing at size 0', () => {
    const recent = new RecentDeliveries(2);
    recent.remember('w1', 'k1');
    expect(recent.has('w1', 'k1')).toBe(true);
    expect(recent.has('w2', 'k1')).toBe(false);
    recent.remember('w1', 'k2');
    recent.remember('w1', 'k3');
    expect([recent.has('w1', 'k1'), recent.has('w1', 'k2'), recent.has('w1', 'k3')]).toEqual([false, true, true]);
    const none = new RecentDeliveries(0);
    none.remember('w1', 'k1');
    expect(none.has('w1', 'k1')).toBe(false);
  });
});

describe('settings', () => {
  it('defaults: 24h max age, 20 at once and 6 a minute per customer, 10,000 keys remembered', () => {
    expect(loadBridgeConfig({}).bridge.webhookGuards).toEqual({ maxEventAgeMs: 24 * HOUR, customerBurst: 20, customerPerMinute: 6, recentKeys: 10_000 });
    expect(loadBridgeConfig({ BRIDGE_WEBHOOK_MAX_AGE: '2h', BRIDGE_WEBHOOK_RECENT_KEYS: '0' }).bridge.webhookGuards).toMatchObject({ maxEventAgeMs: 2 * HOUR, recentKeys: 0 });
  });

  it('refuses bad values by name and rule', () => {
    expect(() => loadBridgeConfig({ BRIDGE_WEBHOOK_MAX_AGE: '10s', BRIDGE_WEBHOOK_CUSTOMER_BURST: '0', BRIDGE_WEBHOOK_CUSTOMER_PER_MINUTE: 'lots', BRIDGE_WEBHOOK_RECENT_KEYS: '-1' })).toThrow(
      /BRIDGE_WEBHOOK_MAX_AGE: must be at least 1m[\s\S]*BRIDGE_WEBHOOK_CUSTOMER_BURST: must be > 0[\s\S]*BRIDGE_WEBHOOK_CUSTOMER_PER_MINUTE: must be a number[\s\S]*BRIDGE_WEBHOOK_RECENT_KEYS: must be ≥ 0/,
    );
  });
});

/**
 * Counts the Vobiz API requests the sandbox receives (paths under /api/, counted on arrival, before faults and
 * authentication), so tests and benchmarks can prove what a workflow fleet costs: totals by route, requests per
 * second, and the most requests seen in any one-second window. Optionally it enforces a partner rate limit the way
 * an API gateway would: a request over `limitPerSecond` in the sliding second is refused with 429 and
 * `Retry-After`. In memory only (a restart starts counting again); GET/POST /_sandbox/requests read and reset it.
 */

/** Arrival times kept for the sliding-window figures; older ones are dropped (the totals keep counting). */
const MAX_ARRIVALS = 200_000;
const WINDOW_MS = 1_000;

interface RequestReport {
  total: number;
  /** Requests refused with 429 by the limit (counted in `total` too: the sandbox saw them). */
  rateLimited: number;
  /** "GET /api/v1/partner/kyc-sessions" → count (route patterns, never concrete IDs or query strings). */
  byRoute: Record<string, number>;
  /** The most requests that arrived within any one-second window (sliding, not calendar seconds). */
  maxInAnySecond: number;
  /** With `windowMs`: the most requests that arrived within any window of that length (sliding). */
  maxInWindow?: { windowMs: number; count: number };
  /** Requests per calendar second (epoch seconds), oldest first, for the seconds that had any. */
  perSecond: Array<{ second: number; count: number }>;
  limitPerSecond: number | null;
  since: string;
}

export class RequestMeter {
  private arrivals: number[] = [];
  private byRoute = new Map<string, number>();
  private total = 0;
  private rateLimited = 0;
  private since = Date.now();
  limitPerSecond: number | null = null;

  /** Records an arrival; returns the seconds to wait when it is over the limit (the caller answers 429). */
  arrive(method: string, route: string, nowMs = Date.now()): number | undefined {
    const key = `${method} ${route}`;
    this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
    this.total += 1;
    const overLimit = this.limitPerSecond !== null && this.countSince(nowMs - WINDOW_MS) >= this.limitPerSecond;
    this.arrivals.push(nowMs);
    if (this.arrivals.length > MAX_ARRIVALS) this.arrivals = this.arrivals.slice(-MAX_ARRIVALS / 2);
    if (!overLimit) return undefined;
    this.rateLimited += 1;
    return 1;
  }

  reset(): void {
    this.arrivals = [];
    this.byRoute.clear();
    this.total = 0;
    this.rateLimited = 0;
    this.since = Date.now();
  }

  report(windowMs?: number): RequestReport {
    const perSecond = new Map<number, number>();
    for (const at of this.arrivals) {
      const second = Math.floor(at / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    return {
      total: this.total,
      rateLimited: this.rateLimited,
      byRoute: Object.fromEntries([...this.byRoute].sort(([a], [b]) => a.localeCompare(b))),
      maxInAnySecond: this.maxInWindow(WINDOW_MS),
      ...(windowMs ? { maxInWindow: { windowMs, count: this.maxInWindow(windowMs) } } : {}),
      perSecond: [...perSecond].map(([second, count]) => ({ second, count })),
      limitPerSecond: this.limitPerSecond,
      since: new Date(this.since).toISOString(),
    };
  }

  /** The most arrivals within any sliding window of `windowMs` (two pointers over the ordered arrivals). */
  private maxInWindow(windowMs: number): number {
    let max = 0;
    let start = 0;
    for (let end = 0; end < this.arrivals.length; end++) {
      const at = this.arrivals[end]!;
      while (this.arrivals[start]! <= at - windowMs) start += 1;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }

  /** Arrivals after `fromMs` (exclusive); arrivals are in order, so this scans back from the newest. */
  private countSince(fromMs: number): number {
    let n = 0;
    for (let i = this.arrivals.length - 1; i >= 0 && this.arrivals[i]! > fromMs; i--) n += 1;
    return n;
  }
}

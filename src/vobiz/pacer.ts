/**
 * Paces requests to a rate budget: one every `1000 / perSecond` ms and a little more (ARRIVAL_SLACK), so no more
 * than `perSecond` arrive at Vobiz in any one-second window and a burst (after an outage, at a fleet's start) is
 * spread out instead of sent at once.
 *
 * Hand-written (not p-throttle) because the spacing must hold between *actual* releases: a throttle that schedules
 * each call at a planned time releases a burst when the event loop was busy past several planned times; this one
 * reads the clock when a waiter wakes, and only one waiter takes each slot.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Requests spaced exactly `1000 / perSecond` apart put `perSecond + 1` arrivals in some second as soon as one trip
 * is a millisecond shorter than the one before it (the fleet bench counted 11 at a budget of 10). 5% more spacing
 * absorbs trips that vary by up to half a spacing over a second's requests (50 ms at 10/s), for 5% of throughput.
 */
const ARRIVAL_SLACK = 0.05;

export class Pacer {
  readonly spacingMs: number;
  private nextSlotAt = 0;

  constructor(perSecond: number) {
    if (!(perSecond > 0)) throw new RangeError('perSecond must be > 0');
    this.spacingMs = (1_000 / perSecond) * (1 + ARRIVAL_SLACK);
  }

  /**
   * Resolves, with how long the caller waited (ms), when it may send; rejects with the signal's reason if it is
   * aborted while waiting.
   */
  async admit(signal?: AbortSignal): Promise<number> {
    let arrivedAt: number | undefined;
    for (;;) {
      signal?.throwIfAborted();
      const now = performance.now();
      if (now >= this.nextSlotAt) {
        this.nextSlotAt = now + this.spacingMs;
        return arrivedAt === undefined ? 0 : now - arrivedAt; // 0: admitted without waiting
      }
      arrivedAt ??= now;
      await sleep(this.nextSlotAt - now, undefined, signal ? { signal } : {}).catch(() => undefined);
    }
  }
}

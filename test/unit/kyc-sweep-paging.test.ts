import { describe, expect, it } from 'vitest';
import { pagingReason } from '../../src/activities/kyc-sweep.js';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

describe('when a KYC sweep pages every open session', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');

  it('pages without a baseline: the first run, after a run that found nobody waiting, or after a run of the old design', () => {
    expect(pagingReason(undefined, 10, now, HOUR)).toBe('no_baseline');
    expect(pagingReason({ baseline: null, lastFullPagingAt: at(now) }, 10, now, HOUR)).toBe('no_baseline');
    expect(pagingReason({ baseline: 10, lastFullPagingAt: null }, 10, now, HOUR)).toBe('no_baseline');
  });

  it('pages when the open surplus fell below the baseline (a session closed and its customer did not leave kyc)', () => {
    expect(pagingReason({ baseline: 10, lastFullPagingAt: at(now) }, 9, now, HOUR)).toBe('open_total_fell');
    // Our sessions are all there and nobody else's closed: a surplus at or above the baseline needs no paging.
    expect(pagingReason({ baseline: 10, lastFullPagingAt: at(now) }, 10, now, HOUR)).toBeNull();
    expect(pagingReason({ baseline: 10, lastFullPagingAt: at(now) }, 12, now, HOUR)).toBeNull();
  });

  it('pages once the last full paging is as old as the safety-net period, whatever the totals say', () => {
    expect(pagingReason({ baseline: 10, lastFullPagingAt: at(now - HOUR + 1) }, 10, now, HOUR)).toBeNull();
    expect(pagingReason({ baseline: 10, lastFullPagingAt: at(now - HOUR) }, 10, now, HOUR)).toBe('safety_net');
    // A fall is the better reason to report.
    expect(pagingReason({ baseline: 10, lastFullPagingAt: at(now - 2 * HOUR) }, 9, now, HOUR)).toBe('open_total_fell');
  });
});

import { describe, expect, it } from 'vitest';
import { JITTER_SHARE, jitteredMs } from '../../src/workflows/jitter.js';

const HOUR = 3_600_000;

describe('poll jitter', () => {
  it('moves the interval by at most ±10%, from the lowest draw to the highest', () => {
    expect(JITTER_SHARE).toBe(0.1);
    expect(jitteredMs(HOUR, () => 0)).toBe(0.9 * HOUR);
    expect(jitteredMs(HOUR, () => 0.5)).toBe(HOUR);
    expect(jitteredMs(HOUR, () => 0.999_999)).toBeLessThanOrEqual(1.1 * HOUR);
    expect(jitteredMs(HOUR, () => 0.999_999)).toBeGreaterThan(1.0999 * HOUR);
  });

  it('spreads draws over the whole window in whole milliseconds', () => {
    const draws = Array.from({ length: 1000 }, (_, i) => jitteredMs(HOUR, () => i / 1000));
    for (const d of draws) {
      expect(Number.isInteger(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(0.9 * HOUR);
      expect(d).toBeLessThan(1.1 * HOUR);
    }
    expect(new Set(draws).size).toBe(1000);
  });

  it('never returns a zero or negative wait', () => {
    expect(jitteredMs(1, () => 0)).toBe(1);
  });
});

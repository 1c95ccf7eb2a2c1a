/**
 * The pacer's spacing (src/vobiz/pacer.ts): requests leave at least `1000 / perSecond` apart plus the slack for
 * trips of different lengths, so a budget of R never puts R + 1 requests inside one second on their way out.
 */
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/vobiz/pacer.js';

describe('Pacer', () => {
  it('spaces releases by more than 1000 / perSecond, so R + 1 of them span more than a second', async () => {
    const perSecond = 50;
    const pacer = new Pacer(perSecond);
    const released: number[] = [];
    // All ask at once, as a burst of activities would.
    await Promise.all(Array.from({ length: perSecond + 1 }, async () => {
      await pacer.admit();
      released.push(performance.now());
    }));
    const gaps = released.slice(1).map((at, i) => at - released[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(pacer.spacingMs - 0.5);
    expect(pacer.spacingMs).toBeGreaterThan(1_000 / perSecond);
    expect(released.at(-1)! - released[0]!).toBeGreaterThan(1_000);
  });

  it('refuses a budget that is not above zero', () => {
    expect(() => new Pacer(0)).toThrow(RangeError);
  });
});

/**
 * Poll jitter: customers parked at the same moment would otherwise poll Vobiz at the same moment, every interval,
 * for as long as they wait. Each poll is spread by up to ±JITTER_SHARE of its interval, so a parked fleet's polls
 * drift apart within a few rounds. Pure: in workflow code `random` is the SDK's `Math.random`, seeded per run, so a
 * replay draws the same delays.
 */
export const JITTER_SHARE = 0.1;

/** `intervalMs` moved by a uniform draw in [-JITTER_SHARE, +JITTER_SHARE) of itself, in whole milliseconds. */
export function jitteredMs(intervalMs: number, random: () => number = Math.random): number {
  const offset = (random() * 2 - 1) * JITTER_SHARE * intervalMs;
  return Math.max(1, Math.round(intervalMs + offset));
}

/**
 * The one duration grammar, for environment settings (`WORKER_SHUTDOWN_GRACE_TIME=30s`, `KYC_SWEEP_INTERVAL=5m`)
 * and onboarding input (`kyc.pollInterval: "30 minutes"`, `advanced.effectSettleDelay: "1 second"`) alike: a
 * number, then optionally a unit, short or spelled out, in any case ("30s", "5 m", "1 hour", "2 Days", "1.5h"); a
 * bare number is milliseconds. Every spelling is one Temporal's SDK accepts as a duration string too, so a value
 * that passes here can be handed to `sleep()` or an activity timeout unchanged.
 *
 * Pure (no zod, no Node built-ins): workflow code imports it, and so do the settings loaders and the edges.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const DURATION_PATTERN =
  /^(\d+(?:\.\d+)?)\s*(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)?$/i;

/** The rule a value breaking the grammar is told, naming what it accepts. */
export const DURATION_RULE =
  'must be milliseconds or a duration such as "30s", "5m", "1h", "30 seconds", "1 hour", "2 days" (units ms, s, m, h, d, w)';

export function isDuration(text: string): boolean {
  return DURATION_PATTERN.test(text.trim());
}

/** The duration in milliseconds; throws, naming the accepted forms, for text outside the grammar. */
export function durationMs(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) throw new Error(`"${text}" ${DURATION_RULE}`);
  const unit = (match[2] ?? 'ms').toLowerCase();
  const key = unit.startsWith('ms') || unit.startsWith('milli') ? 'ms' : unit[0]!;
  return Number(match[1]) * UNIT_MS[key]!;
}

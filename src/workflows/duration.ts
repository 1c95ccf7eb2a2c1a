/**
 * Durations in the ms-style spelling Temporal accepts ("30 minutes", "4h", "1 day"), parsed to milliseconds for
 * the arithmetic the workflow does with them. Pure: used by workflow code and by input validation.
 */
const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const DURATION_PATTERN =
  /^(\d+(?:\.\d+)?)\s*(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)$/i;

export function durationMs(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  const unit = match[2]!.toLowerCase();
  const key = unit.startsWith('ms') || unit.startsWith('milli') ? 'ms' : unit[0]!;
  return Number(match[1]) * UNITS[key]!;
}

/**
 * Running a process's checks: each at once, after the checks it needs (a namespace cannot be checked without
 * Temporal: it is `skipped`, naming what failed), each within a deadline, and a check that throws is a `fail`
 * with the error's message, never a crash of the process that runs it.
 */
import type { CheckName, CheckResult } from './results.js';

export type CheckOutcome = Omit<CheckResult, 'name'>;

export interface Check {
  name: CheckName;
  /** Checks that must pass (ok or warn) first; when one does not, this one is skipped. */
  needs?: readonly CheckName[];
  /** What to tell when the check throws (its fix); the message of the error becomes the detail. */
  fixOnError?: string;
  run(within: CheckDeadline): Promise<CheckOutcome>;
}

/** Aborted when the check's time is up; `deadline` (epoch ms) for calls that take one, such as Temporal's. */
export interface CheckDeadline {
  signal: AbortSignal;
  deadline: number;
}

export const ok = (detail: string): CheckOutcome => ({ status: 'ok', detail });
export const warn = (detail: string, fix: string): CheckOutcome => ({ status: 'warn', detail, fix });
export const fail = (detail: string, fix: string): CheckOutcome => ({ status: 'fail', detail, fix });

/** Long enough for a TLS handshake and one call to Temporal Cloud or Vobiz; short enough that a start is not held up. */
const CHECK_TIMEOUT_MS = 8_000;

export async function runChecks(checks: readonly Check[], { timeoutMs = CHECK_TIMEOUT_MS }: { timeoutMs?: number } = {}): Promise<CheckResult[]> {
  const running = new Map<CheckName, Promise<CheckResult>>();
  const runOne = async (check: Check): Promise<CheckResult> => {
    for (const need of check.needs ?? []) {
      const before = await running.get(need);
      if (before && (before.status === 'fail' || before.status === 'skipped')) {
        return { name: check.name, status: 'skipped', detail: `needs ${need}, which ${before.status === 'fail' ? 'failed' : 'was skipped'}` };
      }
    }
    return { name: check.name, ...(await withinDeadline(check, timeoutMs)) };
  };
  for (const check of checks) running.set(check.name, runOne(check));
  return Promise.all(checks.map((check) => running.get(check.name)!));
}

async function withinDeadline(check: Check, timeoutMs: number): Promise<CheckOutcome> {
  const abort = new AbortController();
  // A little before the timer, so a call given the deadline ends (and says why) before the check is cut off.
  const deadline = Date.now() + Math.max(100, timeoutMs - 250);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(fail(`no answer within ${Math.round(timeoutMs / 1000)} s`, check.fixOnError ?? 'see the process log'));
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      check.run({ signal: abort.signal, deadline }).catch((err: unknown) => fail(errorText(err), check.fixOnError ?? 'see the process log')),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error's message, one line, bounded: details are shown in tables and logs. */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = message.split('\n')[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

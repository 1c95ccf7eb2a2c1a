/**
 * What the KYC waiter does next, from the session's schedule, what the waiter has done and the time. Pure, so each
 * rule of the wait is tested without Temporal (test/unit/kyc-next-move.test.ts).
 *
 * The wait goes in rounds. A round confirms the session with the API when anything says it may have ended: the wait
 * just started, a hint arrived (a webhook, the sweep, an operator), a reminder found the session closed, the poll
 * is due, or the session is past its expiry. After a confirmation that finds the session still open, it revokes the
 * session if Vobiz has not reported the expiry within the grace after it, or else plans the next poll (continuing as
 * new at the bound of polls per run). Then it sends each reminder that is due, once, and sleeps until the next poll,
 * reminder or deadline.
 */
import type { ReminderPoint } from '../input-types.js';

const DAY_MS = 86_400_000;
/** Past expires_at, how long we give Vobiz to report the expiry itself before we revoke the session ourselves. */
export const EXPIRY_GRACE_MS = 10 * 60_000;
/** The shortest sleep: a deadline that is due now is confirmed in the next round, not in a busy loop. */
export const MIN_SLEEP_MS = 1000;

export interface ReminderDue {
  daysBeforeExpiry: number;
  /** When it is due (ms since the epoch). */
  at: number;
}

/**
 * The reminders of a session, earliest first: the schedule's points that fall after the session opened (a restart
 * derives this list again and skips the points already sent).
 */
export function remindersFor(session: { expiresAt: string; openedAt: string }, schedule: readonly ReminderPoint[]): ReminderDue[] {
  const expiresAt = Date.parse(session.expiresAt);
  const openedAt = Date.parse(session.openedAt);
  return schedule
    .map((point) => ({ daysBeforeExpiry: point.value, at: expiresAt - point.value * DAY_MS }))
    .filter((r) => r.at >= openedAt)
    .sort((a, b) => a.at - b.at);
}

/**
 * Where the waiter is in its round: at its `start`; the session `confirmed_open` by the API just now; the next
 * `poll_planned` (what is left of the round is reminders and the sleep).
 */
export type KycRound = 'start' | 'confirmed_open' | 'poll_planned';

export interface KycWaitView {
  round: KycRound;
  /** The session's expires_at (ms since the epoch). */
  expiresAt: number;
  reminders: readonly ReminderDue[];
  /** The reminder points already sent for this session (days before expiry), by this run or an earlier one. */
  sent: readonly number[];
  /** When the next poll is due. */
  nextPollAt: number;
  /** Confirm at once: the wait just started, or a reminder found the session closed. */
  confirmNow: boolean;
  /** A webhook, the sweep or an operator hinted that the session changed. */
  hint: boolean;
  /** Confirmations made by this run, and how many a run makes before it continues as new. */
  confirmations: number;
  pollsPerRun: number;
  /** The run's history is past its bound (bounded-wait.ts). */
  historyLong: boolean;
  /**
   * The deadline of the sleep that just ran out (0 after any other move). The clock reads at least this: a worker
   * answering a query on a customer it had not cached applies a timer that fired since the last workflow task at that
   * task's (older) time, and a wait that slept again there would take a timer number the recorded history never gets.
   */
  sleptUntil: number;
}

type KycMove =
  | { kind: 'confirm' }
  | { kind: 'revoke_expired' }
  | { kind: 'plan_next_poll'; continueAsNew: boolean }
  | { kind: 'remind'; daysBeforeExpiry: number }
  | { kind: 'sleep'; until: number; summary: 'Next KYC reminder' | 'Next KYC check' };

export function nextKycMove(view: KycWaitView, clock: number): KycMove {
  const { expiresAt } = view;
  const now = Math.max(clock, view.sleptUntil);
  if (view.round === 'start' && (view.confirmNow || view.hint || now >= view.nextPollAt || now >= expiresAt)) return { kind: 'confirm' };
  if (view.round === 'confirmed_open') {
    // Vobiz never reported the expiry: the session's deadline is ours too.
    if (now >= expiresAt + EXPIRY_GRACE_MS) return { kind: 'revoke_expired' };
    return { kind: 'plan_next_poll', continueAsNew: view.confirmations >= view.pollsPerRun || view.historyLong };
  }
  const unsent = view.reminders.filter((r) => !view.sent.includes(r.daysBeforeExpiry));
  const due = unsent.find((r) => r.at <= now);
  if (due) return { kind: 'remind', daysBeforeExpiry: due.daysBeforeExpiry };
  const nextReminder = unsent[0];
  const deadline = now < expiresAt ? expiresAt : expiresAt + EXPIRY_GRACE_MS;
  const wakeAt = Math.min(view.nextPollAt, deadline, nextReminder?.at ?? Infinity);
  return {
    kind: 'sleep',
    until: Math.max(wakeAt, now + MIN_SLEEP_MS),
    summary: nextReminder && nextReminder.at === wakeAt ? 'Next KYC reminder' : 'Next KYC check',
  };
}

// The KYC waiter's decision (src/workflows/stages/kyc-next-move.ts): what it does next, from the session's schedule,
// what it has done and the time. The loop that runs it (kyc-waiter.ts) is covered by the time-skipping tests and
// the committed histories.
import { describe, expect, it } from 'vitest';
import { EXPIRY_GRACE_MS, MIN_SLEEP_MS, nextKycMove, remindersFor, type KycWaitView } from '../../src/workflows/stages/kyc-next-move.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const OPENED = Date.parse('2026-06-01T00:00:00.000Z');
const EXPIRES = OPENED + 7 * DAY;
const session = { openedAt: new Date(OPENED).toISOString(), expiresAt: new Date(EXPIRES).toISOString() };
const schedule = [3, 1, 6].map((value) => ({ trigger: 'days_before_expiry' as const, value }));

/** A wait in its steady state: the first confirmation done, nothing sent, the next poll an hour after `now`. */
const view = (now: number, overrides: Partial<KycWaitView> = {}): KycWaitView => ({
  round: 'start',
  expiresAt: EXPIRES,
  reminders: remindersFor(session, schedule),
  sent: [],
  nextPollAt: now + HOUR,
  confirmNow: false,
  hint: false,
  confirmations: 1,
  pollsPerRun: 50,
  historyLong: false,
  sleptUntil: 0,
  ...overrides,
});

describe('the KYC reminders of a session', () => {
  it('fall at their days before expiry, earliest first, leaving out the points before the session opened', () => {
    expect(remindersFor(session, schedule)).toEqual([
      { daysBeforeExpiry: 6, at: EXPIRES - 6 * DAY },
      { daysBeforeExpiry: 3, at: EXPIRES - 3 * DAY },
      { daysBeforeExpiry: 1, at: EXPIRES - DAY },
    ]);
    const openedLate = { ...session, openedAt: new Date(EXPIRES - 2 * DAY).toISOString() };
    expect(remindersFor(openedLate, schedule).map((r) => r.daysBeforeExpiry)).toEqual([1]);
  });
});

describe('the KYC waiter decides', () => {
  const start = OPENED + HOUR;

  it('confirms at once when the wait starts, then sleeps until the next poll', () => {
    expect(nextKycMove(view(start, { confirmNow: true, confirmations: 0 }), start)).toEqual({ kind: 'confirm' });
    expect(nextKycMove(view(start), start)).toEqual({ kind: 'sleep', until: start + HOUR, summary: 'Next KYC check' });
  });

  it('confirms when the poll is due, and not before', () => {
    const v = view(start);
    expect(nextKycMove(v, v.nextPollAt - 1).kind).toBe('sleep');
    expect(nextKycMove(v, v.nextPollAt)).toEqual({ kind: 'confirm' });
  });

  it('takes a sleep that ran out as reaching its deadline, even when the clock reads earlier', () => {
    // A worker answering a query on a customer it had not cached applies the fired timer at the last workflow task's
    // time; sleeping again there would take a timer the recorded history never gets (nondeterminism on replay).
    const v = view(start);
    expect(nextKycMove({ ...v, sleptUntil: v.nextPollAt }, start + 1)).toEqual({ kind: 'confirm' });
    expect(nextKycMove({ ...v, sleptUntil: 0 }, start + 1).kind).toBe('sleep');
  });

  it('confirms on a hint, at the start of a round only: a hint that arrives during a confirmation ends the sleep instead', () => {
    expect(nextKycMove(view(start, { hint: true }), start)).toEqual({ kind: 'confirm' });
    expect(nextKycMove(view(start, { hint: true, round: 'poll_planned' }), start).kind).toBe('sleep');
  });

  it('plans the next poll after a confirmation that found the session open, continuing as new at the bound', () => {
    expect(nextKycMove(view(start, { round: 'confirmed_open' }), start)).toEqual({ kind: 'plan_next_poll', continueAsNew: false });
    expect(nextKycMove(view(start, { round: 'confirmed_open', confirmations: 50 }), start)).toEqual({ kind: 'plan_next_poll', continueAsNew: true });
    expect(nextKycMove(view(start, { round: 'confirmed_open', historyLong: true }), start)).toEqual({ kind: 'plan_next_poll', continueAsNew: true });
  });

  it('sends each reminder at its point, once, and sleeps until the next one', () => {
    const sixDays = EXPIRES - 6 * DAY;
    expect(nextKycMove(view(sixDays - MINUTE, { nextPollAt: sixDays + HOUR }), sixDays - MINUTE)).toEqual({
      kind: 'sleep',
      until: sixDays,
      summary: 'Next KYC reminder',
    });
    for (const [days, sent] of [
      [6, []],
      [3, [6]],
      [1, [6, 3]],
    ] as const) {
      const at = EXPIRES - days * DAY;
      expect(nextKycMove(view(at, { sent }), at)).toEqual({ kind: 'remind', daysBeforeExpiry: days });
      expect(nextKycMove(view(at, { sent: [...sent, days] }), at)).toEqual({ kind: 'sleep', until: at + HOUR, summary: 'Next KYC check' });
    }
    // A wait that slept through several points sends the earliest unsent one first, then the next, each once.
    const late = EXPIRES - DAY + MINUTE;
    expect(nextKycMove(view(late, { sent: [6] }), late)).toEqual({ kind: 'remind', daysBeforeExpiry: 3 });
    expect(nextKycMove(view(late, { sent: [6, 3] }), late)).toEqual({ kind: 'remind', daysBeforeExpiry: 1 });
  });

  it('sends a due reminder after a confirmation, before sleeping', () => {
    const at = EXPIRES - 3 * DAY;
    expect(nextKycMove(view(at, { round: 'poll_planned', sent: [6] }), at)).toEqual({ kind: 'remind', daysBeforeExpiry: 3 });
  });

  it('sleeps until the expiry, then confirms at every wake past it', () => {
    const before = EXPIRES - 10 * MINUTE;
    expect(nextKycMove(view(before, { sent: [6, 3, 1] }), before)).toEqual({ kind: 'sleep', until: EXPIRES, summary: 'Next KYC check' });
    expect(nextKycMove(view(EXPIRES, { sent: [6, 3, 1] }), EXPIRES)).toEqual({ kind: 'confirm' });
  });

  it('past the expiry, sleeps until the grace ends, then revokes a session Vobiz still calls open', () => {
    const after = EXPIRES + MINUTE;
    expect(nextKycMove(view(after, { round: 'poll_planned', sent: [6, 3, 1] }), after)).toEqual({
      kind: 'sleep',
      until: EXPIRES + EXPIRY_GRACE_MS,
      summary: 'Next KYC check',
    });
    expect(nextKycMove(view(after, { round: 'confirmed_open' }), after).kind).toBe('plan_next_poll');
    const graceOver = EXPIRES + EXPIRY_GRACE_MS;
    expect(nextKycMove(view(graceOver, { round: 'confirmed_open' }), graceOver)).toEqual({ kind: 'revoke_expired' });
  });

  it('never sleeps less than a second', () => {
    const v = view(start, { nextPollAt: start + 10, round: 'poll_planned' });
    expect(nextKycMove(v, start)).toEqual({ kind: 'sleep', until: start + MIN_SLEEP_MS, summary: 'Next KYC check' });
  });
});

/**
 * The KYC waiter: runs the moves `nextKycMove` decides (kyc-next-move.ts) until the session ends. The API decides
 * the outcome, never an event; each reminder is sent once, at its point, while the session is open. After
 * `kyc.pollsPerRun` confirmations (or when the history grows long) it continues-as-new with the session still open.
 */
import { boundedWait, historyPastBound } from '../bounded-wait.js';
import { durationMs } from '../duration.js';
import type { KycAttemptRecord, KycOutcome } from '../messages.js';
import { OffboardRequested, touch, type LifecycleRun } from '../run/context.js';
import { continueAsNewIfLong } from '../steps/continue-as-new.js';
import { step } from '../steps/step.js';
import { nextKycMove, remindersFor, type KycRound } from './kyc-next-move.js';
import { pollDelayMs } from './poll-delay.js';
import { waitSummary } from '../visibility.js';

export async function awaitKycOutcome(run: LifecycleRun, record: KycAttemptRecord): Promise<KycOutcome | 'offboard'> {
  const { state, requests, calls } = run;
  const { sessionId } = record;
  const reminders = remindersFor(record, run.input.kyc.reminderSchedule);
  const expiresAt = Date.parse(record.expiresAt);
  const { pollsPerRun } = run.input.kyc;
  const pollMs = durationMs(run.input.kyc.pollInterval);
  let nextPollAt = Date.now() + pollDelayMs(pollMs);
  let confirmNow = true; // confirm once at the start: the session may have ended while we were not looking
  let confirmations = 0;
  let round: KycRound = 'start';
  let sleptUntil = 0;
  const sent = () => state.kyc.remindersSent.filter((r) => r.attempt === record.attempt).map((r) => r.daysBeforeExpiry);

  try {
    for (;;) {
      // An offboard request is taken at the start of a round; one made during a round ends its sleep at once.
      if (round === 'start' && requests.offboard) return 'offboard';
      const historyLong = historyPastBound();
      const move = nextKycMove(
        { round, expiresAt, reminders, sent: sent(), nextPollAt, confirmNow, hint: requests.kycHint, confirmations, pollsPerRun, historyLong, sleptUntil },
        Date.now(),
      );
      sleptUntil = 0;
      switch (move.kind) {
        case 'confirm': {
          requests.kycHint = false;
          confirmNow = false;
          const session = await step(run, 'kyc', () => calls.read('getKycSession', 'Check KYC session', { sessionId }));
          confirmations += 1;
          state.kyc.status = session.status;
          touch(run);
          if (session.outcome) return session.outcome;
          round = 'confirmed_open';
          break;
        }
        case 'revoke_expired':
          // Revoked so the customer's link stops working.
          await step(run, 'kyc', () => calls.idempotentWrite('revokeKycSession', 'Revoke expired KYC session', { sessionId, reason: 'expired' }));
          return 'expired';
        case 'plan_next_poll':
          nextPollAt = Date.now() + pollDelayMs(pollMs);
          if (move.continueAsNew) await continueAsNewIfLong(run, true);
          round = 'poll_planned';
          break;
        case 'remind': {
          const { result } = await step(run, 'kyc', () => calls.idempotentWrite('resendKycEmail', 'Send KYC reminder', { sessionId, purpose: 'reminder' }));
          state.kyc.remindersSent.push({ attempt: record.attempt, daysBeforeExpiry: move.daysBeforeExpiry, result, at: new Date().toISOString() });
          touch(run);
          if (result === 'skipped_session_closed') confirmNow = true;
          round = 'start';
          break;
        }
        case 'sleep': {
          const end = await boundedWait(() => requests.kycHint || Boolean(requests.offboard), move.until - Date.now(), {
            summary: waitSummary(state, move.summary),
            bounded: run.boundedWaits,
          });
          if (end === 'timed_out') sleptUntil = move.until;
          // Signals (duplicates above all) grew the history without a hint: carry the open session into a new run.
          if (end === 'history_long') await continueAsNewIfLong(run);
          round = 'start';
        }
      }
    }
  } catch (err) {
    if (err instanceof OffboardRequested) return 'offboard';
    throw err;
  }
}

/**
 * The customer lifecycle's timers, in workflow time, on the time-skipping test server: KYC reminders, expiry,
 * polling for lost webhooks, the bounded operator wait and monitoring's continue-as-new. Days pass in
 * milliseconds; Vobiz is the in-memory fake (test/fixtures/fake-vobiz-activities.ts), whose clock is the
 * workflow's. No test sleeps in real time: time moves by `env.sleep` (skips) or `handle.result()` (skips until
 * the workflow ends), and the tests wait for real work (activities) with event-driven helpers.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { durationMs } from '../../src/workflows/duration.js';
import { offboardUpdate, purchaseNumberUpdate, restartKycUpdate, revokeKycUpdate, statusQuery, type LifecycleState } from '../../src/workflows/messages.js';
import { DAY, HOUR, env, lifecycleCase, request, useTimeSkippingLifecycle, type Case } from '../support/timeskip-lifecycle.js';

useTimeSkippingLifecycle();

describe('customer lifecycle timers (time-skipping server, fake Vobiz)', () => {
  it('sends exactly two KYC reminders, 3 and 1 days before expiry, then completes and goes active', async () => {
    const input = request({ kyc: { expiresInDays: 14, pollInterval: '12 hours' } });
    await lifecycleCase({ input }, async ({ fake, handle, skipTo, until, signal }) => {
      await skipTo(1, 13.5 * DAY);
      const session = fake.session(1);
      const reminders = fake.callsOf('resendKycEmail');
      expect(reminders.map((c) => c.input)).toEqual([
        { sessionId: session.id, purpose: 'reminder' },
        { sessionId: session.id, purpose: 'reminder' },
      ]);
      const poll = durationMs(input.kyc!.pollInterval!);
      const [day11, day13] = reminders.map((c) => c.at - session.createdAt);
      expect(day11).toBeGreaterThanOrEqual(11 * DAY - 1000);
      expect(day11).toBeLessThan(11 * DAY + poll);
      expect(day13).toBeGreaterThanOrEqual(13 * DAY - 1000);
      expect(day13).toBeLessThan(13 * DAY + poll);

      const waiting = await handle.query(statusQuery);
      expect(waiting.stage).toBe('kyc');
      expect(waiting.kyc.remindersSent).toEqual([
        expect.objectContaining({ attempt: 1, daysBeforeExpiry: 3, result: 'sent' }),
        expect.objectContaining({ attempt: 1, daysBeforeExpiry: 1, result: 'sent' }),
      ]);

      fake.completeSession(session.id);
      await signal({ eventKey: 'evt-completed', sessionId: session.id });
      const active = await until((s) => s.stage === 'active', 'active');
      expect(active.kyc.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'completed' })]);
      expect(active.kyc.remindersSent).toHaveLength(2);
      expect(fake.callsOf('createSipTrunk')).toHaveLength(1);
    });
  });

  it('sends no reminder once the customer has completed KYC (completed on day 5)', async () => {
    await lifecycleCase({}, async ({ fake, skipTo, until, signal }) => {
      await skipTo(1, 5 * DAY);
      fake.completeSession(fake.session(1).id);
      await signal({ eventKey: 'evt-day5', sessionId: fake.session(1).id });
      await until((s) => s.stage === 'active', 'active');
      await skipTo(1, 15 * DAY); // past both reminder points and the session's expiry
      expect(fake.callsOf('resendKycEmail')).toEqual([]);
      const state = await until(() => true, 'status');
      expect(state.kyc.remindersSent).toEqual([]);
      expect(state.stage).toBe('active');
    });
  });
});

describe('KYC expiry and the operator wait', () => {
  const expiring = () => request({ kyc: { expiresInDays: 14, maxAttempts: 2, pollInterval: '12 hours' } });

  /** Lets both allowed sessions run out: the workflow ends up in kyc_expired, waiting for an operator. */
  async function expireBothAttempts({ skipTo, until }: Case): Promise<LifecycleState> {
    await skipTo(1, 14 * DAY + HOUR);
    await skipTo(2, 14 * DAY + HOUR);
    return until((s) => s.stage === 'kyc_expired', 'kyc_expired');
  }

  it('confirms the expiry at expires_at, opens a second session, and after maxAttempts waits in kyc_expired', async () => {
    await lifecycleCase({ input: expiring() }, async (c) => {
      const { fake } = c;
      await c.skipTo(1, 14 * DAY + HOUR);
      const first = fake.session(1);
      const confirmed = fake.callsOf('getKycSession').find((call) => (call.result as { outcome?: string }).outcome === 'expired');
      expect(confirmed?.input).toEqual({ sessionId: first.id });
      // Woken by the expiry itself, not by the next 12-hour poll.
      expect(confirmed!.at - Date.parse(first.expiresAt)).toBeGreaterThanOrEqual(0);
      expect(confirmed!.at - Date.parse(first.expiresAt)).toBeLessThan(60_000);
      expect(fake.session(2).status).toBe('email_sent');

      const waiting = await expireBothAttempts(c);
      expect(waiting.kyc.attempts).toEqual([
        expect.objectContaining({ attempt: 1, sessionId: first.id, outcome: 'expired' }),
        expect.objectContaining({ attempt: 2, sessionId: fake.session(2).id, outcome: 'expired' }),
      ]);
      expect(waiting.reason).toBe('KYC expired after 2 attempt(s); waiting for an operator');
      // Vobiz reported both expiries itself: nothing to revoke. Each session had its two reminders.
      expect(fake.callsOf('revokeKycSession')).toEqual([]);
      expect(waiting.kyc.remindersSent.map((r) => [r.attempt, r.daysBeforeExpiry])).toEqual([[1, 3], [1, 1], [2, 3], [2, 1]]);
    });
  });

  it('opens a third session when an operator sends restartKyc in kyc_expired', async () => {
    await lifecycleCase({ input: expiring() }, async (c) => {
      await expireBothAttempts(c);
      expect(await c.handle.executeUpdate(restartKycUpdate)).toEqual({ stage: 'kyc' });
      await c.fake.called('openKycSession', 3);
      const reopened = await c.until((s) => s.kyc.attempts.length === 3, 'attempt 3');
      expect(reopened.stage).toBe('kyc');
      expect(reopened.kyc.attemptsAllowed).toBe(3);
      expect(reopened.kyc.attempts[2]).toMatchObject({ attempt: 3, sessionId: c.fake.session(3).id });
      expect(reopened.kyc.attempts[2]!.outcome).toBeUndefined();
    });
  });

  it('offboards after 30 days in kyc_expired when no operator acts (nothing left live), with a summary', async () => {
    await lifecycleCase({ input: expiring() }, async (c) => {
      const waiting = await expireBothAttempts(c);
      const summary = await c.handle.result(); // skips time until the workflow ends
      expect(summary).toEqual({
        stage: 'offboarded',
        reason: 'KYC expired; no operator decision within 30 days',
        authId: waiting.authId,
        kycAttempts: 2,
        numbersReleased: [],
        balanceAtOffboarding: '2000.00000 INR', // the opening balance, for the partner to reclaim through Vobiz support
      });
      expect(c.fake.callsOf('readBalance')).toHaveLength(1);
      const { closeTime } = await c.handle.describe();
      const waited = closeTime!.getTime() - Date.parse(waiting.updatedAt);
      expect(waited).toBeGreaterThanOrEqual(30 * DAY);
      expect(waited).toBeLessThan(30 * DAY + 60_000);
    });
  });

  it('revokes the session itself when Vobiz never reports the expiry (10 minutes past expires_at)', async () => {
    const input = request({ kyc: { expiresInDays: 14, maxAttempts: 1, pollInterval: '12 hours' } });
    await lifecycleCase({ input, fake: { reportsExpiry: false } }, async ({ fake, skipTo, until }) => {
      await skipTo(1, 14 * DAY + HOUR);
      const waiting = await until((s) => s.stage === 'kyc_expired', 'kyc_expired');
      const [revoke] = fake.callsOf('revokeKycSession');
      expect(revoke?.input).toEqual({ sessionId: fake.session(1).id, reason: 'expired' });
      expect(revoke!.at - Date.parse(fake.session(1).expiresAt)).toBeGreaterThanOrEqual(10 * 60_000);
      expect(revoke!.at - Date.parse(fake.session(1).expiresAt)).toBeLessThan(11 * 60_000);
      expect(fake.session(1).status).toBe('revoked');
      expect(waiting.kyc.attempts).toEqual([expect.objectContaining({ outcome: 'expired' })]);
    });
  });
});

describe('KYC failure, revocation and offboarding', () => {
  it('opens a second session after a failed one, and goes on to telephony when that one completes', async () => {
    await lifecycleCase({}, async ({ fake, skipTo, until, signal }) => {
      await skipTo(1, 2 * DAY);
      fake.failSession(fake.session(1).id);
      await signal({ eventKey: 'evt-failed', event: 'kyc.failed', sessionId: fake.session(1).id });
      await fake.called('openKycSession', 2);
      await skipTo(2, DAY);
      fake.completeSession(fake.session(2).id);
      await signal({ eventKey: 'evt-completed', sessionId: fake.session(2).id });
      const active = await until((s) => s.stage === 'active', 'active');
      expect(active.kyc.attempts).toEqual([
        expect.objectContaining({ attempt: 1, outcome: 'failed' }),
        expect.objectContaining({ attempt: 2, outcome: 'completed' }),
      ]);
      expect(fake.callsOf('openKycSession')).toHaveLength(2);
      expect([...fake.trunks.keys()]).toEqual([active.telephony.trunkId]);
    });
  });

  it('moves to kyc_revoked when an operator revokes the open session (revokeKyc update)', async () => {
    await lifecycleCase({}, async ({ fake, handle, skipTo, until }) => {
      await skipTo(1, DAY);
      expect(await handle.executeUpdate(revokeKycUpdate, { args: [{ reason: 'Documents look forged' }] })).toEqual({ stage: 'kyc_revoked' });
      expect(fake.callsOf('revokeKycSession').map((c) => c.input)).toEqual([{ sessionId: fake.session(1).id, reason: 'Documents look forged' }]);
      expect(fake.session(1)).toMatchObject({ status: 'revoked', revokeReason: 'Documents look forged' });
      const state = await until(() => true, 'status');
      expect(state.stage).toBe('kyc_revoked');
      expect(state.kyc.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'revoked' })]);
      expect(fake.callsOf('openKycSession')).toHaveLength(1); // a revocation is not retried with a new session
    });
  });

  it('offboards a customer still waiting for KYC: the open session is revoked, nothing else exists to undo', async () => {
    await lifecycleCase({}, async ({ fake, handle, skipTo }) => {
      await skipTo(1, 3 * DAY);
      expect(await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'Customer withdrew' }] })).toEqual({ stage: 'offboarding' });
      const summary = await handle.result();
      expect(summary).toMatchObject({ stage: 'offboarded', reason: 'Customer withdrew', kycAttempts: 1, numbersReleased: [] });
      expect(fake.session(1)).toMatchObject({ status: 'revoked', revokeReason: 'Customer withdrew' });
      expect(fake.callsOf('createSipTrunk')).toEqual([]);
      const state = await handle.query(statusQuery);
      expect(state.kyc.attempts).toEqual([expect.objectContaining({ outcome: 'revoked' })]);
      expect(state.offboarding?.reason).toBe('Customer withdrew');
      expect(state.offboarding?.completedAt).toBeDefined();
    });
  });

  it('offboards an active customer: releases the number, then disables the trunk', async () => {
    const input = request({ telephony: { trunk: { name: 'Primary trunk' }, number: { country: 'IN' } } });
    await lifecycleCase({ input, fake: { kycScript: { 1: { status: 'kyc_completed', afterMs: 0 } } } }, async ({ fake, handle, until }) => {
      const active = await until((s) => s.stage === 'active', 'active');
      expect(active.telephony.numbers).toHaveLength(1);
      await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'Contract ended' }] });
      const summary = await handle.result();
      expect(summary).toMatchObject({ stage: 'offboarded', numbersReleased: active.telephony.numbers, trunkId: active.telephony.trunkId });
      const order = fake.calls.map((c) => c.name).filter((n) => n === 'releaseNumber' || n === 'disableSipTrunk' || n === 'revokeKycSession');
      expect(order).toEqual(['releaseNumber', 'disableSipTrunk']);
      expect(fake.trunks.get(active.telephony.trunkId!)?.status).toBe('disabled');
    });
  });
});

describe('KYC webhooks: lost, duplicated, out of order', () => {
  it('finds the outcome by polling within kyc.pollInterval (±10% jitter) when the webhook never arrives', async () => {
    const input = request({ kyc: { pollInterval: '4 hours' } });
    const completedAfter = 3 * DAY + HOUR;
    const maxPollGap = 1.1 * 4 * HOUR; // each poll is jittered by up to ±10% of the interval
    await lifecycleCase({ input, fake: { kycScript: { 1: { status: 'kyc_completed', afterMs: completedAfter } } } }, async ({ fake, skipTo, until }) => {
      await skipTo(1, completedAfter + maxPollGap + 60_000);
      const state = await until((s) => s.stage === 'active', 'active');
      const completedAt = fake.session(1).createdAt + completedAfter;
      const found = fake.callsOf('getKycSession').find((c) => (c.result as { outcome?: string }).outcome === 'completed');
      expect(found!.at).toBeGreaterThanOrEqual(completedAt);
      expect(found!.at - completedAt).toBeLessThanOrEqual(maxPollGap);
      expect(state.kyc.eventsSeen).toBe(0);
    });
  });

  it('ignores duplicate signals and events for an old session: eventsSeen counts unique keys, no extra calls', async () => {
    await lifecycleCase({}, async ({ fake, until, signal }) => {
      await fake.called('getKycSession', 1); // attempt 1's first confirmation
      const old = fake.session(1).id;
      fake.failSession(old);
      await signal({ eventKey: 'evt-1-failed', event: 'kyc.failed', sessionId: old });
      await fake.called('openKycSession', 2);
      await fake.called('getKycSession', 3); // the hint's confirmation + attempt 2's first confirmation
      const current = fake.session(2).id;

      // Vobiz redelivers the failure (same key), and a stale event for the old session arrives late.
      await signal({ eventKey: 'evt-1-failed', event: 'kyc.failed', sessionId: old });
      await signal({ eventKey: 'evt-1-revoked', event: 'kyc.session_revoked', sessionId: old });
      fake.completeSession(current);
      await signal({ eventKey: 'evt-2-completed', sessionId: current });
      await signal({ eventKey: 'evt-2-completed', sessionId: current });

      const active = await until((s) => s.stage === 'active', 'active');
      expect(active.kyc.eventsSeen).toBe(3);
      // One confirmation per real event: attempt 1 (start, hint), attempt 2 (start, hint).
      expect(fake.callsOf('getKycSession').map((c) => (c.input as { sessionId: string }).sessionId)).toEqual([old, old, current, current]);
      expect(fake.callsOf('openKycSession')).toHaveLength(2);
      expect(fake.callsOf('revokeKycSession')).toEqual([]);
      expect(active.kyc.attempts.map((a) => a.outcome)).toEqual(['failed', 'completed']);
    });
  });
});

describe('monitoring', () => {
  it('continues as new after pollsPerRun polls with the same state, without the customer details, after handlers finish', async () => {
    const input = request({ monitoring: { cdrPollInterval: '1 hour', pollsPerRun: 3 } });
    const fake = { kycScript: { 1: { status: 'kyc_completed' as const, afterMs: 0 } } }; // completed before the first look
    await lifecycleCase({ input, fake }, async (c) => {
      const active = await c.until((s) => s.stage === 'active', 'active');
      const firstRunId = (await c.handle.describe()).runId;
      c.fake.addCalls(active.authId!, [{ answered: true, billsec: 90 }, { answered: true, billsec: 30 }], await env.currentTimeMs());

      // An operator's number purchase is still running when the third poll ends the run: the workflow must let it
      // finish before continuing as new, or the update would be dropped.
      const pickGate = deferred();
      let purchase: Promise<{ e164: string }> | undefined;
      c.fake.hooks.summarizeUsage = async () => {
        if (c.fake.callsOf('summarizeUsage').length !== 3) return;
        purchase = c.handle.executeUpdate(purchaseNumberUpdate, { args: [{ country: 'IN' }] });
        purchase.catch(() => undefined); // awaited (and asserted) below
        await c.fake.called('pickInventoryNumber');
      };
      c.fake.hooks.pickInventoryNumber = () => pickGate.promise;
      const releaseAfterThirdPoll = (async () => {
        try {
          await c.fake.called('summarizeUsage', 3);
          const third = new Date(c.fake.callsOf('summarizeUsage')[2]!.at).toISOString();
          await c.until((s) => s.usage?.last?.polledAt === third, 'third poll recorded');
          expect((await c.handle.describe()).runId).toBe(firstRunId); // held for the handler, not continued yet
        } finally {
          pickGate.resolve();
        }
      })();
      await Promise.all([env.sleep(3 * HOUR + 30 * 60_000), releaseAfterThirdPoll]);

      const { e164 } = await purchase!;
      const carried = await c.until((s) => s.usage?.runs === 2, 'second run');
      const secondRunId = (await c.handle.describe()).runId;
      expect(secondRunId).not.toBe(firstRunId);
      expect(carried).toMatchObject({
        stage: 'active',
        authId: active.authId,
        kyc: { attempts: [expect.objectContaining({ outcome: 'completed' })] },
        telephony: { trunkId: active.telephony.trunkId, numbers: [e164] },
        usage: { runs: 2, totals: { calls: 2, answered: 2, billableMinutes: 3, cost: '1.50000' } },
      });

      // The new run's input: everything but the customer's details (name, e-mail, phone, password).
      const history = await env.client.workflow.getHandle(c.handle.workflowId, secondRunId).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const [carriedInput, resume] = (started?.input?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p)) as [Record<string, unknown>, { state: LifecycleState }];
      expect(carriedInput).not.toHaveProperty('customer');
      expect(carriedInput).toMatchObject({ customerRef: c.input.customerRef, monitoring: { pollsPerRun: 3 } });
      expect(resume.state.usage?.totals.calls).toBe(2);
      expect(JSON.stringify(started?.input)).not.toContain(c.input.customer.email);

      // The chain keeps counting: calls after the continue-as-new are added to the carried totals.
      c.fake.addCalls(active.authId!, [{ answered: true, billsec: 60 }], await env.currentTimeMs());
      await env.sleep(1.1 * HOUR + 60_000); // the next poll, an interval ±10% after the run began
      const later = await c.until((s) => s.usage?.totals.calls === 3, 'third call counted');
      expect(later.usage).toMatchObject({ runs: 2, totals: { calls: 3, answered: 3, billableMinutes: 4 } });
    });
  });
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

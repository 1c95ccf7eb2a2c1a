/**
 * The failure policy and the bounded history, in workflow time (time-skipping server, fake Vobiz): a refused
 * partner token and a bug stall a customer visibly and it carries on by itself once fixed; the customer's own
 * refused data blocks it for an operator's `retry` or `offboard`; a customer parked in KYC for the longest session
 * at the shortest poll continues-as-new with its session open and keeps every run's history small.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { offboardUpdate, retryUpdate, statusQuery } from '../../src/workflows/messages.js';
import { STALLED, STAGE } from '../../src/workflows/search-attributes.js';
import { DAY, HOUR, env, lifecycleCase, request, useTimeSkippingLifecycle, type Lifecycle } from '../support/timeskip-lifecycle.js';

useTimeSkippingLifecycle();

const MINUTE = 60_000;

/** What the real activities raise for a 401 (src/activities/failures.ts): non-retryable, with the status. */
const unauthorized = () =>
  ApplicationFailure.create({
    type: 'VobizUnauthorized',
    message: 'Vobiz GET /api/v1/partner/kyc-sessions/… → 401: Invalid authentication credentials',
    nonRetryable: true,
    details: [{ status: 401, code: 'unauthorized' }],
  });

async function searchAttribute(handle: Lifecycle, key: typeof STAGE): Promise<unknown> {
  return (await handle.describe()).typedSearchAttributes.get(key);
}

describe('failure policy: stalls that carry on by themselves', () => {
  it('a rotated partner token stalls a customer parked in KYC (visible, one alert); with the token back it reaches active, no effect repeated', async () => {
    await lifecycleCase({ input: request({ kyc: { pollInterval: '12 hours' } }) }, async ({ fake, handle, until, signal }) => {
      await fake.called('openKycSession');
      await until((s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, 'parked in kyc');

      fake.failures.set('*', unauthorized);
      fake.completeSession(fake.session(1).id);
      await signal({ eventKey: 'evt-during-rotation', sessionId: fake.session(1).id });
      const stalled = await until((s) => s.stall?.kind === 'credentials', 'stalled on credentials');
      expect(stalled).toMatchObject({ stage: 'kyc', stall: { step: 'kyc', type: 'VobizUnauthorized', rounds: 1 } });
      expect(await searchAttribute(handle, STALLED)).toBe('credentials');

      await env.sleep(2 * HOUR); // the token stays wrong for two hours: rounds on a capped backoff, no second alert
      const later = await handle.query(statusQuery);
      expect(later.stage).toBe('kyc');
      expect(later.stall!.rounds).toBeGreaterThan(5);
      expect(fake.alerts.filter((a) => a.alert.kind === 'stalled')).toHaveLength(1);
      expect((await handle.describe()).status.name).toBe('RUNNING');

      fake.failures.delete('*');
      await env.sleep(6 * MINUTE); // one capped round at most
      const active = await until((s) => s.stage === 'active', 'active after the token is back');
      expect(active.stall).toBeUndefined();
      expect(await searchAttribute(handle, STALLED)).toBe('');
      expect(fake.callsOf('openKycSession').filter((c) => !c.error)).toHaveLength(1);
      expect(fake.transfers).toHaveLength(1);
      expect(fake.trunks.size).toBe(1);
    });
  });

  // Slow by nature (about a minute): the activity's own retries (2 s doubling, six attempts) run before the
  // workflow sees the bug, and the test server does not skip time while an activity is pending.
  it('a bug in an activity stalls the step as unexpected; a fixed deploy carries on', { timeout: 150_000 }, async () => {
    const fake = { kycScript: { 1: { status: 'kyc_completed' as const, afterMs: 0 } } };
    await lifecycleCase({ fake }, async (c) => {
      c.fake.failures.set('createSipTrunk', () => new TypeError("Cannot read properties of undefined (reading 'trunk_id')"));
      const stalled = await c.until((s) => s.stall?.kind === 'unexpected', 'stalled on the bug', 120_000);
      expect(stalled).toMatchObject({ stage: 'telephony', stall: { step: 'telephony', type: 'TypeError' } });
      expect(c.fake.callsOf('createSipTrunk').length).toBeGreaterThanOrEqual(6); // the activity's own retries first

      c.fake.failures.delete('createSipTrunk'); // the fix is deployed
      await env.sleep(6 * MINUTE);
      await c.until((s) => s.stage === 'active', 'active after the fix');
      expect(c.fake.trunks.size).toBe(1);
    });
  });
});

describe('failure policy: the customer data refused blocks for an operator', () => {
  it('an e-mail in use by someone else blocks account creation; retry with a corrected e-mail carries on', async () => {
    const input = request();
    await lifecycleCase({ input }, async ({ fake, handle, until }) => {
      // Someone else's account holds the e-mail (created before this customer's workflow ran).
      fake.accounts.set('MA_OTHER001', { authId: 'MA_OTHER001', name: 'Someone Else', email: input.customer.email, phone: '+919811111111', balance: 0, numbers: new Set(), released: new Set() });
      const blocked = await until((s) => s.stage === 'blocked', 'blocked');
      expect(blocked.blocked).toMatchObject({ step: 'account', type: 'EmailInUse' });
      expect(blocked.reason).toContain('Waiting for an operator');
      expect(await searchAttribute(handle, STAGE)).toBe('blocked');

      const refused = await handle.executeUpdate(retryUpdate, { args: [{ customer: { email: 42 as unknown as string } }] }).catch((err: unknown) => err);
      expect((refused as Error).cause).toMatchObject({ message: 'customer.email must be a string' });
      await handle.executeUpdate(retryUpdate, { args: [{ customer: { email: `fixed.${input.customerRef}@example.com` } }] });
      const kyc = await until((s) => s.stage === 'kyc', 'kyc after the retry');
      expect(kyc.blocked).toBeUndefined();
      expect(kyc.authId).not.toBe('MA_OTHER001');
      expect(fake.accounts.size).toBe(2);
      expect(fake.transfers).toHaveLength(1);
    });
  });

  it('a trunk Vobiz refuses blocks telephony; offboard from blocked leaves nothing live and records the balance', async () => {
    const fake = { kycScript: { 1: { status: 'kyc_completed' as const, afterMs: 0 } } };
    await lifecycleCase({ fake }, async (c) => {
      c.fake.failures.set('createSipTrunk', () =>
        ApplicationFailure.create({ type: 'VobizValidationError', message: 'Vobiz POST /trunks → 422: name too long', nonRetryable: true, details: [{ status: 422 }] }),
      );
      const blocked = await c.until((s) => s.stage === 'blocked', 'blocked at the trunk');
      expect(blocked.blocked).toMatchObject({ step: 'telephony', type: 'VobizValidationError' });

      // A retry with a corrected trunk that Vobiz still refuses blocks again.
      await c.handle.executeUpdate(retryUpdate, { args: [{ trunk: { name: 'Shorter' } }] });
      await c.until((s) => s.stage === 'blocked' && c.fake.callsOf('createSipTrunk').length === 2, 'blocked again');
      expect((c.fake.callsOf('createSipTrunk')[1]!.input as { trunk: { name: string } }).trunk.name).toBe('Shorter');
      // Each block sends one alert with its reason, Vobiz's words included (one per block, not per wait).
      const blockedAlerts = c.fake.alerts.filter((a) => a.alert.kind === 'blocked').map((a) => a.alert.detail);
      expect(blockedAlerts).toEqual([
        "telephony is blocked, waiting for an operator's retry or offboard: VobizValidationError: Vobiz POST /trunks → 422: name too long",
        "telephony is blocked, waiting for an operator's retry or offboard: VobizValidationError: Vobiz POST /trunks → 422: name too long",
      ]);

      await c.handle.executeUpdate(offboardUpdate, { args: [{ reason: 'customer withdrew' }] });
      const summary = await c.handle.result();
      expect(summary).toMatchObject({ stage: 'offboarded', reason: 'customer withdrew', balanceAtOffboarding: '2000.00000 INR' });
      expect(c.fake.trunks.size).toBe(0);
    });
  });

  it('a block with no operator decision for 30 days offboards by itself', async () => {
    await lifecycleCase({}, async (c) => {
      c.fake.failures.set('transferOpeningBalance', () =>
        ApplicationFailure.create({ type: 'VobizBadRequest', message: 'currency must equal the partner currency', nonRetryable: true, details: [{ status: 400 }] }),
      );
      await c.until((s) => s.stage === 'blocked', 'blocked at funding');
      const summary = await c.handle.result();
      expect(summary.stage).toBe('offboarded');
      expect(summary.reason).toContain('no operator decision within 30 days');
    });
  });
});

describe('bounded history while parked in KYC', () => {
  it('the worst input allowed (10 attempts, 365-day session, 5-minute poll) continues-as-new with the session open, every run under 10,000 events', async () => {
    const input = request({
      kyc: {
        maxAttempts: 10,
        expiresInDays: 365,
        pollInterval: '5 minutes',
        reminderSchedule: [{ trigger: 'days_before_expiry', value: 364 }], // due one day in: in the second run
      },
    });
    const fake = { kycScript: { 1: { status: 'kyc_completed' as const, afterMs: 47 * HOUR } } };
    await lifecycleCase({ input, fake }, async (c) => {
      await c.fake.called('openKycSession');
      await env.sleep(2 * DAY);
      const active = await c.until((s) => s.stage === 'active', 'active', 60_000);

      // One session for the whole wait: a continue-as-new resumed it instead of opening another.
      expect(c.fake.callsOf('openKycSession')).toHaveLength(1);
      expect(active.kyc.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'completed' })]);
      // The day-1 reminder went out once, though the run that sent it was continued twice.
      expect(c.fake.callsOf('resendKycEmail')).toHaveLength(1);
      expect(active.kyc.remindersSent).toEqual([expect.objectContaining({ daysBeforeExpiry: 364, result: 'sent' })]);
      expect(c.fake.callsOf('getKycSession').length).toBeGreaterThanOrEqual(47 * 12);

      const runs = await runHistoryLengths(c.handle);
      expect(runs.length).toBeGreaterThanOrEqual(3); // 564 confirmations at 250 per run
      for (const events of runs) expect(events).toBeLessThan(10_000);
    });
  });
});

/** The number of history events of every run of the workflow, newest first, following continue-as-new links back. */
async function runHistoryLengths(handle: Lifecycle): Promise<number[]> {
  const lengths: number[] = [];
  let runId: string | undefined = (await handle.describe()).runId;
  while (runId) {
    const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    lengths.push(history.events?.length ?? 0);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  }
  return lengths;
}

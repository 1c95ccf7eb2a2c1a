// Offboarding always ends (issue 21): a customer whose Vobiz account is gone offboards without stalling, and an
// operator's `offboard --force` ends an offboarding that Vobiz keeps refusing, recording what was left. The
// time-skipping server and the fake Vobiz (test/support/timeskip-lifecycle.ts), so stalls' timers take no real time.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { offboardUpdate, statusQuery } from '../../src/workflows/messages.js';
import { updateRejection } from '../support/temporal.js';
import { lifecycleCase, request, useTimeSkippingLifecycle, type Case } from '../support/timeskip-lifecycle.js';

useTimeSkippingLifecycle();

const withNumber = () => request({ telephony: { trunk: { name: 'Primary trunk' }, number: { country: 'IN' } } });
const kycDone = { kycScript: { 1: { status: 'kyc_completed' as const, afterMs: 0 } } };
const gone = (authId = 'MA_GONE') => () =>
  ApplicationFailure.create({
    type: 'VobizAccountGone',
    message: `the Vobiz account ${authId} does not exist any more (Vobiz GET /api/v1/partner/accounts/${authId} → 404 not_found)`,
    nonRetryable: true,
    details: [{ status: 404, code: 'not_found', authId }],
  });
const forbidden = () =>
  ApplicationFailure.create({ type: 'VobizForbidden', message: 'Vobiz DELETE /numbers → 403 forbidden: account does not own this number', nonRetryable: true, details: [{ status: 403 }] });

async function activeWithNumber(c: Case): Promise<string> {
  const active = await c.until((s) => s.stage === 'active' && s.telephony.numbers.length === 1, 'active with a number');
  return active.telephony.numbers[0]!;
}

describe('offboarding always ends', () => {
  it('an account gone at Vobiz (404 on its reads) ends each step that needs it as done, without a stall', async () => {
    await lifecycleCase({ input: withNumber(), fake: kycDone }, async (c) => {
      const e164 = await activeWithNumber(c);
      for (const name of ['releaseNumber', 'disableSipTrunk', 'readBalance'] as const) c.fake.failures.set(name, gone());
      await c.handle.executeUpdate(offboardUpdate, { args: [{ reason: 'account closed at Vobiz' }] });

      const done = await c.until((s) => s.stage === 'offboarded', 'offboarded', 30_000);
      expect(done.offboarding).toMatchObject({ accountGone: true });
      expect(done.offboarding?.left).toBeUndefined();
      expect(done.stall).toBeUndefined();
      expect(done.telephony).toMatchObject({ releasedNumbers: [e164], trunkDisabled: true });
      expect(done.reason).toBe('account closed at Vobiz (the Vobiz account was already gone)');
      // The first 404 settles it: the later steps that need the account are not tried.
      expect(c.fake.callsOf('releaseNumber')).toHaveLength(1);
      expect(c.fake.callsOf('disableSipTrunk')).toHaveLength(0);
      expect(c.fake.callsOf('readBalance')).toHaveLength(0);
      expect(await c.handle.result()).toMatchObject({ stage: 'offboarded', accountGone: true, numbersReleased: [e164] });
    });
  });

  it('offboard --force ends an offboarding stalled on a refusal: each step left is tried once more, and what fails is recorded', async () => {
    await lifecycleCase({ input: withNumber(), fake: kycDone }, async (c) => {
      const e164 = await activeWithNumber(c);
      c.fake.failures.set('releaseNumber', forbidden);
      c.fake.failures.set('readBalance', forbidden);
      await c.handle.executeUpdate(offboardUpdate, { args: [{ reason: 'contract ended' }] });
      const stalled = await c.until((s) => s.stage === 'offboarding' && Boolean(s.stall), 'offboarding stalled');
      expect(stalled.stall).toMatchObject({ step: 'offboarding', kind: 'credentials', type: 'VobizForbidden' });

      // A plain offboard cannot end it; the force can, once.
      expect(await updateRejection(c.handle.executeUpdate(offboardUpdate, { args: [{ reason: 'again' }] }))).toContain('the stage is offboarding');
      await c.handle.executeUpdate(offboardUpdate, { args: [{ reason: 'Vobiz support will release it', force: true }] });
      const summary = await c.handle.result();

      expect(summary).toMatchObject({ stage: 'offboarded', left: { numbers: [e164], balanceUnknown: true }, numbersReleased: [] });
      expect(summary.left?.trunkId).toBeUndefined(); // the trunk disabled fine: only what failed is left
      expect(summary.reason).toBe('contract ended (ended by offboard --force (Vobiz support will release it), leaving 1 number(s) not released, the balance unknown)');
      expect(c.fake.callsOf('disableSipTrunk')).toHaveLength(1);
      expect(c.fake.callsOf('readBalance')).toHaveLength(1); // tried once after the force, not stalled on
    });
  });

  it('a forced offboard from active still closes what it can, and leaves only what fails', async () => {
    await lifecycleCase({ input: withNumber(), fake: kycDone }, async (c) => {
      const e164 = await activeWithNumber(c);
      c.fake.failures.set('disableSipTrunk', forbidden);
      await c.handle.executeUpdate(offboardUpdate, { args: [{ reason: 'fraud', force: true }] });
      const summary = await c.handle.result();
      expect(summary).toMatchObject({ stage: 'offboarded', numbersReleased: [e164] });
      expect(summary.left).toEqual({ trunkId: (await c.handle.query(statusQuery)).telephony.trunkId });
      expect(summary.balanceAtOffboarding).toMatch(/^\d+\.\d{5} INR$/);
    });
  });
});

/**
 * The floor of the onboarding comparison: a workflow of the customer lifecycle's shape to `active` with nothing
 * else in it. The same stage upserts (VobizStage, so the bench counts both with the same visibility query), the
 * same activities in the same order as no-ops, and the same wait on a KYC signal or Update (what bridges send) with
 * a poll timer; then it stays
 * running in `active`, as a customer does. No zod, no codec, no summaries, no failure policy: what is left is what
 * Temporal costs, so `customerLifecycle / floor` says what the project's own code costs.
 *
 * Bundled on its own (bench/fleet/floor-worker.ts) and run on its own task queue, next to the real worker.
 */
import { condition, defineSignal, defineUpdate, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { STAGE } from '../../src/workflows/search-attributes.js';
import type { KycEventSignal } from '../../src/workflows/messages.js';
import type { FloorActivities } from './floor-activities.js';

export const floorKycEventSignal = defineSignal<[KycEventSignal]>('kycEvent');
const floorKycEventUpdate = defineUpdate<{ stage: string }, [KycEventSignal]>('kycEvent');

const { noop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/** The lifecycle's activities to `active`, in its order (a recorded customerLifecycle history has the same). */
const BEFORE_KYC = [
  ['account', 'createCustomerAccount'],
  ['funding', 'transferOpeningBalance'],
  ['kyc', 'openKycSession'],
  ['kyc', 'getKycSession'],
] as const;
const AFTER_KYC = [
  ['kyc', 'getKycSession'],
  ['telephony', 'createSipTrunk'],
] as const;

export async function benchFloor(): Promise<void> {
  let hinted = false;
  setHandler(floorKycEventSignal, () => {
    hinted = true;
  });
  setHandler(floorKycEventUpdate, () => {
    hinted = true;
    return { stage: 'kyc' };
  });
  let stage = '';
  const step = async (next: string, activity: string) => {
    if (next !== stage) upsertSearchAttributes([{ key: STAGE, value: (stage = next) }]);
    await noop(activity);
  };
  for (const [next, activity] of BEFORE_KYC) await step(next, activity);
  // The customer's wait: a signal, or the poll timer (the start API's default, 24 hours).
  while (!hinted) await condition(() => hinted, '24 hours');
  for (const [next, activity] of AFTER_KYC) await step(next, activity);
  upsertSearchAttributes([{ key: STAGE, value: 'active' }]);
  // A customer stays running in `active` (its usage polls); so does the floor, until the bench ends.
  await condition(() => false);
}

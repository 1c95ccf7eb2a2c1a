/** Telephony: the customer's SIP trunk, and the number the input asks for (an extra: its failure does not hold the customer). */
import { ApplicationFailure, isCancellation, log } from '@temporalio/workflow';
import type { NumberRequest } from '../input-types.js';
import { recordTimeToActive } from '../lifecycle-metrics.js';
import { requireAuthId, setStage, touch, type LifecycleRun } from '../run/context.js';
import { step } from '../steps/step.js';

/** Tries at picking a free inventory number when others are bought from under us. */
const NUMBER_PICK_TRIES = 5;

export async function provisionTelephony(run: LifecycleRun): Promise<void> {
  const { state, calls } = run;
  setStage(run, 'telephony');
  if (!state.telephony.trunkId) {
    const trunk = await step(
      run,
      'telephony',
      () =>
        calls.effect('createSipTrunk', 'Create SIP trunk', {
          authId: requireAuthId(state),
          workflowId: state.workflowId,
          trunk: run.input.telephony.trunk,
        }),
      { blockAs: 'telephony' },
    );
    state.telephony.trunkId = trunk.trunkId;
    state.telephony.trunkDomain = trunk.trunkDomain;
    touch(run);
  }
  const wanted = run.input.telephony.number;
  if (wanted && state.telephony.numbers.length === 0) {
    try {
      await buyNumber(run, wanted);
    } catch (err) {
      if (isCancellation(err)) throw err;
      // A number is an extra: the customer can go live without it and an operator can buy one later.
      log.warn('Could not buy the requested number', { error: err instanceof Error ? err.message : String(err) });
    }
  }
  setStage(run, 'active');
  recordTimeToActive(state.startedAt);
}

/** Picks a free inventory number and buys it; a number taken by someone else in between is skipped. */
export function buyNumber(run: LifecycleRun, request: NumberRequest): Promise<string> {
  const { state, calls } = run;
  return run.numberLock.runExclusive(async () => {
    const exclude: string[] = [...state.telephony.numbers];
    for (let i = 0; i < NUMBER_PICK_TRIES; i++) {
      const pick = await calls.read('pickInventoryNumber', 'Pick number', {
        authId: requireAuthId(state),
        country: request.country,
        ...(request.search ? { search: request.search } : {}),
        exclude,
      });
      if (!pick) break;
      const bought = await calls.effect('purchaseNumber', 'Buy number', { authId: requireAuthId(state), e164: pick.e164 });
      if (bought.status === 'unavailable' || state.telephony.numbers.includes(pick.e164)) {
        exclude.push(pick.e164);
        continue;
      }
      state.telephony.numbers.push(pick.e164);
      touch(run);
      return pick.e164;
    }
    throw ApplicationFailure.create({
      type: 'NoNumberAvailable',
      message: `No number available in inventory for country ${request.country}${request.search ? ` matching ${request.search}` : ''}`,
      nonRetryable: true,
    });
  });
}

/**
 * An operator releases one of the customer's numbers. The validator refuses what cannot be released (a number that
 * is not the customer's, one already released, any number once offboarding is asked for: offboarding releases them
 * all), so a refused request never reaches history. The release runs under the run's update lock, and offboarding
 * waits for running handlers before its own release loop, so a release raced with offboarding releases each number
 * once and leaves none owned.
 */
import type { ReleaseNumberArgs } from '../messages.js';
import { requireAuthId, touch, type LifecycleRun } from '../run/context.js';

export function validateReleaseNumber(run: LifecycleRun, args: ReleaseNumberArgs): void {
  const e164 = args?.e164;
  if (typeof e164 !== 'string') throw new Error('e164 must be a string');
  const { stage, telephony } = run.state;
  if (run.requests.offboard || stage === 'offboarding' || stage === 'offboarded') {
    throw new Error(`releaseNumber is not allowed: the customer is being offboarded (stage ${stage}), which releases every number`);
  }
  if (!telephony.numbers.includes(e164)) throw new Error(`${e164} is not one of this customer's numbers`);
  if (telephony.releasedNumbers.includes(e164)) throw new Error(`${e164} is already released`);
}

/** Releases the number at Vobiz (the activity finds one released before as done); only then is it the state's. */
export function releaseNumber(run: LifecycleRun, { e164 }: ReleaseNumberArgs): Promise<{ e164: string; alreadyReleased: boolean }> {
  return run.updateLock.runExclusive(async () => {
    const { state } = run;
    // A second request for the same number passed the validator while the first held the lock: it is done.
    if (state.telephony.releasedNumbers.includes(e164)) return { e164, alreadyReleased: true };
    const { alreadyReleased } = await run.calls.idempotentWrite('releaseNumber', 'Release number', { authId: requireAuthId(state), e164 });
    state.telephony.releasedNumbers.push(e164);
    touch(run);
    return { e164, alreadyReleased };
  });
}

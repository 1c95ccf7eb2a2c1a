/**
 * `offboard --force` (the offboard update with `force: true`): ends an offboarding that cannot finish, leaving what
 * fails once more (stages/offboarding-ends.ts). Asked while offboarding, where a plain offboard is refused; asked
 * before, it offboards as a plain one would, with the force already in place.
 */
import type { OffboardArgs, Stage } from '../messages.js';
import { TERMINAL_STAGES } from '../messages.js';
import { touch, type LifecycleRun } from '../run/context.js';

export function validateForcedOffboard(run: LifecycleRun): void {
  const { stage } = run.state;
  if (TERMINAL_STAGES.includes(stage)) throw new Error(`offboard --force is not allowed: the customer is already ${stage}`);
  if (run.requests.forceOffboard || run.state.offboarding?.forced) throw new Error('offboard --force was already requested');
}

export function requestForcedOffboard(run: LifecycleRun, args: OffboardArgs): { stage: Stage } {
  const force = { reason: args.reason.trim(), at: new Date().toISOString() };
  run.requests.forceOffboard = force;
  run.requests.offboard ??= { reason: force.reason };
  if (run.state.offboarding) {
    run.state.offboarding.forced = force;
    touch(run);
  }
  return { stage: 'offboarding' };
}

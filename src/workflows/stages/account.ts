/** The customer's Vobiz account: created (or adopted, when an earlier attempt made it), then on to funding. */
import { log, patched } from '@temporalio/workflow';
import { requireCustomer, setStage, type LifecycleRun } from '../run/context.js';
import { PATCH } from '../run/patches.js';
import { step } from '../steps/step.js';

export async function provisionAccount(run: LifecycleRun): Promise<void> {
  const { state, calls } = run;
  setStage(run, 'account');
  const claimOwnership = patched(PATCH.accountClaim);
  const account = await step(
    run,
    'account',
    () =>
      calls.effect('createCustomerAccount', 'Create account', {
        workflowId: state.workflowId,
        customer: requireCustomer(run),
        ...(claimOwnership ? { claimOwnership } : {}),
      }),
    { blockAs: 'account' },
  );
  state.authId = account.authId;
  log.info('Customer account ready', { authId: account.authId, adopted: account.adopted });
  setStage(run, 'funding');
}

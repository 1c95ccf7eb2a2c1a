/** The opening balance, moved from the partner's wallet to the customer's once, then on to KYC. */
import { log } from '@temporalio/workflow';
import { requireAuthId, setStage, type LifecycleRun } from '../run/context.js';
import { step } from '../steps/step.js';

export async function fund(run: LifecycleRun): Promise<void> {
  const { state, calls } = run;
  const { funding } = run.input;
  setStage(run, 'funding');
  const transfer = await step(
    run,
    'funding',
    () =>
      calls.effect('transferOpeningBalance', 'Fund account', {
        authId: requireAuthId(state),
        amount: funding.amount,
        currency: funding.currency,
        ...(funding.description ? { description: funding.description } : {}),
        // Written into the transfer's description, so a retry finds a transfer an earlier attempt made.
        intentToken: `lc:${state.workflowId}:opening-balance`,
      }),
    { blockAs: 'funding' },
  );
  state.funding = transfer;
  log.info('Opening balance transferred', { transactionId: transfer.transactionId, adopted: transfer.adopted });
  setStage(run, 'kyc');
}

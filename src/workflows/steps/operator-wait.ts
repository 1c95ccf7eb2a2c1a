/**
 * Waiting for an operator: a blocked step waits for `retry` (with corrected fields) or `offboard`, a KYC that ended
 * without success for `restartKyc` or `offboard`. Each wait is bounded: past OPERATOR_WAIT the customer is offboarded.
 */
import { condition } from '@temporalio/workflow';
import { awaitOperatorUntil } from '../bounded-wait.js';
import type { RetryCorrections } from '../input-structure.js';
import { OffboardRequested, setStage, type LifecycleRun } from '../run/context.js';
import { waitSummary } from '../visibility.js';
import { continueAsNewIfLong } from './continue-as-new.js';

/** How long a customer waits for an operator (after KYC ended without success, or a blocked step) before offboarding. */
export const OPERATOR_WAIT = '30 days';

/**
 * Waits for an operator's decision (`decided`) or an offboard request until the wait's deadline; false when the
 * deadline passed. The deadline is absolute and kept in the state, so a wait that continues-as-new (its history
 * grew past the bound while it waited) is resumed by the next run with the time it had left.
 */
export function awaitOperator(run: LifecycleRun, decided: () => boolean, what: string): Promise<boolean> {
  const done = () => decided() || Boolean(run.requests.offboard);
  const summary = waitSummary(run.state, what);
  if (!run.boundedWaits) return condition(done, OPERATOR_WAIT, { summary });
  return awaitOperatorUntil(run.state, done, { wait: OPERATOR_WAIT, summary, continueAsNew: () => continueAsNewIfLong(run) });
}

/** A blocked step's wait: `retry` applies the corrections and returns to the step's stage; `offboard` or the bound ends it. */
export async function waitForRetry(run: LifecycleRun): Promise<void> {
  const { state, requests } = run;
  const blocked = state.blocked!;
  setStage(run, 'blocked', `${blocked.step}: ${blocked.type}: ${blocked.reason}. Waiting for an operator to retry (with corrected fields) or offboard`);
  requests.retry = undefined;
  const decided = await awaitOperator(run, () => Boolean(requests.retry), 'Await operator: retry/offboard');
  if (!requests.offboard && !decided) {
    requests.offboard = { reason: `Blocked (${blocked.type}) with no operator decision within ${OPERATOR_WAIT}` };
  }
  if (requests.offboard) throw new OffboardRequested();
  applyCorrections(run, requests.retry ?? {});
  delete state.blocked;
  setStage(run, blocked.step);
}

function applyCorrections(run: LifecycleRun, corrections: RetryCorrections): void {
  const { input } = run;
  if (corrections.customer && input.customer) Object.assign(input.customer, corrections.customer);
  if (corrections.trunk) input.telephony.trunk = { ...input.telephony.trunk, ...corrections.trunk };
}

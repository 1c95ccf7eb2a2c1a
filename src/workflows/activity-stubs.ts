/**
 * The workflow's handles on its activities, in four classes of call, built per run from the run's input
 * (`vobizCalls`). Each class retries a few times on its own, fast, and then hands the failure to the workflow,
 * whose failure policy (failure-policy.ts) decides: block for an operator, or stall visibly and try again later. So
 * a Vobiz outage or a rotated token is seen in the customer's state within minutes, and nothing retries silently
 * for hours behind a 15-minute backoff.
 *
 * - `read`: changes nothing at Vobiz. 1 s doubling to 30 s, six attempts (about half a minute of waiting).
 * - `idempotentWrite`: changes something (at Vobiz: resend, revoke, release, disable; the account's claim: hand
 *   over), but doing it twice leaves what doing it once does, so it retries exactly as a read does.
 * - `effect` (account, transfer, KYC session, trunk, number purchase): Vobiz has no idempotency keys, so each effect
 *   activity looks for an earlier attempt's result before writing. A failed lookup retries inside the activity; a
 *   request that never reached Vobiz (connection refused) or a 429 retries fast. Only an *ambiguous* write (no
 *   answer, or a 5xx, after the request was sent) waits the settle delay (`advanced.effectSettleDelay`, default one
 *   minute): the activity asks for it with `nextRetryDelay`, so the retry's lookup runs after the earlier request
 *   has landed or died. The HTTP client gives up on a request after at most 35 s (5 s connect + 15 s headers +
 *   15 s body), and Vobiz's transfer is synchronous and atomic, so a minute covers it. A worker that dies mid-effect
 *   is noticed after the effect's startToCloseTimeout (`advanced.effectStartToCloseTimeout`, default one minute):
 *   longer than the lookups plus the client's 35 s, so the retry's lookup sees a request the dead worker left in
 *   flight. A request held inside Vobiz for longer than these windows cannot be seen by the lookup: docs/design.md §2.
 * - `notify`: an alert to the partner's own receiver, best effort.
 *
 * Reads, writes and effects run on the Vobiz task queue (task-queues.ts), whose workers hold the partner's rate
 * budget; alerts call the partner's own receiver, not Vobiz, and stay on the workflow's queue.
 */
import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { EffectInput, LifecycleActivities } from '../activities/types.js';
import { durationMs } from './duration.js';
import type { OnboardingInput } from './input-types.js';
import { vobizTaskQueue } from './task-queues.js';

const READ_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
};

/** startToCloseTimeout comes from the run's input (`advanced.effectStartToCloseTimeout`). */
const EFFECT_RETRY: ActivityOptions['retry'] = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 6 };

/** Alerts are best effort: a receiver that is down must not hold up monitoring for ever. */
const ALERT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};

type Name = keyof LifecycleActivities;
type Input<K extends Name> = Parameters<LifecycleActivities[K]>[0];
type Result<K extends Name> = Awaited<ReturnType<LifecycleActivities[K]>>;
/** Every activity takes one argument: its input. */
interface Handle<I, R> {
  executeWithOptions(options: ActivityOptions, args: [I]): Promise<R>;
}
type Handles = { [K in Name]: Handle<Input<K>, Result<K>> };
/** The activities whose input carries the settle delay (EffectInput). */
type EffectName = { [K in Name]: Input<K> extends EffectInput ? ('settleDelayMs' extends keyof Input<K> ? K : never) : never }[Name];

export interface VobizCalls {
  /** A call that changes nothing at Vobiz. */
  read<K extends Name>(name: K, summary: string, input: Input<K>): Promise<Result<K>>;
  /** A write that is naturally idempotent (resend, revoke, release, disable, hand over): retried as a read is. */
  idempotentWrite<K extends Name>(name: K, summary: string, input: Input<K>): Promise<Result<K>>;
  /** A side effect Vobiz cannot deduplicate: reconciled by the activity, which is told the settle delay to ask for. */
  effect<K extends EffectName>(name: K, summary: string, input: Input<K>): Promise<Result<K>>;
  /** An alert delivery: a few tries, then the workflow moves on (the alert stays in its state and logs). */
  notify<K extends Name>(name: K, summary: string, input: Input<K>): Promise<Result<K>>;
  /** The wait an ambiguous write asks for before its retry (`advanced.effectSettleDelay`). */
  readonly settleDelayMs: number;
}

/** The run's activity handles, with the options its input sets (`advanced`). Call inside the workflow. */
export function vobizCalls(advanced: OnboardingInput['advanced']): VobizCalls {
  const vobiz = { taskQueue: vobizTaskQueue(workflowInfo().taskQueue) };
  const reads: Handles = proxyActivities<LifecycleActivities>({ ...READ_OPTIONS, ...vobiz });
  const effects: Handles = proxyActivities<LifecycleActivities>({
    startToCloseTimeout: advanced.effectStartToCloseTimeout,
    retry: EFFECT_RETRY,
    ...vobiz,
  });
  const alerts: Handles = proxyActivities<LifecycleActivities>(ALERT_OPTIONS);
  const settleDelayMs = durationMs(advanced.effectSettleDelay);
  // The summary shows on the activity in the Web UI's timeline, so the history reads like the flow. Keep it short
  // and fixed ('Check KYC session'): it is an encrypted payload in every scheduled event, and the activity's input
  // already holds the per-run details.
  const call = <K extends Name>(handles: Handles, name: K, summary: string, input: Input<K>) => handles[name].executeWithOptions({ summary }, [input]);
  return {
    read: (name, summary, input) => call(reads, name, summary, input),
    idempotentWrite: (name, summary, input) => call(reads, name, summary, input),
    effect: (name, summary, input) => call(effects, name, summary, { ...input, settleDelayMs }),
    notify: (name, summary, input) => call(alerts, name, summary, input),
    settleDelayMs,
  };
}

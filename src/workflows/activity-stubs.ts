/**
 * The workflow's handles on its activities, in three retry classes. Each class retries a few times on its own, fast,
 * and then hands the failure to the workflow, whose failure policy (failure-policy.ts) decides: block for an
 * operator, or stall visibly and try again later. So a Vobiz outage or a rotated token is seen in the customer's
 * state within minutes, and nothing retries silently for hours behind a 15-minute backoff.
 *
 * - Reads and naturally idempotent calls: 1 s doubling to 30 s, six attempts (about half a minute of waiting).
 * - Effects (account, transfer, KYC session, trunk, number purchase): Vobiz has no idempotency keys, so each effect
 *   activity looks for an earlier attempt's result before writing. A failed lookup retries inside the activity; a
 *   request that never reached Vobiz (connection refused) or a 429 retries fast. Only an *ambiguous* write (no
 *   answer, or a 5xx, after the request was sent) waits the settle delay (`advanced.effectSettleDelay`, default one
 *   minute): the activity asks for it with `nextRetryDelay`, so the retry's lookup runs after the earlier request
 *   has landed or died. The HTTP client gives up on a request after at most 35 s (5 s connect + 15 s headers +
 *   15 s body), and Vobiz's transfer is synchronous and atomic, so a minute covers it.
 * - A worker that dies mid-effect is noticed after the effect's startToCloseTimeout (`advanced.effectStartToCloseTimeout`,
 *   default one minute): longer than the lookups plus the client's 35 s, so the retry's lookup sees a request the
 *   dead worker left in flight.
 * A request held inside Vobiz for longer than these windows cannot be seen by the lookup: docs/design.md §2.
 *
 * Reads and effects run on the Vobiz task queue (task-queues.ts), whose workers hold the partner's rate budget;
 * alerts call the partner's own receiver, not Vobiz, and stay on the workflow's queue.
 */
import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/types.js';
import { durationMs } from './duration.js';
import { vobizTaskQueue } from './task-queues.js';

const READ_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
};

let EFFECT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 6 },
};
let SETTLE_DELAY_MS = 60_000;

/** Sets the settle delay from the workflow input (`advanced.effectSettleDelay`); module state is per workflow run. */
export function setEffectSettleDelay(delay: string): void {
  SETTLE_DELAY_MS = durationMs(delay);
}

export function effectSettleDelayMs(): number {
  return SETTLE_DELAY_MS;
}

/** Sets an effect attempt's startToCloseTimeout from the input (`advanced.effectStartToCloseTimeout`). */
export function setEffectStartToCloseTimeout(timeout: string): void {
  EFFECT_OPTIONS = { ...EFFECT_OPTIONS, startToCloseTimeout: timeout };
}

/** Alerts are best effort: a receiver that is down must not hold up monitoring for ever. */
const ALERT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};

const stubs = proxyActivities<LifecycleActivities>(READ_OPTIONS);

type Name = keyof LifecycleActivities;
type Args<K extends Name> = Parameters<LifecycleActivities[K]>;
type Result<K extends Name> = Awaited<ReturnType<LifecycleActivities[K]>>;

function call<K extends Name>(options: ActivityOptions, name: K, summary: string, args: Args<K>, callsVobiz = true): Promise<Result<K>> {
  // The summary shows on the activity in the Web UI's timeline, so the history reads like the flow. Keep it short
  // and fixed ('Check KYC session'): it is an encrypted payload in every scheduled event, and the activity's input
  // already holds the per-run details.
  const stub = stubs[name] as unknown as { executeWithOptions(o: ActivityOptions, a: Args<K>): Promise<Result<K>> };
  const taskQueue = callsVobiz ? { taskQueue: vobizTaskQueue(workflowInfo().taskQueue) } : {};
  return stub.executeWithOptions({ ...options, ...taskQueue, summary }, args);
}

/** A read or an idempotent call (GET, resend, revoke, release, disable). */
export function read<K extends Name>(name: K, summary: string, ...args: Args<K>): Promise<Result<K>> {
  return call(READ_OPTIONS, name, summary, args);
}

/** An alert delivery: a few tries, then the workflow moves on (the alert stays in its state and logs). */
export function notify<K extends Name>(name: K, summary: string, ...args: Args<K>): Promise<Result<K>> {
  return call(ALERT_OPTIONS, name, summary, args, false);
}

/** A side effect Vobiz cannot deduplicate: reconciled by the activity, which is told the settle delay to ask for. */
export function effect<K extends Name>(name: K, summary: string, ...args: Args<K>): Promise<Result<K>> {
  const [first, ...rest] = args;
  const withSettle = [{ ...(first as object), settleDelayMs: SETTLE_DELAY_MS }, ...rest] as unknown as Args<K>;
  return call(EFFECT_OPTIONS, name, summary, withSettle);
}

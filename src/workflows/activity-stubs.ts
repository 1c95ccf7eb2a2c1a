/**
 * The workflow's handles on its activities, in two retry classes.
 *
 * - Reads and naturally idempotent calls retry fast.
 * - Effects (account, transfer, KYC session, trunk, number purchase) retry slowly. Vobiz has no idempotency keys,
 *   so each effect activity first looks for an earlier attempt's result and adopts it. That lookup is only as good
 *   as the ledger it reads: a request whose response was lost may still be in flight at Vobiz. The first retry
 *   therefore waits one minute. The HTTP client gives up on a request after at most 35 s (5 s connect + 15 s
 *   headers + 15 s body), and Vobiz's transfer is synchronous and atomic (no pending state), so a request it is
 *   still working on when we give up has landed, or failed for good, well within that minute. A request held up
 *   longer than that inside Vobiz cannot be seen by the lookup: the design document spells out that limit.
 *   A worker that dies mid-call is noticed after startToCloseTimeout (2 minutes by default,
 *   `advanced.effectStartToCloseTimeout`), which gives the same margin.
 */
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/types.js';

const READ_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

let EFFECT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '15 minutes' },
};

/** Sets the settle delay from the workflow input (`advanced.effectSettleDelay`); module state is per workflow run. */
export function setEffectSettleDelay(delay: string): void {
  EFFECT_OPTIONS = { ...EFFECT_OPTIONS, retry: { ...EFFECT_OPTIONS.retry, initialInterval: delay } };
}

/** Sets an effect attempt's startToCloseTimeout from the input (`advanced.effectStartToCloseTimeout`, default 2 minutes). */
export function setEffectStartToCloseTimeout(timeout: string): void {
  EFFECT_OPTIONS = { ...EFFECT_OPTIONS, startToCloseTimeout: timeout };
}

/** Alerts are best effort: a receiver that is down must not hold up monitoring for ever. */
const ALERT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};

const reads = proxyActivities<LifecycleActivities>(READ_OPTIONS);
const effects = proxyActivities<LifecycleActivities>(EFFECT_OPTIONS);

type Name = keyof LifecycleActivities;
type Args<K extends Name> = Parameters<LifecycleActivities[K]>;
type Result<K extends Name> = Awaited<ReturnType<LifecycleActivities[K]>>;

function call<K extends Name>(
  stubs: typeof reads,
  options: ActivityOptions,
  name: K,
  summary: string,
  args: Args<K>,
): Promise<Result<K>> {
  // The summary shows on the activity in the Web UI's timeline, so the history reads like the flow.
  const stub = stubs[name] as unknown as { executeWithOptions(o: ActivityOptions, a: Args<K>): Promise<Result<K>> };
  return stub.executeWithOptions({ ...options, summary }, args);
}

/** A read or an idempotent call (GET, resend, revoke, release, disable). */
export function read<K extends Name>(name: K, summary: string, ...args: Args<K>): Promise<Result<K>> {
  return call(reads, READ_OPTIONS, name, summary, args);
}

/** An alert delivery: a few tries, then the workflow moves on (the alert stays in its state and logs). */
export function notify<K extends Name>(name: K, summary: string, ...args: Args<K>): Promise<Result<K>> {
  return call(reads, ALERT_OPTIONS, name, summary, args);
}

/** A side effect Vobiz cannot deduplicate: reconciled by the activity, retried only after the settle delay. */
export function effect<K extends Name>(name: K, summary: string, ...args: Args<K>): Promise<Result<K>> {
  return call(effects, EFFECT_OPTIONS, name, summary, args);
}

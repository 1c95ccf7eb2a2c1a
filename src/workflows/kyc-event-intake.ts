/**
 * Which KYC webhook events the workflow takes in through the `kycEvent` Update. The validator below runs before the
 * Update is accepted, and a refused Update writes nothing to history: an event that cannot change anything (a
 * duplicate, another account's, one for a session the customer is not waiting on) is dropped at no cost to the
 * customer's history, however often it is delivered. Pure: no I/O, only the workflow's own view of its state.
 */
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { KYC_EVENTS, KYC_EVENT_REJECTIONS, kycEventUpdate, type KycEventRejection, type KycEventSignal, type Stage } from './messages.js';

/** What the validator looks at: the workflow's state, read-only. */
export interface KycIntakeView {
  stage: Stage;
  authId?: string | undefined;
  /** The session of the open KYC attempt, if one is open. */
  openSessionId?: string | undefined;
  /** Event keys this run (and the runs before it, up to the number carried) already took. */
  seenEventKeys: ReadonlySet<string>;
}

const MAX_TEXT = 200;
const isText = (value: unknown, max = MAX_TEXT): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/** Why `event` must not be taken in, or undefined when it is a hint for the session the customer waits on. */
export function kycEventRejection(event: unknown, view: KycIntakeView): { reason: KycEventRejection; message: string } | undefined {
  const e = event as Partial<KycEventSignal> | null | undefined;
  if (
    typeof e !== 'object' ||
    e === null ||
    !isText(e.eventKey) ||
    !isText(e.sessionId) ||
    !(KYC_EVENTS as readonly unknown[]).includes(e.event) ||
    !isText(e.accountAuthId) ||
    !isText(e.receivedAt, 64)
  ) {
    return { reason: 'invalid', message: 'a kycEvent needs eventKey, event (a KYC event), sessionId, accountAuthId and receivedAt' };
  }
  if (view.seenEventKeys.has(e.eventKey)) return { reason: 'duplicate', message: 'this event was already taken in' };
  if (e.accountAuthId !== view.authId) return { reason: 'otherAccount', message: 'the event names another Vobiz account than the customer\'s' };
  if (view.stage !== 'kyc' || !view.openSessionId || view.openSessionId !== e.sessionId) {
    return { reason: 'notWaiting', message: `the customer is not waiting on this session (stage ${view.stage})` };
  }
  return undefined;
}

/** The Update's validator: throws the typed refusal the bridge reads (KYC_EVENT_REJECTIONS). */
export function refuseUnwantedKycEvent(event: unknown, view: KycIntakeView): void {
  const rejection = kycEventRejection(event, view);
  if (rejection) throw ApplicationFailure.create({ type: KYC_EVENT_REJECTIONS[rejection.reason], message: rejection.message, nonRetryable: true });
}

/**
 * Registers the `kycEvent` Update: `view` is the workflow's state as the validator sees it, `take` takes an accepted
 * event in and returns the stage the workflow is in (the Update's answer).
 */
export function handleKycEventUpdates(view: () => KycIntakeView, take: (event: KycEventSignal) => Stage): void {
  setHandler(kycEventUpdate, (event) => ({ stage: take(event) }), { validator: (event: KycEventSignal) => refuseUnwantedKycEvent(event, view()) });
}

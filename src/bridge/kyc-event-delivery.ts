/**
 * Handing one KYC event to its workflow: the `kycEvent` Update, whose validator refuses (without writing history)
 * an event the workflow has already taken, one naming another account and one it is not waiting on. The update ID
 * comes from the event key, so copies of one delivery arriving at several bridges at once attach to one Update.
 *
 * What Temporal answers, and what it becomes (checked against the dev server, docs/bridge.md):
 * - accepted → `delivered`;
 * - refused by the validator → `refused` with the reason (`KycEventDuplicate` …: KYC_EVENT_REJECTIONS);
 * - "No registered handler for update" → a worker from before the Update (a rolling deploy): the event is sent as
 *   the `kycEvent` signal instead, as bridges did before → `signalled`;
 * - no such workflow, or it closed → `workflow_not_found`;
 * - no worker answering before the deadline → the call fails as Temporal unavailable (the route answers 503), as
 *   does a signal the server refuses because the run reached its cap on signals (it continues as new soon).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { withDeadline } from '../onboarding/temporal-calls.js';
import { temporalUnavailable } from './http-errors.js';
import {
  KYC_EVENT_REJECTIONS,
  kycEventSignal,
  kycEventUpdate,
  kycEventUpdateId,
  type KycEventRejection,
  type KycEventSignal,
} from '../workflows/messages.js';

export type KycEventDelivery =
  | { kind: 'delivered' }
  | { kind: 'signalled' }
  | { kind: 'refused'; reason: KycEventRejection | 'unexpected'; type: string }
  | { kind: 'workflow_not_found' };

/** The SDK's rejection of an Update the workflow has no handler for (internals.js `rejectBufferedUpdates`). */
const NO_HANDLER = 'No registered handler for update';
const REASON_BY_TYPE = new Map(Object.entries(KYC_EVENT_REJECTIONS).map(([reason, type]) => [type as string, reason as KycEventRejection]));

export async function deliverKycEvent(client: Client, timeoutMs: number, workflowId: string, event: KycEventSignal): Promise<KycEventDelivery> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    await withDeadline(client, timeoutMs, () => handle.executeUpdate(kycEventUpdate, { args: [event], updateId: kycEventUpdateId(event.eventKey) }));
    return { kind: 'delivered' };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { kind: 'workflow_not_found' };
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.message.startsWith(NO_HANDLER)) {
      try {
        await withDeadline(client, timeoutMs, () => handle.signal(kycEventSignal, event));
      } catch (signalErr) {
        if (signalErr instanceof WorkflowNotFoundError) return { kind: 'workflow_not_found' };
        // The server caps signals per run (10,000 by default): the run continues as new soon, so Vobiz retries then.
        if (/limit for signal events/.test(String((signalErr as { cause?: Error }).cause?.message))) throw temporalUnavailable();
        throw signalErr;
      }
      return { kind: 'signalled' };
    }
    const type = cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : (cause?.name ?? 'unknown');
    return { kind: 'refused', reason: REASON_BY_TYPE.get(type) ?? 'unexpected', type };
  }
}

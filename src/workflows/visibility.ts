/**
 * What operators see without querying: search attributes (stage, KYC status, Vobiz auth ID, why a step is stalled —
 * never personal data, since search attributes are not encrypted) and the markdown "current details" in the Web UI.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { LifecycleState } from './messages.js';
import { AUTH_ID, KYC_STATUS, STAGE, STALLED } from './search-attributes.js';

/**
 * A run's publisher of its state: upserts the search attributes that changed since its last call, and the details.
 * What was published is the run's own: a run continued-as-new publishes its stage again.
 */
export function stagePublisher(): (state: LifecycleState) => void {
  let published = { stage: '', kycStatus: '', authId: '', stalled: '' };
  return (state) => {
    const next = { stage: state.stage, kycStatus: state.kyc.status ?? '', authId: state.authId ?? '', stalled: state.stall?.kind ?? '' };
    // Each upsert is a history event: write only what changed.
    const updates = [];
    if (next.stage !== published.stage) updates.push({ key: STAGE, value: next.stage });
    if (next.kycStatus !== published.kycStatus && next.kycStatus) updates.push({ key: KYC_STATUS, value: next.kycStatus });
    if (next.authId !== published.authId && next.authId) updates.push({ key: AUTH_ID, value: next.authId });
    // Cleared to "" (not removed) once the step recovers, so `VobizStalled != ""` lists exactly the stalled customers.
    if (next.stalled !== published.stalled) updates.push({ key: STALLED, value: next.stalled });
    if (updates.length > 0) upsertSearchAttributes(updates);
    published = next;
    setCurrentDetails(renderDetails(state));
  };
}

/** Longest wait summary: the UI shows the first part in the event list and the whole on the event. */
const WAIT_SUMMARY_CHARS = 400;

/**
 * A wait's summary: what it waits for, then the customer's stage, KYC status and, when it waits on someone, why.
 * The Web UI shows each event's summary in the event list and on the timeline, the first things it shows of a
 * workflow, and a waiting customer's wait is its newest timer, near the top of that list: so an operator reads
 * there, without opening any tab, that `customer-acme-1` is blocked at account by `VobizValidationError` on `country`. Summaries are user
 * metadata, encrypted like any payload and not compared on replay, so they may say more than a fixed word.
 */
export function waitSummary(state: LifecycleState, what: string): string {
  const kyc = state.kyc.status ? `, KYC ${state.kyc.status}` : '';
  const attempt = state.kyc.attempts.at(-1);
  const attempts = attempt && !attempt.outcome ? ` (attempt ${attempt.attempt}/${state.kyc.attemptsAllowed})` : '';
  const summary = `${what} · stage ${state.stage}${kyc}${attempts}${waitReason(state)}`;
  return summary.length > WAIT_SUMMARY_CHARS ? `${summary.slice(0, WAIT_SUMMARY_CHARS - 1)}…` : summary;
}

function waitReason(state: LifecycleState): string {
  if (state.stall) return ` · stalled at ${state.stall.step} (${state.stall.kind}, ${state.stall.type}): ${state.stall.reason}`;
  if (state.blocked) return ` · blocked at ${state.blocked.step} (${state.blocked.type}): ${state.blocked.reason}`;
  return state.reason ? ` · ${state.reason}` : '';
}

function renderDetails(state: LifecycleState): string {
  const lines = [`**Stage:** ${state.stage}${state.reason ? ` — ${state.reason}` : ''}`];
  if (state.stall) {
    lines.push(
      `**Stalled since ${state.stall.since}:** ${state.stall.step} retrying by itself (${state.stall.kind}, ${state.stall.type}, ` +
        `${state.stall.rounds} round(s)): ${state.stall.reason}`,
    );
  }
  if (state.authId) lines.push(`**Vobiz account:** ${state.authId}`);
  if (state.funding) lines.push(`**Opening balance:** ${state.funding.amount} ${state.funding.currency} (${state.funding.transactionId})`);
  const attempt = state.kyc.attempts.at(-1);
  if (attempt) {
    lines.push(
      `**KYC:** attempt ${attempt.attempt}/${state.kyc.attemptsAllowed}, session ${attempt.sessionId}, ` +
        `status ${state.kyc.status ?? 'unknown'}${attempt.outcome ? `, ${attempt.outcome}` : `, expires ${attempt.expiresAt}`}; ` +
        `reminders sent: ${state.kyc.remindersSent.filter((r) => r.attempt === attempt.attempt).length}`,
    );
  }
  if (state.telephony.trunkId) lines.push(`**Trunk:** ${state.telephony.trunkDomain ?? state.telephony.trunkId}`);
  if (state.telephony.numbers.length) lines.push(`**Numbers:** ${state.telephony.numbers.length}`);
  const last = state.usage?.last;
  if (last) {
    lines.push(
      `**Usage (last poll ${last.polledAt}):** ${last.window.calls} calls, answer rate ${Math.round(last.window.answerRate * 100)}%, ` +
        `balance ${last.balance} ${last.currency}`,
    );
  }
  return lines.join('\n\n');
}

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

/** Alerts to the partner's own receiver: low balance, a jump in failed calls, a step stalled or blocked. Best effort. */
import { isCancellation, log } from '@temporalio/workflow';
import type { AlertRecord } from '../messages.js';
import type { LifecycleRun } from './context.js';

/** How many usage alerts the state keeps (the newest). */
const ALERTS_KEPT = 50;

/** Records a usage alert in the state and delivers it; a delivery that fails is logged, and the workflow goes on. */
export async function sendAlert(run: LifecycleRun, alert: Pick<AlertRecord, 'kind' | 'detail'>): Promise<void> {
  const record = { ...alert, at: new Date().toISOString() };
  const usage = run.state.usage;
  if (usage && alert.kind !== 'stalled' && alert.kind !== 'blocked') {
    usage.alerts.push(record);
    if (usage.alerts.length > ALERTS_KEPT) usage.alerts.shift();
  }
  try {
    await run.calls.notify('sendAlert', 'Send alert', {
      workflowId: run.state.workflowId,
      authId: run.state.authId ?? '',
      alert: record,
      ...(run.input.monitoring.alertWebhookUrl ? { webhookUrl: run.input.monitoring.alertWebhookUrl } : {}),
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('Alert could not be delivered', { alert: alert.kind, error: err instanceof Error ? err.message : String(err) });
  }
}

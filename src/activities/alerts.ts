/**
 * Alerts: always a structured warning log line; also a JSON POST to the customer's alert webhook when one is
 * configured. Alerts are at-least-once: a retry after a lost response may deliver one twice, which a receiver
 * can dedupe on (workflowId, kind, at).
 */
import { log } from '@temporalio/activity';
import { request } from 'undici';
import { callOptions, type ActivityDeps } from './deps.js';
import type { SendAlertInput } from './types.js';

export function alertActivities({ settings }: ActivityDeps) {
  return {
    async sendAlert({ workflowId, authId, alert, webhookUrl }: SendAlertInput): Promise<void> {
      log.warn('Customer alert', { alert: alert.kind, detail: alert.detail, workflowId, authId });
      if (!webhookUrl) return;
      const response = await request(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workflowId, authId, ...alert }),
        headersTimeout: settings.alertTimeoutMs,
        bodyTimeout: settings.alertTimeoutMs,
        signal: callOptions().signal,
      });
      await response.body.dump();
      if (response.statusCode >= 300) {
        throw new Error(`Alert webhook answered ${response.statusCode}`);
      }
    },
  };
}

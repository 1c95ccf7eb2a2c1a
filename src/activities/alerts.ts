/**
 * Alerts: always a structured warning log line; also a JSON POST to the customer's alert webhook when one is
 * configured. Alerts are at-least-once: a retry after a lost response may deliver one twice, which a receiver
 * can dedupe on (workflowId, kind, at).
 *
 * The webhook's URL came from a start-API caller, so the worker treats it as hostile (src/net/outbound-target.ts):
 * the edge refused internal targets already, and every send checks again, after DNS, connecting only to the
 * addresses it checked. No redirect is followed (a public receiver must not bounce the worker inward), and each
 * phase has a short timeout. A refused target fails the alert for good, with the reason: retrying cannot help.
 */
import { log } from '@temporalio/activity';
import { Agent, request } from 'undici';
import { checkedLookup, findRefusal, OutboundTargetRefused, urlProblem, type OutboundTargetPolicy, type ResolveHost } from '../net/outbound-target.js';
import { STRICTEST_ONBOARDING, callOptions, type ActivityDeps } from './deps.js';
import { failure } from './failures.js';
import type { SendAlertInput } from './types.js';

/** A receiver that has not accepted the connection in this long is not there. */
const CONNECT_TIMEOUT_MS = 3_000;

export interface AlertDelivery {
  policy: OutboundTargetPolicy;
  /** Waiting for the answer's headers, and then for its body. */
  timeoutMs: number;
  resolve?: ResolveHost;
}

/**
 * An undici dispatcher for alert webhooks: every connection resolves its host through `checkedLookup`, so the
 * address checked is the address dialled; nothing follows redirects (undici does not unless told to).
 */
export function alertDispatcher({ policy, timeoutMs, resolve }: AlertDelivery): Agent {
  return new Agent({
    connect: { lookup: checkedLookup(policy, resolve), timeout: CONNECT_TIMEOUT_MS },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}

/**
 * POSTs `body` to `url` through `dispatcher` (from `alertDispatcher`). Throws OutboundTargetRefused when the URL or
 * its addresses are refused, or when the receiver answers with a redirect; an Error for another non-2xx answer.
 */
export async function postAlert(url: string, body: unknown, dispatcher: Agent, delivery: AlertDelivery, signal?: AbortSignal): Promise<void> {
  const problem = urlProblem(url, delivery.policy);
  if (problem) throw new OutboundTargetRefused(problem);
  let response;
  try {
    response = await request(url, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      // A fresh connection, and so a fresh checked lookup, for every alert: nothing pooled outlives its check.
      reset: true,
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    throw findRefusal(err) ?? err;
  }
  await response.body.dump();
  if (response.statusCode >= 300 && response.statusCode < 400) {
    throw new OutboundTargetRefused(`answered ${response.statusCode} (a redirect): redirects are not followed`);
  }
  if (response.statusCode >= 300) throw new Error(`Alert webhook answered ${response.statusCode}`);
}

export function alertActivities({ settings }: ActivityDeps) {
  const onboarding = settings.onboarding ?? STRICTEST_ONBOARDING;
  const delivery: AlertDelivery = {
    policy: { httpsOnly: onboarding.production, allowLoopback: onboarding.allowLoopbackAlertWebhooks },
    timeoutMs: settings.alertTimeoutMs,
    ...(settings.resolveAlertHost ? { resolve: settings.resolveAlertHost } : {}),
  };
  const dispatcher = alertDispatcher(delivery);
  return {
    async sendAlert({ workflowId, authId, alert, webhookUrl }: SendAlertInput): Promise<void> {
      log.warn('Customer alert', { alert: alert.kind, detail: alert.detail, workflowId, authId });
      if (!webhookUrl) return;
      try {
        await postAlert(webhookUrl, { workflowId, authId, ...alert }, dispatcher, delivery, callOptions().signal);
      } catch (err) {
        if (!(err instanceof OutboundTargetRefused)) throw err;
        // The URL never appears here: it may carry a token. The rule names what was refused.
        throw failure('AlertWebhookRefused', `monitoring.alertWebhookUrl ${err.rule}; the alert was not sent`);
      }
    },
  };
}

/**
 * The worker's own checks, for input that reached it without the edge (started on Temporal directly, or under an
 * edge with other settings), on the dev server with the real activities and the sandbox:
 * - an opening balance over the worker's cap blocks the customer with the cap named, and no money moves;
 * - an alert webhook whose name resolves to loopback is refused when the alert is sent (the connection's own DNS
 *   lookup: a test resolver stands in for a hostile record), once, without a retry, and the receiver gets nothing;
 *   with the development allowance the same alert reaches it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OnboardingConfig } from '../../src/config/onboarding-limits.js';
import type { ResolveHost } from '../../src/net/outbound-target.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { offboardUpdate } from '../../src/workflows/messages.js';
import { countEffects } from '../support/effects.js';
import { waitFor } from '../support/crash.js';
import { onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

const EventType = temporal.api.enums.v1.EventType;
const PARTNER_TOKEN = 'test-partner-token';
const development: OnboardingConfig = { production: false, maxOpeningBalance: '1000.00000', allowLoopbackAlertWebhooks: false };
/** Every name resolves to the loopback receiver, as a hostile DNS record (or a rebinding) would make it. */
const toLoopback: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];

/** The sendAlert attempts in the workflow's history: each one's start attempt and how it ended. */
async function alertAttempts(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Set(
    events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendAlert').map((e) => String(e.eventId)),
  );
  const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)));
  const failed = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED && scheduled.has(String(e.activityTaskFailedEventAttributes?.scheduledEventId)));
  const completed = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && scheduled.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
  return {
    attempts: started.map((e) => e.activityTaskStartedEventAttributes?.attempt),
    failures: failed.map((e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo),
    completed: completed.length,
  };
}

describe('the worker checks again before it acts', () => {
  let rig: LifecycleRig;
  let receiver: Server;
  let port: number;
  const received: { method?: string; url?: string; body: string }[] = [];

  beforeAll(async () => {
    rig = await startLifecycleRig();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, body });
        res.writeHead(204).end();
      });
    });
    port = await new Promise<number>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve((receiver.address() as AddressInfo).port)));
  });
  afterEach(async () => {
    await rig.sandbox.admin.rotatePartnerToken(PARTNER_TOKEN);
    await rig.stopWorker();
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await rig?.close();
  });

  it('an opening balance over the worker cap blocks the customer with the cap named; nothing is transferred', { timeout: 120_000 }, async () => {
    await rig.startWorker({ onboarding: development });
    const request = onboardingRequest({ funding: { amount: 999_999_999_999, currency: 'INR' } });
    const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
    const blocked = await waitForState(handle, (s) => s.stage === 'blocked', { what: 'blocked at funding' });
    expect(blocked.blocked).toMatchObject({ step: 'funding', type: 'OpeningBalanceOverCap' });
    expect(blocked.blocked?.reason).toContain('The opening balance 999999999999.00000 INR is over the cap of 1000.00000 per customer (ONBOARDING_MAX_OPENING_BALANCE');
    expect(blocked.stall).toBeUndefined();
    expect(await countEffects(rig.vobiz, request.customer.email, blocked.authId)).toMatchObject({ accounts: 1, transfers: 0 });
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
  });

  /** A customer whose account creation is refused (the partner token was rotated): it stalls and sends one alert. */
  async function stallWithAlert(alertWebhookUrl: string): Promise<WorkflowHandle> {
    await rig.sandbox.admin.rotatePartnerToken('rotated-token-the-worker-does-not-have');
    const request = onboardingRequest({ monitoring: { cdrPollInterval: '2 seconds', lowBalanceThreshold: '100', alertWebhookUrl } });
    return rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
  }

  it('an alert webhook whose name resolves to loopback is refused at send time, once, naming the rule; the receiver gets nothing', { timeout: 120_000 }, async () => {
    await rig.startWorker({ onboarding: development, resolveAlertHost: toLoopback });
    received.length = 0;
    const handle = await stallWithAlert(`http://alerts.partner.example:${port}/hook`);
    const { failures, attempts } = await waitFor(async () => {
      const seen = await alertAttempts(handle);
      return seen.failures.length > 0 ? seen : undefined;
    }, { what: 'the stalled alert to fail', timeoutMs: 60_000 });
    expect(failures).toEqual([expect.objectContaining({ type: 'AlertWebhookRefused', nonRetryable: true })]);
    expect(attempts).toEqual([1]);
    expect(received).toHaveLength(0);
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
  });

  it('with the development allowance the same alert reaches the loopback receiver', { timeout: 120_000 }, async () => {
    await rig.startWorker({ onboarding: { ...development, allowLoopbackAlertWebhooks: true }, resolveAlertHost: toLoopback });
    received.length = 0;
    const handle = await stallWithAlert(`http://alerts.partner.example:${port}/hook`);
    await waitFor(async () => (await alertAttempts(handle)).completed > 0, { what: 'the stalled alert to be delivered', timeoutMs: 60_000 });
    expect(received).toEqual([expect.objectContaining({ method: 'POST', url: '/hook' })]);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ workflowId: handle.workflowId, kind: 'stalled' });
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
  });
});

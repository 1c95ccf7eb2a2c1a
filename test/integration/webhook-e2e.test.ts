// The KYC result travels the real way: the sandbox signs and POSTs the webhook, the bridge verifies it and sends
// the kycEvent Update, and the workflow (whose KYC poll interval is an hour) advances because of it alone. A
// delivery naming another Vobiz account costs the bridge one Temporal call, and the workflow's validator refuses
// it without a history event.
import { createHmac } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { request as httpRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RunningBridge } from '../../src/bridge/server.js';
import { loadBridgeConfig } from '../../src/config/bridge.js';
import { createLogger } from '../../src/logging.js';
import { TEST_PARTNER } from '../../sandbox/testing.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { countedClient, type CountedClient } from '../support/grpc-calls.js';
import { atStage, onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

describe('sandbox webhook → bridge → workflow', () => {
  let rig: LifecycleRig;
  let bridge: RunningBridge;
  let bridgeClient: CountedClient;

  beforeAll(async () => {
    rig = await startLifecycleRig();
    bridgeClient = await countedClient(rig.server.namespace);
    const base = loadBridgeConfig({ BRIDGE_METRICS: 'false' });
    bridge = await startBridge({
      config: { ...base, bridge: { ...base.bridge, port: 0, webhookSecrets: [TEST_PARTNER.authToken] }, temporal: { ...base.temporal, taskQueue: rig.taskQueue } },
      client: bridgeClient.client,
      logger: createLogger({ level: 'silent' }),
    });
    await rig.startWorker({ kycWebhookUrl: `${bridge.url}/webhooks/vobiz/kyc` });
  });
  afterAll(async () => {
    await bridge?.close();
    await bridgeClient?.close();
    await rig?.close();
  });

  it('a delivery naming another account: one Temporal call, 200, refused by the workflow (state and history unchanged)', async () => {
    const request = onboardingRequest({ kyc: { pollInterval: '1 hour' } });
    const workflowId = workflowIdFor(request.customerRef);
    const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId, args: [request] });
    const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1);
    await settled(handle); // the session's first confirmation done: nothing else happens for an hour
    const before = await handle.query(statusQuery);
    const eventsBefore = (await handle.fetchHistory()).events!.length;

    const body = JSON.stringify({
      event: 'kyc.completed',
      session_id: kyc.kyc.attempts[0]!.sessionId,
      account_auth_id: 'MA_OTHERACC',
      status: 'kyc_completed',
      timestamp: new Date().toISOString(),
      metadata: { workflowId, attempt: 1 },
    });
    const signature = `sha256=${createHmac('sha256', TEST_PARTNER.authToken).update(body).digest('hex')}`;
    bridgeClient.reset();
    const res = await httpRequest(`${bridge.url}/webhooks/vobiz/kyc`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-vobiz-signature': signature } });
    expect({ status: res.statusCode, body: await res.body.json() }).toEqual({ status: 200, body: { ok: true, ignored: 'other_account' } });
    expect(bridgeClient.calls).toEqual(['UpdateWorkflowExecution']);
    expect(await handle.query(statusQuery)).toEqual(before);
    expect((await handle.fetchHistory()).events!.length).toBe(eventsBefore);
    await handle.terminate('test over');
  });

  it('a signed kyc.completed webhook moves the customer to active without waiting for a poll', async () => {
    const request = onboardingRequest({ kyc: { pollInterval: '1 hour' } });
    const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
    const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1);
    const sessionId = kyc.kyc.attempts[0]!.sessionId;

    await rig.sandbox.admin.completeKyc(sessionId, { pan: 'ABCPE1234F' });
    const active = await waitForState(handle, atStage('active'), { timeoutMs: 30_000, what: 'active after the webhook' });
    expect(active.kyc.eventsSeen).toBeGreaterThanOrEqual(1);

    const deliveries = (await rig.sandbox.admin.webhookDeliveries()).filter((d) => d.session_id === sessionId && d.event === 'kyc.completed');
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 'delivered', last_status_code: 200 });
  });
});

/** Waits until the workflow has no task or activity in flight and has confirmed its KYC session once. */
async function settled(handle: WorkflowHandle): Promise<void> {
  await eventually(async () => {
    const { raw } = await handle.describe();
    if (raw.pendingActivities?.length || raw.pendingWorkflowTask) return undefined;
    const history = await handle.fetchHistory();
    return history.events?.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'getKycSession') || undefined;
  });
}

/** Polls `probe` (real work under way: a task, a log line) until it yields a value, for at most 15 s. */
async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

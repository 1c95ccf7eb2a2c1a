// The KYC result travels the real way: the sandbox signs and POSTs the webhook, the bridge verifies it and
// signals, and the workflow (whose KYC poll interval is an hour) advances because of the signal alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RunningBridge } from '../../src/bridge/server.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { TEST_PARTNER } from '../../src/sandbox/testing.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { atStage, onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

describe('sandbox webhook → bridge → workflow', () => {
  let rig: LifecycleRig;
  let bridge: RunningBridge;

  beforeAll(async () => {
    rig = await startLifecycleRig();
    const base = loadConfig({});
    bridge = await startBridge({
      config: { ...base, bridge: { ...base.bridge, port: 0, webhookSecrets: [TEST_PARTNER.authToken] }, temporal: { ...base.temporal, taskQueue: rig.taskQueue } },
      client: rig.client,
      logger: createLogger({ level: 'silent' }),
    });
    await rig.startWorker({ kycWebhookUrl: `${bridge.url}/webhooks/vobiz/kyc` });
  });
  afterAll(async () => {
    await bridge?.close();
    await rig?.close();
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

// One signed kyc.completed delivery replayed 2,000 times through three real bridges (two remembering what they
// delivered, one that remembers nothing and sends every copy to Temporal) while the customer waits in KYC: every
// copy is answered 200, the workflow takes the event in once (one accepted Update, no signal), its history ends
// within a handful of events of a twin customer's that got the delivery once, and the customer still completes.
import type { WorkflowHandle } from '@temporalio/client';
import { request as httpRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RunningBridge } from '../../src/bridge/server.js';
import { loadBridgeConfig } from '../../src/config/bridge.js';
import { createLogger } from '../../src/logging.js';
import { TEST_PARTNER } from '../../sandbox/testing.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { offboardUpdate } from '../../src/workflows/messages.js';
import { atStage, deadBridgeUrl, onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

const REPLAYS = 2_000;
const CONCURRENCY = 16;

describe('a replayed webhook cannot flood a customer', () => {
  let rig: LifecycleRig;
  const bridges: RunningBridge[] = [];

  beforeAll(async () => {
    rig = await startLifecycleRig();
    // No metrics listeners: three bridges in one process would share its port.
    const base = loadBridgeConfig({ BRIDGE_METRICS: 'false' });
    const guards = base.bridge.webhookGuards;
    // Two bridges as deployed (with their memory of delivered keys), one with none and no effective rate limit: its
    // copies all reach Temporal, as copies spread over many bridges would.
    for (const webhookGuards of [guards, guards, { ...guards, recentKeys: 0, customerBurst: 1_000_000 }]) {
      bridges.push(
        await startBridge({
          config: { ...base, bridge: { ...base.bridge, port: 0, webhookSecrets: [TEST_PARTNER.authToken], webhookGuards }, temporal: { ...base.temporal, taskQueue: rig.taskQueue } },
          client: rig.client,
          logger: createLogger({ level: 'silent' }),
        }),
      );
    }
    // The sandbox's own delivery goes nowhere: the test sends the one it signed, as captured, itself.
    await rig.startWorker({ kycWebhookUrl: await deadBridgeUrl() });
  });
  afterAll(async () => {
    for (const bridge of bridges) await bridge.close();
    await rig?.close();
  });

  it(`${REPLAYS} replays of one signed kyc.completed: one event taken in, a handful of history events, the customer completes`, { timeout: 180_000 }, async () => {
    const flooded = await parkInKyc();
    const twin = await parkInKyc();

    // The twin gets its delivery once: the baseline of what one kyc.completed costs in history.
    const twinDelivery = await completeAndCapture(twin.sessionId);
    expect(await send(twinDelivery, bridges[0]!)).toMatchObject({ status: 200, body: { ok: true } });
    await waitForState(twin.handle, atStage('active'), { what: 'the twin active', timeoutMs: 60_000 });

    const delivery = await completeAndCapture(flooded.sessionId);
    const answers = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REPLAYS) {
          const i = next++;
          const { status, body } = await send(delivery, bridges[i % bridges.length]!);
          const key = `${status} ${JSON.stringify(body)}`;
          answers.set(key, (answers.get(key) ?? 0) + 1);
        }
      }),
    );
    await waitForState(flooded.handle, atStage('active'), { what: 'active after the flood', timeoutMs: 60_000 });
    const [floodedEvents, twinEvents] = [await settledHistory(flooded.handle), await settledHistory(twin.handle)];
    const count = (events: HistoryEvents, kind: 'workflowExecutionUpdateAcceptedEventAttributes' | 'workflowExecutionSignaledEventAttributes') =>
      events.filter((e) => e[kind]).length;
    expect(count(floodedEvents, 'workflowExecutionUpdateAcceptedEventAttributes')).toBe(1);
    expect(count(floodedEvents, 'workflowExecutionSignaledEventAttributes')).toBe(0);
    expect(floodedEvents.length - flooded.eventsWhileParked).toBeLessThanOrEqual(twinEvents.length - twin.eventsWhileParked + 5);
    // Every copy acknowledged: the first delivered it, the rest attached to its Update or were known to the bridge.
    expect([...answers.keys()].sort()).toEqual(['200 {"ok":true,"ignored":"duplicate"}', '200 {"ok":true}']);
    expect([...answers.values()].reduce((a, b) => a + b)).toBe(REPLAYS);

    // The customer still completes: offboarded by an operator, its run closes normally.
    await flooded.handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    expect(await flooded.handle.result()).toMatchObject({ stage: 'offboarded' });
    await twin.handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    await twin.handle.result();
  });

  /** A customer waiting in KYC (an hour's poll: only a delivery moves it), with nothing in flight. */
  async function parkInKyc(): Promise<{ handle: WorkflowHandle<typeof customerLifecycle>; sessionId: string; eventsWhileParked: number }> {
    const input = onboardingRequest({ kyc: { pollInterval: '1 hour' }, monitoring: { cdrPollInterval: '1 hour', lowBalanceThreshold: '100' } });
    const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(input.customerRef), args: [input] });
    const state = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.status !== undefined, { what: 'parked in kyc', timeoutMs: 60_000 });
    return { handle, sessionId: state.kyc.attempts[0]!.sessionId, eventsWhileParked: (await settledHistory(handle)).length };
  }

  /** Completes KYC at the sandbox and returns the webhook it signed (its delivery to nowhere failed). */
  async function completeAndCapture(sessionId: string): Promise<{ body: string; signature: string }> {
    await rig.sandbox.admin.completeKyc(sessionId, { pan: 'ABCPE1234F' });
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const delivery = (await rig.sandbox.admin.webhookDeliveries()).find((d) => d.session_id === sessionId && d.event === 'kyc.completed');
      if (delivery) return { body: delivery.body, signature: delivery.signature };
    }
    throw new Error('the sandbox signed no kyc.completed delivery');
  }
});

type HistoryEvents = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>;

async function send(delivery: { body: string; signature: string }, bridge: RunningBridge): Promise<{ status: number; body: unknown }> {
  const res = await httpRequest(`${bridge.url}/webhooks/vobiz/kyc`, {
    method: 'POST',
    body: delivery.body,
    headers: { 'content-type': 'application/json', 'x-vobiz-signature': delivery.signature },
  });
  return { status: res.statusCode, body: await res.body.json() };
}

/** The history once the workflow has no task or activity in flight. */
async function settledHistory(handle: WorkflowHandle): Promise<HistoryEvents> {
  for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const { raw } = await handle.describe();
    if (!raw.pendingActivities?.length && !raw.pendingWorkflowTask) return (await handle.fetchHistory()).events ?? [];
    if (Date.now() > deadline) throw new Error('the workflow did not settle');
  }
}

// The bridge under generated input (fast-check): batches of KYC webhook deliveries of every kind (valid, forged,
// re-signed, truncated, oversized, duplicated, reordered, unknown events, mixed encodings, hostile headers) and
// start-API bodies, through the real bridge over HTTP into a real Temporal server. Properties: no 5xx but the
// documented 503; every justified event taken in by its workflow exactly once, however often delivered, and nothing
// else taken in; no workflow started from an invalid body.
// `npm run fuzz:bridge` runs the same generators for 100,000 deliveries.
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusQuery, type KycEventSignal } from '../../src/workflows/messages.js';
import { API_TOKEN, OLD_WEBHOOK_SECRET, WEBHOOK_SECRET, startBridgeHarness, type BridgeHarness } from '../fixtures/bridge-harness.js';
import { fixtureAuthId, receivedSignalsQuery } from '../fixtures/bridge-workflows.js';
import {
  KYC_WEBHOOK_PATH,
  answerProblems,
  deliveryBatchArbitrary,
  signalProblems,
  startBodyArbitrary,
  type Answer,
  type Delivery,
  type FuzzTarget,
} from '../support/bridge-fuzz.js';
import { startApiBody } from '../../dev/chaos/start-api-body.js';

let h: BridgeHarness;
let targets: FuzzTarget[];
let ghost: FuzzTarget;
const run = randomBytes(3).toString('hex');
const target = (customerRef: string): FuzzTarget => ({ customerRef, workflowId: `customer-${customerRef}`, authId: fixtureAuthId(customerRef) });

beforeAll(async () => {
  h = await startBridgeHarness();
  targets = ['a', 'b', 'c'].map((s) => target(`fz-${run}-${s}`));
  ghost = target(`fz-${run}-ghost`);
  for (const t of targets) {
    await h.client.workflow.start('customerLifecycle', { workflowId: t.workflowId, taskQueue: h.taskQueue, args: [{ customerRef: t.customerRef }] });
    await h.client.workflow.getHandle(t.workflowId).query(statusQuery); // the search attribute is set by then
  }
});

afterAll(async () => {
  for (const t of targets ?? []) await h.client.workflow.getHandle(t.workflowId).terminate('fuzz test done').catch(() => undefined);
  await h?.close();
});

async function deliver(d: Delivery): Promise<Answer> {
  const res = await request(`${h.bridge.url}${KYC_WEBHOOK_PATH}`, { method: 'POST', body: d.body, headers: d.headers });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text: the checks report it
  }
  return { status: res.statusCode, body };
}

const received = (t: FuzzTarget) => h.client.workflow.getHandle(t.workflowId).query(receivedSignalsQuery);

describe('fuzzed KYC webhook deliveries', () => {
  it('never a 5xx but 503, and exactly the events the deliveries justify, each taken in once', async () => {
    const secrets = { accepted: [WEBHOOK_SECRET, OLD_WEBHOOK_SECRET], maxBodyBytes: h.bridgeConfig.maxBodyBytes };
    let deliveries = 0;
    const taken = new Set<string>();
    await fc.assert(
      fc.asyncProperty(deliveryBatchArbitrary(targets, ghost, secrets, 12), async (batch) => {
        const before = new Map(await Promise.all(targets.map(async (t) => [t.workflowId, (await received(t)).length] as const)));
        const exchanges: { d: Delivery; a: Answer }[] = [];
        // Two at a time: retries and redeliveries of the same event overlap in production too.
        for (let i = 0; i < batch.length; i += 2) {
          const pair = batch.slice(i, i + 2);
          const answers = await Promise.all(pair.map(deliver));
          pair.forEach((d, j) => exchanges.push({ d, a: answers[j]! }));
        }
        deliveries += batch.length;
        const after = new Map<string, KycEventSignal[]>();
        for (const t of targets) after.set(t.workflowId, (await received(t)).slice(before.get(t.workflowId)));
        const problems = [...exchanges.flatMap(({ d, a }) => answerProblems(d, a)), ...signalProblems(exchanges, after, taken)];
        expect(problems).toEqual([]);
      }),
      { numRuns: 40 },
    );
    // Something was actually delivered: the generators are not vacuous.
    expect(deliveries).toBeGreaterThan(40);
    const total = (await Promise.all(targets.map(received))).reduce((n, xs) => n + xs.length, 0);
    expect(total).toBeGreaterThan(0);
  });
});

describe('fuzzed start-API bodies', () => {
  it('never a 5xx but 503; a valid body starts its workflow, an invalid one starts nothing', async () => {
    let n = 0;
    const started: string[] = [];
    const outcomes = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(startBodyArbitrary(startApiBody), async (b) => {
        const customerRef = `fzs-${run}-${n++}`;
        const res = await request(`${h.bridge.url}/onboardings`, {
          method: 'POST',
          body: b.render(customerRef),
          headers: { 'content-type': b.contentType, authorization: `Bearer ${API_TOKEN}` },
        });
        const text = await res.body.text();
        expect(res.statusCode === 503 || res.statusCode < 500, `${b.label}: HTTP ${res.statusCode} ${text.slice(0, 200)}`).toBe(true);
        const handle = h.client.workflow.getHandle(`customer-${customerRef}`);
        if (b.valid) {
          outcomes.valid++;
          expect(res.statusCode, `${b.label}: ${text.slice(0, 300)}`).toBe(201);
          expect((await handle.describe()).status.name).toBe('RUNNING');
          started.push(customerRef);
        } else {
          outcomes.invalid++;
          expect(res.statusCode, `${b.label}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
          expect(res.statusCode).toBeLessThan(500);
          const body = JSON.parse(text) as { error?: string; field?: string; rule?: string };
          expect(body.field, `${b.label}: the error names a field`).toEqual(expect.any(String));
          expect(body.rule, `${b.label}: the error names a rule`).toEqual(expect.any(String));
          await expect(handle.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
        }
      }),
      { numRuns: 60 },
    );
    for (const ref of started) await h.client.workflow.getHandle(`customer-${ref}`).terminate('fuzz test done');
    expect(outcomes.valid).toBeGreaterThan(0);
    expect(outcomes.invalid).toBeGreaterThan(0);
  });
});

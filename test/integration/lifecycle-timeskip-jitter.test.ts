// Poll jitter in workflow time (time-skipping server, fake Vobiz on the workflow's clock): customers started at the
// same moment with the same intervals poll at different times, and each poll still comes within its interval ±10%.
// Both polls: the KYC session check (kyc.pollInterval) and the usage poll (monitoring.cdrPollInterval).
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workflowIdFor, type OnboardingRequest } from '../../src/workflows/input.js';
import type { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { vobizTaskQueue } from '../../src/workflows/task-queues.js';
import { FakeVobiz, type FakeCall, type FakeVobizOptions } from '../fixtures/fake-vobiz-activities.js';
import { uniqueTaskQueue, workflowBundle } from '../support/temporal.js';
import { HOUR, closeQuietly, env, request, useTimeSkippingLifecycle, type Lifecycle } from '../support/timeskip-lifecycle.js';

useTimeSkippingLifecycle();

const WORKFLOWS_PATH = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
const CUSTOMERS = 4;
const ROUNDS = 6;
/** Workflow time an activity may take on top of its timer (the server does not skip while one runs). */
const SLACK_MS = 10_000;

/** Starts `inputs` at once on one worker and one fake Vobiz, runs `body`, then closes every workflow. */
async function fleet(inputs: OnboardingRequest[], fakeOptions: Omit<FakeVobizOptions, 'now'>, body: (fake: FakeVobiz) => Promise<void>): Promise<void> {
  const fake = new FakeVobiz({ now: () => env.currentTimeMs(), ...fakeOptions });
  const taskQueue = uniqueTaskQueue('jitter-ts');
  const activities = fake.activities();
  const bundle = await workflowBundle(WORKFLOWS_PATH);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  const vobizWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: vobizTaskQueue(taskQueue), activities });
  await vobizWorker.runUntil(
    worker.runUntil(async () => {
      const handles: Lifecycle[] = await Promise.all(
        inputs.map((input) => env.client.workflow.start<typeof customerLifecycle>('customerLifecycle', { taskQueue, workflowId: workflowIdFor(input.customerRef), args: [input] })),
      );
      try {
        await body(fake);
      } finally {
        for (const handle of handles) await closeQuietly(handle);
      }
    }),
  );
}

/** Each customer's call times, by the key the call's input names it with (session or account). */
function timesBy(calls: FakeCall[], key: (input: unknown) => string): number[][] {
  const byKey = new Map<string, number[]>();
  for (const c of calls) byKey.set(key(c.input), [...(byKey.get(key(c.input)) ?? []), c.at]);
  return [...byKey.values()];
}

function expectSpreadWithinBounds(times: number[][], intervalMs: number): void {
  expect(times).toHaveLength(CUSTOMERS);
  for (const own of times) {
    expect(own.length).toBeGreaterThanOrEqual(ROUNDS);
    const gaps = own.slice(1).map((t, i) => t - own[i]!);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(0.9 * intervalMs);
      expect(gap).toBeLessThanOrEqual(1.1 * intervalMs + SLACK_MS);
    }
  }
  // Started within a second of each other: without jitter every round would fall within that second. Each round
  // moves each customer by up to ±6 minutes, so by the last round they are minutes apart.
  const firsts = times.map((own) => own[0]!);
  expect(Math.max(...firsts) - Math.min(...firsts)).toBeLessThan(30_000);
  const lasts = times.map((own) => own[ROUNDS - 1]!);
  expect(Math.max(...lasts) - Math.min(...lasts)).toBeGreaterThan(60_000);
  expect(new Set(lasts.map((t) => Math.round(t / 1000))).size).toBe(CUSTOMERS);
}

describe('poll jitter: customers parked together do not poll together', () => {
  it('KYC checks: each within kyc.pollInterval ±10% of the last, the customers apart', async () => {
    const inputs = Array.from({ length: CUSTOMERS }, () => request({ kyc: { pollInterval: '1 hour' } }));
    await fleet(inputs, {}, async (fake) => {
      await fake.called('getKycSession', CUSTOMERS); // each customer's first confirmation, right after opening
      await env.sleep((ROUNDS - 1) * 1.1 * HOUR + 10 * 60_000);
      expectSpreadWithinBounds(timesBy(fake.callsOf('getKycSession'), (i) => (i as { sessionId: string }).sessionId), HOUR);
    });
  });

  it('usage polls: each within monitoring.cdrPollInterval ±10% of the last, the customers apart', async () => {
    const inputs = Array.from({ length: CUSTOMERS }, () => request({ monitoring: { cdrPollInterval: '1 hour', pollsPerRun: 50 } }));
    // KYC completes before the first look: every customer goes active at once.
    await fleet(inputs, { kycScript: { 1: { status: 'kyc_completed', afterMs: 0 } } }, async (fake) => {
      await fake.called('createSipTrunk', CUSTOMERS);
      await env.sleep(ROUNDS * 1.1 * HOUR + 10 * 60_000);
      // Each customer's times from going active (its trunk created) through its usage polls.
      const calls = [...fake.callsOf('createSipTrunk'), ...fake.callsOf('summarizeUsage')].sort((x, y) => x.at - y.at);
      expectSpreadWithinBounds(timesBy(calls, (i) => (i as { authId: string }).authId), HOUR);
    });
  });
});

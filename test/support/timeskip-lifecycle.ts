/**
 * The rig of the time-skipping lifecycle tests: one time-skipping test server per file (the `temporal-test-server`
 * binary from .tools), the real workflow bundle, and a fresh in-memory fake Vobiz per case whose clock is the
 * workflow's (test/fixtures/fake-vobiz-activities.ts; docs/testing.md says why). Call `useTimeSkippingLifecycle()`
 * at the top of a test file; it registers the server's start and stop with the file's beforeAll/afterAll.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { OnboardingRequest } from '../../src/workflows/input.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import type { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { kycEventSignal, offboardUpdate, statusQuery, type KycEventSignal, type LifecycleState } from '../../src/workflows/messages.js';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes.js';
import { vobizTaskQueue } from '../../src/workflows/task-queues.js';
import { FakeVobiz, type FakeVobizOptions } from '../fixtures/fake-vobiz-activities.js';
import { TEST_PASSWORD, sealedPassword } from './lifecycle.js';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from './temporal.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD */
const KEYWORD = 2;

export type Lifecycle = WorkflowHandle<typeof customerLifecycle>;

/** The file's time-skipping environment (set once beforeAll has run). */
export let env: TestWorkflowEnvironment;
let bundle: { code: string };
let refs = 0;

export function useTimeSkippingLifecycle(): void {
  beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the workflow's info logs would bury the test output
  env = await createTimeSkippingEnv();
  // The workflow upserts the Vobiz* search attributes; the test server rejects undeclared ones.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((key) => [key.name, KEYWORD])),
  });
  bundle = await workflowBundle(WORKFLOWS_PATH);
  });
  afterAll(() => env?.teardown());
}

/** A valid onboarding request; each test overrides only the settings its behaviour depends on. */
export function request(overrides: { kyc?: OnboardingRequest['kyc']; monitoring?: OnboardingRequest['monitoring']; telephony?: OnboardingRequest['telephony'] } = {}): OnboardingRequest {
  const n = `${Date.now().toString(36)}${(refs++).toString(36)}`;
  return {
    customerRef: `ts-${n}`,
    customer: { name: 'Asha Test', email: `asha.${n}@example.com`, phone: '+919876543210', password: sealedPassword(TEST_PASSWORD), country: 'IN' },
    funding: { amount: 2000, currency: 'INR' },
    kyc: { expiresInDays: 14, maxAttempts: 3, pollInterval: '12 hours', ...overrides.kyc },
    telephony: overrides.telephony ?? { trunk: { name: 'Primary trunk' } },
    monitoring: { cdrPollInterval: '1 day', ...overrides.monitoring },
    advanced: { effectSettleDelay: '1 second' },
  };
}

export interface Case {
  fake: FakeVobiz;
  handle: Lifecycle;
  input: OnboardingRequest;
  /** Waits (in real time, for real work such as activities) until the status query satisfies `predicate`. */
  until: (predicate: (s: LifecycleState) => boolean, what: string, timeoutMs?: number) => Promise<LifecycleState>;
  /** Moves workflow time to `ms` after KYC attempt `attempt` opened (the server skips; due timers fire on the way). */
  skipTo: (attempt: number, ms: number) => Promise<void>;
  /** A kycEvent signal as the bridge sends it for a webhook. */
  signal: (event: Partial<KycEventSignal> & Pick<KycEventSignal, 'eventKey' | 'sessionId'>) => Promise<void>;
}

/**
 * Starts one customer's workflow on its own task queue with a fresh fake Vobiz, runs `body`, and closes the workflow
 * if the body left it running (time skipping is global to the server, so nothing may outlive its test).
 */
export async function lifecycleCase(
  settings: { input?: OnboardingRequest; fake?: Omit<FakeVobizOptions, 'now'> },
  body: (c: Case) => Promise<void>,
): Promise<void> {
  const fake = new FakeVobiz({ now: () => env.currentTimeMs(), ...settings.fake });
  const input = settings.input ?? request();
  const taskQueue = uniqueTaskQueue('lifecycle-ts');
  const activities = fake.activities();
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  // Vobiz calls run on their own queue (src/workflows/task-queues.ts), as the production worker polls it.
  const vobizWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: vobizTaskQueue(taskQueue), activities });
  await vobizWorker.runUntil(worker.runUntil(async () => {
    const handle: Lifecycle = await env.client.workflow.start<typeof customerLifecycle>('customerLifecycle', {
      taskQueue,
      workflowId: workflowIdFor(input.customerRef),
      args: [input],
    });
    const c: Case = {
      fake,
      handle,
      input,
      until: (predicate, what, timeoutMs) => until(handle, predicate, what, timeoutMs),
      async skipTo(attempt, ms) {
        await fake.called('openKycSession', attempt);
        const target = fake.session(attempt).createdAt + ms;
        const now = await env.currentTimeMs();
        if (target > now) await env.sleep(target - now);
      },
      signal: (event) =>
        handle.signal(kycEventSignal, { event: 'kyc.completed', receivedAt: new Date().toISOString(), ...event }),
    };
    try {
      await body(c);
    } finally {
      await closeQuietly(handle);
    }
  }));
}

/**
 * Ends a workflow the test left running through its own offboard update, so that it closes with nothing in flight.
 * Terminating it instead while an activity or workflow task is in flight (likely on a loaded machine) can leave
 * the test server's time-skipping lock held, and the next test's `env.sleep` then runs at wall-clock speed.
 */
export async function closeQuietly(handle: Lifecycle): Promise<void> {
  if ((await handle.describe()).status.name !== 'RUNNING') return;
  try {
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    await handle.result();
  } catch {
    await handle.terminate('test over').catch(() => undefined);
  }
}

async function until(handle: Lifecycle, predicate: (s: LifecycleState) => boolean, what: string, timeoutMs = 15_000): Promise<LifecycleState> {
  const deadline = Date.now() + timeoutMs;
  let last: LifecycleState | undefined;
  for (;;) {
    last = await handle.query(statusQuery);
    if (predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25)); // real work (an activity) is under way: re-query shortly
  }
}


/**
 * The chaos runner's stack runs the production worker (src/worker.ts as a process, on the bundle the runner
 * builds): on the run's shared dev server, with its own sandbox and bridge processes, the worker keeps the KYC
 * sweep's Schedule for its task queue, and a sweep the schedule starts runs to its result — its workflow on the
 * customers' queue, its activity on the Vobiz queue. A worker assembled apart from the production one had neither.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAOS_KYC_SWEEP_INTERVAL, startChaosSystem, type ChaosSystem } from '../../dev/chaos/system.js';
import { parseChaosOptions } from '../../dev/chaos/options.js';
import { createDataConverter } from '../../src/codec/data-converter.js';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { kycSweepScheduleId } from '../../src/temporal/kyc-sweep-schedule.js';
import { durationMs } from '../../src/workflows/duration.js';
import type { kycSweep } from '../../src/workflows/kyc-sweep.js';
import { KYC_SWEEP_WORKFLOW_TYPE } from '../../src/workflows/messages.js';
import { uniqueTaskQueue } from '../support/temporal.js';
import { waitFor } from '../support/crash.js';

describe('the chaos stack', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vobiz-chaos-stack-'));
  const taskQueue = uniqueTaskQueue('chaos');
  let system: ChaosSystem;
  let client: Client;

  beforeAll(async () => {
    const options = parseChaosOptions(['--workers', '1', '--temporal-address', inject('temporalAddress'), '--task-queue', taskQueue, '--log-level', 'warn']);
    system = await startChaosSystem(options, dataDir, () => undefined);
    client = new Client({ connection: await Connection.connect({ address: system.temporalAddress }), namespace: system.namespace, dataConverter: createDataConverter({ keys: [DEVELOPMENT_KEY] }) });
  }, 240_000);
  afterAll(async () => {
    await client?.connection.close();
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the production worker: it keeps the KYC sweep schedule of its task queue, and a sweep runs', async () => {
    const schedule = client.schedule.getHandle(kycSweepScheduleId(taskQueue));
    const described = await schedule.describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: KYC_SWEEP_WORKFLOW_TYPE, taskQueue });
    expect(Number(described.spec.intervals?.[0]?.every)).toBe(durationMs(CHAOS_KYC_SWEEP_INTERVAL));

    await schedule.trigger();
    const sweep = await waitFor(async () => (await schedule.describe()).info.recentActions.at(-1)?.action.workflow, { what: 'a sweep started by the schedule', timeoutMs: 60_000 });
    const result = await client.workflow.getHandle<typeof kycSweep>(sweep.workflowId, sweep.firstExecutionRunId).result();
    // Nobody waits in KYC: the sweep reads visibility and stops there, with no Vobiz call.
    expect(result).toMatchObject({ customersInKyc: 0, vobizCalls: 0, nudged: 0 });
  });
});

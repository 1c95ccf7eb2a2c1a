/**
 * Time to recover after a fault, with the production retry settings (effect settle delay and startToCloseTimeout
 * of one minute, the stall backoff capped at two minutes). Not a test: it measures and prints; docs/durability.md
 * records a run.
 *
 *   npx tsx bench/recovery.ts [--outage-seconds 300] [--customers 3]
 *
 * 1. Worker SIGKILL mid-transfer (the request held 2.5 s at the sandbox behind a relay, so the orphan commits):
 *    time from the kill to the transfer being recorded by a new worker.
 * 2. A Vobiz outage (every API route answers 503 for --outage-seconds): customers starting their onboarding and
 *    customers parked in KYC whose session completes during the outage; time from the outage's end until each
 *    reaches its next stage (kyc for the new ones, active for the parked ones).
 * Each run uses its own dev server, sandbox and task queue on free ports.
 */
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createDataConverter } from '../src/codec/data-converter.js';
import { DEVELOPMENT_KEY } from '../src/codec/keys.js';
import { temporalCliPath } from '../dev/temporal-binaries.js';
import { startTestSandbox } from '../sandbox/testing.js';
import { workflowIdFor, type OnboardingRequest } from '../src/workflows/input.js';
import type { customerLifecycle } from '../src/workflows/lifecycle.js';
import { kycEventSignal, type LifecycleState } from '../src/workflows/messages.js';
import { SEARCH_ATTRIBUTES } from '../src/workflows/search-attributes.js';
import { faultHit, startChildWorker, startRelay, waitFor, workflowBundleFile } from '../test/support/crash.js';
import { TEST_PASSWORD, sealedPassword } from '../test/support/lifecycle.js';
import { waitForState } from '../test/support/wait-for-state.js';

const { values: args } = parseArgs({ options: { 'outage-seconds': { type: 'string', default: '300' }, customers: { type: 'string', default: '3' } } });
const OUTAGE_MS = Number(args['outage-seconds']) * 1000;
const CUSTOMERS = Number(args.customers);
/** Every API route (a `*` matches one path segment). */
const ALL_ROUTES = Array.from({ length: 6 }, (_, depth) => `* /api/v1${'/*'.repeat(depth + 1)}`);

let n = 0;
function request(): OnboardingRequest {
  const ref = `rec-${Date.now().toString(36)}-${n++}`;
  return {
    customerRef: ref,
    customer: { name: 'Asha Bench', email: `${ref}@example.com`, phone: '+919876543210', password: sealedPassword(TEST_PASSWORD), country: 'IN' },
    funding: { amount: 500, currency: 'INR' },
    kyc: { pollInterval: '5 minutes' },
    telephony: { trunk: { name: 'Bench trunk' } },
    // advanced: production defaults (settle 1 minute, startToClose 1 minute)
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalCliPath() }, searchAttributes: [...SEARCH_ATTRIBUTES], ip: '127.0.0.1', log: { format: 'json', level: 'error' } },
  });
  const sandbox = await startTestSandbox();
  const relay = await startRelay(sandbox.url);
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter: createDataConverter({ keys: [DEVELOPMENT_KEY] }) });
  const bundlePath = await workflowBundleFile();
  const worker = (taskQueue: string) =>
    startChildWorker({ address: env.connection.options.address, namespace: env.namespace ?? 'default', taskQueue, sandboxUrl: relay.url, bundlePath });
  const start = (taskQueue: string, req: OnboardingRequest) =>
    client.workflow.start<typeof customerLifecycle>('customerLifecycle', { taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] });

  try {
    // 1. Worker SIGKILL mid-transfer.
    {
      const taskQueue = `recovery-kill-${Date.now().toString(36)}`;
      const route = 'POST /api/v1/partner/accounts/:id/transfer-balance';
      await sandbox.admin.addFault({ route, mode: 'latency', latencyMs: 2_500, count: 1 });
      const first = await worker(taskQueue);
      const handle = await start(taskQueue, request());
      await waitFor(faultHit(sandbox.admin, route), { what: 'the transfer held at the sandbox', timeoutMs: 120_000 });
      const killedAt = Date.now();
      await first.crash();
      const second = await worker(taskQueue);
      const state = await waitForState(handle, (s) => s.funding !== undefined, { what: 'the transfer recorded', timeoutMs: 600_000 });
      console.log(`worker SIGKILL mid-transfer: resumed after ${seconds(Date.now() - killedAt)} (transfer adopted: ${state.funding!.adopted})`);
      await second.crash();
      await sandbox.admin.clearFaults();
    }

    // 2. A Vobiz outage.
    {
      const taskQueue = `recovery-outage-${Date.now().toString(36)}`;
      const w = await worker(taskQueue);
      const parked = await Promise.all(Array.from({ length: CUSTOMERS }, () => start(taskQueue, request())));
      const parkedStates = await Promise.all(parked.map((h) => waitForState(h, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'parked', timeoutMs: 300_000 })));

      for (const route of ALL_ROUTES) await sandbox.admin.addFault({ route, mode: 'error', status: 503 });
      const outageStart = Date.now();
      const fresh = await Promise.all(Array.from({ length: CUSTOMERS }, () => start(taskQueue, request())));
      // The parked customers complete KYC during the outage; the webhook's hint arrives, but the API cannot confirm it.
      for (const [i, state] of parkedStates.entries()) {
        const sessionId = state.kyc.attempts[0]!.sessionId;
        await sandbox.admin.completeKyc(sessionId, { pan: 'ABCPE1234K' });
        await parked[i]!.signal(kycEventSignal, { eventKey: `done-${sessionId}`, event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
      }
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - outageStart))));
      const stalls = await Promise.all([...fresh, ...parked].map((h) => h.query<LifecycleState>('status')));
      await sandbox.admin.clearFaults();
      const outageEnd = Date.now();
      console.log(`outage of ${seconds(outageEnd - outageStart)}: stalled then: ${stalls.filter((s) => s.stall).length} of ${stalls.length} (${[...new Set(stalls.map((s) => s.stall?.kind ?? 'none'))].join(', ')})`);

      const recover = async (h: (typeof fresh)[number], predicate: (s: LifecycleState) => boolean) => {
        await waitForState(h, predicate, { what: 'recovered', timeoutMs: 900_000 });
        return Date.now() - outageEnd;
      };
      const times = await Promise.all([
        ...fresh.map((h) => recover(h, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1)),
        ...parked.map((h) => recover(h, (s) => s.stage === 'active')),
      ]);
      const sorted = [...times].sort((a, b) => a - b);
      console.log(
        `recovery after the outage ended: new onboardings to kyc ${times.slice(0, CUSTOMERS).map(seconds).join(', ')}; ` +
          `parked customers to active ${times.slice(CUSTOMERS).map(seconds).join(', ')}; median ${seconds(sorted[Math.floor(sorted.length / 2)]!)}, max ${seconds(sorted.at(-1)!)}`,
      );
      const ledger = await sandbox.admin.ledger();
      console.log(`ledger balanced: ${ledger.balanced}; transfers: ${ledger.customers.filter((r) => r.category === 'transfer').length} for ${CUSTOMERS * 2 + 1} customers`);
      await w.crash();
    }
  } finally {
    await relay.close();
    await sandbox.close();
    await env.teardown();
  }
}

await main();

/**
 * Replicas on the self-hosted cluster, as a partner runs them: two worker processes on one task queue and two
 * bridges in front of one Temporal. Customers are started through both bridges' start APIs (alternately), and the
 * sandbox's signed KYC webhooks reach the bridges through a round-robin balancer. One worker is SIGKILLed while the
 * customers onboard: the other carries every customer to `active`, each webhook is taken by whichever bridge it
 * reached, and no money moves twice (each customer one account, one transfer; the ledger's transfers add up).
 */
import { createServer, type Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnboardingClient } from '../../src/client/index.js';
import type { RunningBridge } from '../../src/bridge/server.js';
import { VobizClient } from '../../src/vobiz/index.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { startTestSandbox, TEST_PARTNER, type TestSandbox } from '../../sandbox/testing.js';
import { markLedger, startChildWorker, workflowBundleFile, type ChildWorker } from '../support/crash.js';
import { countEffects } from '../support/effects.js';
import { startTestBridge } from '../support/rig-bridge.js';
import { dataConverter, onboardingRequest, waitForState } from '../support/lifecycle.js';
import { uniqueTaskQueue } from '../support/temporal.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';

const CUSTOMERS = 8;
const OPENING_BALANCE = 500;
const API_TOKEN = 'replicas-test-api-token-0123456789abcdef';
const WEBHOOK_PATH = '/webhooks/vobiz/kyc';

/** A load balancer in front of the bridges: each request to the next bridge in turn; counts what each answered. */
interface Balancer {
  url: string;
  answered: number[][];
  close(): Promise<void>;
}

async function startBalancer(targets: string[]): Promise<Balancer> {
  let next = 0;
  const answered: number[][] = targets.map(() => []);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const i = next++ % targets.length;
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'x-vobiz-signature', 'user-agent']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      request(`${targets[i]}${req.url ?? '/'}`, { method: req.method as 'POST', headers, body: Buffer.concat(chunks) })
        .then(async (answer) => {
          answered[i]!.push(answer.statusCode);
          res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') });
          res.end(Buffer.from(await answer.body.arrayBuffer()));
        })
        .catch(() => {
          answered[i]!.push(502);
          res.writeHead(502).end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, answered, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('two workers and two bridges on the self-hosted cluster', () => {
  let cluster: TestCluster;
  let sandbox: TestSandbox;
  let bundlePath: string;
  let vobiz: VobizClient;
  let balancer: Balancer;
  const bridges: { bridge: RunningBridge; connection: Connection }[] = [];
  const workers: ChildWorker[] = [];
  const taskQueue = uniqueTaskQueue('replicas');

  beforeAll(async () => {
    [cluster, sandbox, bundlePath] = await Promise.all([startTestCluster(), startTestSandbox(), workflowBundleFile()]);
    vobiz = new VobizClient({ baseUrl: sandbox.url, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: TEST_PARTNER.authToken, connectTimeoutMs: 2000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 });
    for (let i = 0; i < 2; i++) {
      // Each bridge its own connection to Temporal, as separate replicas have.
      const connection = await Connection.connect({ address: cluster.address });
      const bridge = await startTestBridge(new Client({ connection, namespace: cluster.namespace, dataConverter }), taskQueue, {
        apiTokens: [API_TOKEN],
        webhookSecrets: [TEST_PARTNER.authToken], // the sandbox signs with the partner token, as Vobiz does
      });
      bridges.push({ bridge, connection });
    }
    balancer = await startBalancer(bridges.map(({ bridge }) => bridge.url));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.crash()));
    await balancer?.close();
    for (const { bridge, connection } of bridges) {
      await bridge.close();
      await connection.close();
    }
    await vobiz?.close();
    await sandbox?.close();
    await cluster?.close();
  });

  it('onboards customers through both bridges while one worker is killed; no money moves twice', async () => {
    for (let i = 0; i < 2; i++) {
      workers.push(await startChildWorker({ address: cluster.address, namespace: cluster.namespace, taskQueue, sandboxUrl: sandbox.url, bundlePath, kycWebhookUrl: `${balancer.url}${WEBHOOK_PATH}` }));
    }
    const before = await markLedger(sandbox.admin);
    const apis = bridges.map(({ bridge }) => new OnboardingClient({ baseUrl: bridge.url, token: API_TOKEN }));

    // Polls at the start API's floors: KYC moves by the webhooks, not by a poll.
    const requests = Array.from({ length: CUSTOMERS }, () =>
      onboardingRequest({ funding: { amount: OPENING_BALANCE, currency: 'INR' }, kyc: { expiresInDays: 14, pollInterval: '5 minutes' }, monitoring: { cdrPollInterval: '1 hour', lowBalanceThreshold: '100' } }),
    );
    const outcomes = await Promise.all(requests.map((req, i) => apis[i % apis.length]!.start(req)));
    expect(outcomes.map((o) => o.status)).toEqual(requests.map(() => 'started'));

    // Mid-onboarding: the first worker dies with whatever it was running.
    await workers[0]!.crash();

    const handles = requests.map((req) => cluster.client.workflow.getHandle(workflowIdFor(req.customerRef)));
    for (const handle of handles) {
      const parked = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'a KYC session', timeoutMs: 120_000 });
      // The customer completes KYC; the sandbox sends its signed webhook to the balancer, and on to a bridge.
      await sandbox.admin.completeKyc(parked.kyc.attempts[0]!.sessionId, { pan: 'ABCPE1234F' });
    }
    const states = [];
    for (const handle of handles) states.push(await waitForState(handle, (s) => s.stage === 'active', { what: 'active', timeoutMs: 120_000 }));

    // Every webhook was taken, by both bridges; each customer saw its own.
    const [first, second] = balancer.answered;
    expect(first!.length).toBeGreaterThan(0);
    expect(second!.length).toBeGreaterThan(0);
    expect([...first!, ...second!].every((status) => status === 200)).toBe(true);
    expect(first!.length + second!.length).toBeGreaterThanOrEqual(CUSTOMERS);
    for (const state of states) expect(state.kyc.eventsSeen).toBeGreaterThanOrEqual(1);

    // Exactly once, the killed worker notwithstanding.
    for (const [i, state] of states.entries()) {
      const counts = await countEffects(vobiz, requests[i]!.customer.email, state.authId);
      expect(counts).toMatchObject({ accounts: 1, transfers: 1, kycSessions: 1, trunks: 1 });
    }
    const after = await sandbox.admin.ledger();
    expect(after.balanced).toBe(true);
    expect(after.partner_transfer_debits - before.partnerTransferDebits).toBeCloseTo(CUSTOMERS * OPENING_BALANCE, 5);
  }, 400_000);
});

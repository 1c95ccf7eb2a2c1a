/**
 * Test rig for the customer lifecycle on the real dev server: a sandbox, the real activities talking to it over
 * HTTP, an encrypting client and the production worker's two workers (src/worker/lifecycle-workers.ts) on a task
 * queue of the test's own, which can be stopped and started again (crash tests).
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import type { OnboardingConfig } from '../../src/config/onboarding-limits.js';
import type { ResolveHost } from '../../src/net/outbound-target.js';
import { freePort } from '../../dev/processes.js';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { DEVELOPMENT_SEALING_KEY, DEVELOPMENT_SECRETS_KEY, type UnsealingKey } from '../../src/secrets/keys.js';
import { DEVELOPMENT_ACCOUNT_CLAIM_KEY } from '../../src/temporal/account-claims.js';
import { sealSecret } from '../../src/secrets/seal.js';
import { createDataConverter } from '../../src/codec/data-converter.js';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';
import { VobizClient } from '../../src/vobiz/index.js';
import type { Tracing } from '../../src/tracing/provider.js';
import { createLifecycleWorkers, type LifecycleWorkers } from '../../src/worker/lifecycle-workers.js';
import { workflowIdFor, type OnboardingRequest } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { kycEventSignal } from '../../src/workflows/messages.js';
import { atStage, waitForState } from './wait-for-state.js';
import { connectDevServer, uniqueTaskQueue, workflowBundle, type DevServer } from './temporal.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
export const dataConverter = createDataConverter({ keys: [DEVELOPMENT_KEY] });

/** The password every `onboardingRequest` carries, sealed; the sandbox can confirm an account got it. */
export const TEST_PASSWORD = 'SecurePass123!';

/** A KYC webhook URL nothing listens on: the bridge is down, so the sandbox's deliveries fail and it gives up. */
export async function deadBridgeUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}/webhooks/vobiz/kyc`;
}

/** Seals a password as the edges do, with the development key pair the rig's worker holds. */
export function sealedPassword(plain: string): string {
  return sealSecret(plain, DEVELOPMENT_SEALING_KEY, 'customer.password');
}

let refCounter = 0;
/** A valid onboarding request with a unique customerRef and e-mail, its password sealed; a short settle delay. */
export function onboardingRequest(overrides: Partial<OnboardingRequest> = {}): OnboardingRequest {
  const n = `${Date.now().toString(36)}${(refCounter++).toString(36)}`;
  return {
    customerRef: `test-${n}`,
    customer: {
      name: 'Asha Test',
      email: `asha.${n}@example.com`,
      phone: '+919876543210',
      password: sealedPassword(TEST_PASSWORD),
      company: 'Acme Test Pvt Ltd',
      country: 'IN',
    },
    funding: { amount: 500, currency: 'INR', description: 'Opening balance' },
    kyc: { expiresInDays: 14, pollInterval: '2 seconds' },
    telephony: {
      trunk: { name: 'Primary trunk', trunk_status: 'enabled', secure: false, trunk_direction: 'outbound', concurrent_calls_limit: 10, cps_limit: 5, transport: 'udp' },
    },
    monitoring: { cdrPollInterval: '2 seconds', lowBalanceThreshold: '100' },
    advanced: { effectSettleDelay: '1 second' },
    ...overrides,
  };
}

export interface LifecycleRig {
  server: DevServer;
  client: Client;
  sandbox: TestSandbox;
  vobiz: VobizClient;
  taskQueue: string;
  /**
   * Starts a worker (and its Vobiz-queue worker); `kycWebhookUrl` is what KYC sessions it opens tell Vobiz to call;
   * `unsealingKeys` are its SECRETS_KEYS (default: the development key pair every `onboardingRequest` is sealed
   * with); `maxRequestsPerSecond` sets the rate budget as VOBIZ_MAX_REQUESTS_PER_SECOND does; `onboarding` is the
   * worker's config.onboarding (its cap and alert rules) and `resolveAlertHost` its DNS for alert webhooks;
   * `tracing` traces it as OTEL_* settings do (the traced bundle, interceptors, the Vobiz client's spans).
   */
  startWorker(options?: {
    kycWebhookUrl?: string;
    unsealingKeys?: UnsealingKey[];
    maxRequestsPerSecond?: number;
    onboarding?: OnboardingConfig;
    resolveAlertHost?: ResolveHost;
    tracing?: Tracing;
  }): Promise<void>;
  stopWorker(): Promise<void>;
  /** The running workers, as `startWorker` assembled them. */
  readonly workers: LifecycleWorkers | undefined;
  close(): Promise<void>;
}

export async function startLifecycleRig(): Promise<LifecycleRig> {
  const server = await connectDevServer();
  const sandbox = await startTestSandbox();
  const vobizOptions = { baseUrl: sandbox.url, partnerAuthId: 'PA_SANDBOX1', partnerAuthToken: 'test-partner-token', connectTimeoutMs: 2000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 };
  const vobiz = new VobizClient(vobizOptions);
  const client = new Client({ connection: server.client.connection, namespace: server.namespace, dataConverter });
  const taskQueue = uniqueTaskQueue('lifecycle');
  // Clients with a rate budget or a tracer, one per worker start that asked for one (closed when that worker stops).
  const own: VobizClient[] = [];
  const workerVobiz = (maxRequestsPerSecond: number | undefined, tracing: Tracing | undefined): VobizClient => {
    if (!maxRequestsPerSecond && !tracing) return vobiz;
    const client = new VobizClient({ ...vobizOptions, ...(maxRequestsPerSecond ? { maxRequestsPerSecond } : {}), ...(tracing ? { tracer: tracing.tracer } : {}) });
    own.push(client);
    return client;
  };
  let running: { workers: LifecycleWorkers; done: Promise<unknown> } | undefined;

  const rig: LifecycleRig = {
    server,
    client,
    sandbox,
    vobiz,
    taskQueue,
    async startWorker({ unsealingKeys = [DEVELOPMENT_SECRETS_KEY], maxRequestsPerSecond, tracing, ...settings } = {}) {
      const workers = await createLifecycleWorkers({
        connection: server.nativeConnection,
        namespace: server.namespace,
        taskQueue,
        workflows: { workflowBundle: await workflowBundle(WORKFLOWS_PATH, { traced: Boolean(tracing) }) },
        client,
        vobiz: workerVobiz(maxRequestsPerSecond, tracing),
        activitySettings: { alertTimeoutMs: 2000, ...settings },
        unsealingKeys,
        accountClaimKey: DEVELOPMENT_ACCOUNT_CLAIM_KEY,
        codec: { keys: [DEVELOPMENT_KEY] },
        ...(maxRequestsPerSecond ? { maxRequestsPerSecond } : {}),
        ...(tracing ? { tracing } : {}),
        shutdownGraceTimeMs: 0,
      });
      running = { workers, done: workers.run() };
    },
    get workers() {
      return running?.workers;
    },
    async stopWorker() {
      if (!running) return;
      running.workers.shutdown();
      await running.done;
      running = undefined;
      await Promise.all(own.splice(0).map((c) => c.close()));
    },
    async close() {
      await rig.stopWorker();
      await vobiz.close();
      await sandbox.close();
      await server.close();
    },
  };
  return rig;
}

/**
 * A customer taken to `active` as the sandbox's customer would: KYC completed on the sandbox, the webhook's hint sent
 * as the bridge would; its number bought when the request asks for one.
 */
export async function startActiveCustomer(rig: LifecycleRig, overrides: Partial<OnboardingRequest> = {}) {
  const request = onboardingRequest(overrides);
  const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
  const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'kyc stage' });
  const sessionId = kyc.kyc.attempts[0]!.sessionId;
  await rig.sandbox.admin.completeKyc(sessionId, { pan: 'ABCPE1234F' });
  await handle.signal(kycEventSignal, { eventKey: `done-${sessionId}`, event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
  const state = await waitForState(handle, atStage('active'), { what: 'active stage' });
  return { request, handle, state };
}

export { atStage, waitForState } from './wait-for-state.js';

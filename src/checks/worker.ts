/**
 * The worker's checks, run at start (src/worker.ts) and on demand (the doctor's `workerChecks` workflow, through
 * the `runWorkerChecks` activity, src/activities/worker-checks.ts): Temporal, the namespace, the KYC sweep's
 * schedule, the partner credentials, the codec and secrets keys, the public URL it gives Vobiz, and
 * its V8 heap limit against its memory budget.
 */
import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { publicUrl } from './bridge-settings.js';
import { heapLimit } from './heap-limit.js';
import { codecKeys, secretsKeys } from './keys.js';
import type { WorkerCheckReport, WorkerCheckRequest } from './results.js';
import { runChecks, type Check } from './run.js';
import { kycSweepSchedule, namespaceReady, temporalReachable, type TemporalWhere } from './temporal.js';
import { vobizCredentials } from './vobiz.js';
import { KYC_WEBHOOK_PATH } from '../config/bridge-address.js';
import type { WorkerMemory } from '../config/worker-memory.js';
import { isDevelopmentKey, type UnsealingKey } from '../secrets/keys.js';
import type { VobizClient } from '../vobiz/index.js';

export interface WorkerCheckDeps {
  client: Client;
  namespace: string;
  taskQueue: string;
  vobiz: VobizClient;
  unsealingKeys: readonly UnsealingKey[];
  /** The KYC webhook URL the worker gives Vobiz (`<BRIDGE_PUBLIC_URL>/webhooks/vobiz/kyc`), when it has one. */
  kycWebhookUrl?: string;
  production: boolean;
  /**
   * The worker's budget and cache: the heap limit it should have been started with follows from them. Unset when the
   * workers run inside a process that is not theirs (a test's), whose heap limit is not the worker's to check.
   */
  memory?: WorkerMemory;
}

export function workerChecks(deps: WorkerCheckDeps, request: WorkerCheckRequest = {}): Check[] {
  const where: TemporalWhere = { client: deps.client, namespace: deps.namespace, taskQueue: deps.taskQueue };
  const checks = [
    temporalReachable(where),
    namespaceReady(where),
    kycSweepSchedule(where),
    vobizCredentials({ vobiz: deps.vobiz, baseUrl: deps.vobiz.baseUrl }),
    codecKeys(where),
    secretsKeys({
      keys: deps.unsealingKeys,
      usingDevelopmentKey: deps.unsealingKeys.some(isDevelopmentKey),
      ...(request.sealedProbe !== undefined ? { sealedProbe: request.sealedProbe } : {}),
    }),
  ];
  if (deps.memory) checks.push(heapLimit(deps.memory));
  if (deps.kycWebhookUrl) {
    const url = deps.kycWebhookUrl.endsWith(KYC_WEBHOOK_PATH) ? deps.kycWebhookUrl.slice(0, -KYC_WEBHOOK_PATH.length) : deps.kycWebhookUrl;
    checks.push(publicUrl({ url, production: deps.production, vobizBaseUrl: deps.vobiz.baseUrl }));
  }
  return checks;
}

/** What the `runWorkerChecks` activity answers the doctor. */
export async function workerCheckReport(deps: WorkerCheckDeps, request: WorkerCheckRequest): Promise<WorkerCheckReport> {
  return { worker: `${process.pid}@${hostname()}`, results: await runChecks(workerChecks(deps, request)) };
}


/**
 * The worker's settings (`npm run worker`, `node dist/worker.js`): Temporal, the codec keys, Vobiz and the partner
 * credentials, the secrets private keys that open sealed passwords and the account-claim key (the worker's alone), the KYC webhook URL it gives
 * Vobiz, and its own WORKER_* / KYC_SWEEP_* tuning. It reads nothing of the bridge's tokens or the codec server's.
 */
import type { z } from 'zod';
import { ACCOUNT_CLAIM, accountClaims, type AccountClaimsConfig } from './account-claims.js';
import { bridgeAddress, BRIDGE_ADDRESS } from './bridge-address.js';
import { codecKeys, CODEC_KEYS, type CodecConfig } from './codec-keys.js';
import { duration, optionalListenAddress, optionalPositiveInt, optionalString, parseEnvironment, positiveInt } from './fields.js';
import { general, GENERAL, type GeneralConfig, type RunMode } from './general.js';
import { onboardingLimits, ONBOARDING_LIMITS, type OnboardingConfig } from './onboarding-limits.js';
import { SECRETS_PRIVATE_KEYS, unsealingKeys, type UnsealingConfig } from './secrets-keys.js';
import { temporal, TEMPORAL, type TemporalConfig } from './temporal.js';
import { tracing, TRACING, type TracingConfig } from './tracing.js';
import { vobiz, VOBIZ, type VobizConfig } from './vobiz.js';
import { cachedWorkflowsFor, DEFAULT_MEMORY_BUDGET_MB, MIN_CACHED_WORKFLOWS, MIN_MEMORY_BUDGET_MB, workerNodeFlagsFor } from './worker-memory.js';
import { durationMs } from '../workflows/duration.js';

/** The worker's own tuning. */
export const WORKER = {
  WORKER_MEMORY_BUDGET: positiveInt(DEFAULT_MEMORY_BUDGET_MB).refine((mb) => mb >= MIN_MEMORY_BUDGET_MB, `must be at least ${MIN_MEMORY_BUDGET_MB} (MB: the worker's own memory and ${MIN_CACHED_WORKFLOWS} cached customers)`),
  WORKER_MAX_CACHED_WORKFLOWS: optionalPositiveInt,
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt(50),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt(20),
  WORKER_REPLICAS: positiveInt(1),
  WORKER_SHUTDOWN_GRACE_TIME: duration('30s'),
  WORKER_WORKFLOW_BUNDLE: optionalString,
  WORKER_METRICS_ADDRESS: optionalListenAddress,
  KYC_SWEEP_INTERVAL: duration('5m', '1s'),
  // KYC_SWEEP_FULL_PAGING_EVERY_MS (messages.ts) is the same default for a schedule or run created without it.
  KYC_SWEEP_FULL_PAGING_EVERY: duration('3h', '1s'),
  WORKER_DEPLOYMENT_NAME: optionalString,
  WORKER_BUILD_ID: optionalString,
};

export interface WorkerConfig {
  /** The memory this worker may use, in MB (WORKER_MEMORY_BUDGET): its cache is sized from it. */
  memoryBudgetMb: number;
  /** Customers' workflows kept cached: WORKER_MAX_CACHED_WORKFLOWS when set, else what the memory budget pays for. */
  maxCachedWorkflows: number;
  cacheSizeFrom: 'WORKER_MAX_CACHED_WORKFLOWS' | 'WORKER_MEMORY_BUDGET';
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
  /**
   * Worker processes that share the partner's Vobiz rate budget (WORKER_REPLICAS): each sends at most
   * VOBIZ_MAX_REQUESTS_PER_SECOND / replicas requests a second, so together they hold the budget at Vobiz.
   */
  replicas: number;
  /** Milliseconds running activities may finish after SIGINT/SIGTERM. */
  shutdownGraceTimeMs: number;
  /**
   * The prebuilt workflow bundle the worker runs (`npm run build` writes it): WORKER_WORKFLOW_BUNDLE, in production
   * dist/workflow-bundle.js by default. Unset outside production: the worker bundles the workflow source at start.
   */
  workflowBundlePath?: string;
  metricsAddress?: string;
  /** How often the partner-wide KYC sweep runs (its Temporal Schedule's interval), in milliseconds. */
  kycSweepIntervalMs: number;
  /** The sweep's safety net: every open KYC session is paged at least this often, whatever the totals say. */
  kycSweepFullPagingEveryMs: number;
  /** Worker versioning: this worker is build `buildId` of Worker Deployment `deploymentName` (both or neither). */
  deployment?: { deploymentName: string; buildId: string };
}

/** Where `npm run build` writes the bundle: the production worker's default. */
const BUILT_WORKFLOW_BUNDLE = 'dist/workflow-bundle.js';

export function workerSection(e: z.infer<z.ZodObject<typeof WORKER>> & { NODE_ENV: RunMode }, problems: string[]): WorkerConfig {
  const workflowBundlePath = e.WORKER_WORKFLOW_BUNDLE ?? (e.NODE_ENV === 'production' ? BUILT_WORKFLOW_BUNDLE : undefined);
  if (Boolean(e.WORKER_DEPLOYMENT_NAME) !== Boolean(e.WORKER_BUILD_ID)) {
    problems.push(
      `${e.WORKER_DEPLOYMENT_NAME ? 'WORKER_BUILD_ID' : 'WORKER_DEPLOYMENT_NAME'}: WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID must be set together (worker versioning)`,
    );
  }
  return {
    memoryBudgetMb: e.WORKER_MEMORY_BUDGET,
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS ?? cachedWorkflowsFor(e.WORKER_MEMORY_BUDGET),
    cacheSizeFrom: e.WORKER_MAX_CACHED_WORKFLOWS === undefined ? 'WORKER_MEMORY_BUDGET' : 'WORKER_MAX_CACHED_WORKFLOWS',
    maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    replicas: e.WORKER_REPLICAS,
    shutdownGraceTimeMs: durationMs(e.WORKER_SHUTDOWN_GRACE_TIME),
    ...(workflowBundlePath ? { workflowBundlePath } : {}),
    ...(e.WORKER_METRICS_ADDRESS ? { metricsAddress: e.WORKER_METRICS_ADDRESS } : {}),
    kycSweepIntervalMs: durationMs(e.KYC_SWEEP_INTERVAL),
    kycSweepFullPagingEveryMs: durationMs(e.KYC_SWEEP_FULL_PAGING_EVERY),
    ...(e.WORKER_DEPLOYMENT_NAME && e.WORKER_BUILD_ID ? { deployment: { deploymentName: e.WORKER_DEPLOYMENT_NAME, buildId: e.WORKER_BUILD_ID } } : {}),
  };
}

/** What a worker's launcher reads (src/worker/node-flags.ts, dev/stack.ts): the Node options follow from these. */
export const WORKER_LAUNCH = { WORKER_MEMORY_BUDGET: WORKER.WORKER_MEMORY_BUDGET, WORKER_MAX_CACHED_WORKFLOWS: WORKER.WORKER_MAX_CACHED_WORKFLOWS };

/** The Node options a worker process is started with, from its memory settings (refused as the worker refuses them). */
export function loadWorkerNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return parseEnvironment(WORKER_LAUNCH, env, (e) =>
    workerNodeFlagsFor({ budgetMb: e.WORKER_MEMORY_BUDGET, cachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS ?? cachedWorkflowsFor(e.WORKER_MEMORY_BUDGET) }),
  );
}

/** Every variable the worker reads. */
export const WORKER_PROCESS = { ...GENERAL, ...TEMPORAL, ...CODEC_KEYS, ...VOBIZ, ...SECRETS_PRIVATE_KEYS, ...ACCOUNT_CLAIM, ...BRIDGE_ADDRESS, ...ONBOARDING_LIMITS, ...TRACING, ...WORKER };

export interface WorkerProcessConfig extends GeneralConfig {
  temporal: TemporalConfig;
  codec: CodecConfig;
  vobiz: VobizConfig;
  /** The secrets private keys: required in production (SECRETS_KEYS / SECRETS_KEYS_FILE). */
  secrets: UnsealingConfig;
  /** The key of account claims' IDs: required in production (ACCOUNT_CLAIM_KEY / ACCOUNT_CLAIM_KEY_FILE). */
  accountClaims: AccountClaimsConfig;
  worker: WorkerConfig;
  /** The limits the edges enforced, checked again before the worker moves money or calls an alert webhook. */
  onboarding: OnboardingConfig;
  /** `<BRIDGE_PUBLIC_URL>/webhooks/vobiz/kyc`: where Vobiz posts this worker's customers' KYC results. */
  kycWebhookUrl: string;
  /** Traces of its workflows, activities and Vobiz calls; undefined (the default): no interceptor, no span. */
  tracing: TracingConfig | undefined;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerProcessConfig {
  return parseEnvironment(WORKER_PROCESS, env, (e, problems) => ({
    ...general(e),
    temporal: temporal(e, problems),
    codec: codecKeys(e, problems),
    vobiz: vobiz(e, problems),
    secrets: unsealingKeys(e, problems),
    accountClaims: accountClaims(e, problems),
    worker: workerSection(e, problems),
    onboarding: onboardingLimits(e, problems),
    kycWebhookUrl: bridgeAddress(e, problems).kycWebhookUrl,
    tracing: tracing(e, 'vobiz-lifecycle-worker', problems),
  }));
}

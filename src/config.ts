/**
 * The one place that reads settings from the environment.
 *
 * Every entry point (worker, bridge, sandbox, CLI, demo) calls `loadConfig()` once at start-up and passes the
 * sections it needs down. Every variable is listed in `.env.example` with its default. A bad environment is
 * reported whole — every bad or missing variable, by name, with its rule — so an operator fixes it in one go.
 *
 * The defaults are the embedded development setup: a Temporal dev server on localhost and the Vobiz sandbox.
 * With NODE_ENV=production the sandbox defaults stop applying: real Vobiz credentials must be given.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEVELOPMENT_KEY, parseKeyFile, parseKeyList, type CodecKey } from './codec/keys.js';
import {
  DEVELOPMENT_SECRETS_KEY,
  isDevelopmentKey,
  parseSealingKey,
  parseUnsealingKeys,
  sealingKeyOf,
  type SealingKey,
  type UnsealingKey,
} from './secrets/keys.js';

/** Durations as the Temporal SDK accepts them: a number of milliseconds or an ms-style string ("30s", "5m"). */
const DURATION = /^\d+(\.\d+)?\s*(ms|s|m|h|d)?$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function toMilliseconds(duration: string): number {
  const [, amount = '0', unit = 'ms'] = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(duration) ?? [];
  return Number(amount) * (DURATION_UNIT_MS[unit] ?? 1);
}

const SANDBOX_DEFAULT_PARTNER_AUTH_ID = 'PA_SANDBOX1';
const SANDBOX_DEFAULT_PARTNER_AUTH_TOKEN = 'sandbox-partner-token-not-a-secret';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const nonEmpty = (rule = 'must not be empty') => z.string({ error: rule }).trim().min(1, rule);

const portNumber = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');
const port = (fallback: number) => portNumber.default(fallback);

const positiveInt = (fallback: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be > 0').default(fallback);

const duration = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(DURATION, 'must be milliseconds or a duration such as "30s", "5m", "1h"')
    .default(fallback);

const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = (rule = 'must be an http(s) URL') =>
  z
    .string()
    .trim()
    .url(rule)
    .refine((u) => /^https?:\/\//.test(u), rule)
    .transform((u) => u.replace(/\/+$/, ''));

const EnvSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'production', 'test'], { error: 'must be development, production or test' })
      .default('development'),
    LOG_LEVEL: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
        error: 'must be one of trace, debug, info, warn, error, fatal, silent',
      })
      .default('info'),

    // Unset: the dev server `npm start` runs (127.0.0.1:TEMPORAL_DEV_PORT), so the bridge, CLI and worker find it.
    TEMPORAL_ADDRESS: nonEmpty('must be host:port of the Temporal frontend').optional(),
    TEMPORAL_NAMESPACE: nonEmpty().default('default'),
    TEMPORAL_TASK_QUEUE: nonEmpty().default('vobiz-lifecycle'),
    TEMPORAL_TLS: booleanFlag(false),
    TEMPORAL_TLS_CERT_PATH: optionalString,
    TEMPORAL_TLS_KEY_PATH: optionalString,
    TEMPORAL_TLS_CA_PATH: optionalString,
    TEMPORAL_TLS_SERVER_NAME: optionalString,
    TEMPORAL_API_KEY: optionalString,

    WORKER_MAX_CACHED_WORKFLOWS: positiveInt(500),
    WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt(50),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt(20),
    WORKER_SHUTDOWN_GRACE_TIME: duration('30s'),
    WORKER_WORKFLOW_BUNDLE: nonEmpty().default('dist/workflow-bundle.js'),
    WORKER_METRICS_ADDRESS: optionalString.pipe(
      z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, e.g. 0.0.0.0:9464').optional(),
    ),
    KYC_SWEEP_INTERVAL: duration('5m').refine((d) => toMilliseconds(d) >= 1_000, 'must be at least 1s'),
    // KYC_SWEEP_FULL_PAGING_EVERY_MS (messages.ts) is the same default for a schedule or run created without it.
    KYC_SWEEP_FULL_PAGING_EVERY: duration('3h').refine((d) => toMilliseconds(d) >= 1_000, 'must be at least 1s'),
    WORKER_DEPLOYMENT_NAME: optionalString,
    WORKER_BUILD_ID: optionalString,

    // Unset: the sandbox `npm start` runs (http://SANDBOX_HOST:SANDBOX_PORT), so the CLI finds it on any port.
    VOBIZ_BASE_URL: httpUrl().optional(),
    VOBIZ_PARTNER_AUTH_ID: optionalString,
    VOBIZ_PARTNER_AUTH_TOKEN: optionalString,
    VOBIZ_CUSTOMER_PATH_STYLE: z
      .enum(['Account', 'account'], { error: 'must be Account (reference docs) or account (partner flow page)' })
      .default('Account'),
    VOBIZ_CONNECT_TIMEOUT_MS: positiveInt(5_000),
    VOBIZ_HEADERS_TIMEOUT_MS: positiveInt(15_000),
    VOBIZ_BODY_TIMEOUT_MS: positiveInt(15_000),
    VOBIZ_MAX_REQUESTS_PER_SECOND: positiveInt(10),

    SANDBOX_HOST: nonEmpty().default('127.0.0.1'),
    SANDBOX_PORT: port(4010),
    SANDBOX_PUBLIC_URL: optionalString.pipe(httpUrl().optional()),
    SANDBOX_PARTNER_AUTH_ID: nonEmpty().default(SANDBOX_DEFAULT_PARTNER_AUTH_ID),
    SANDBOX_PARTNER_AUTH_TOKEN: nonEmpty().default(SANDBOX_DEFAULT_PARTNER_AUTH_TOKEN),
    SANDBOX_PARTNER_BALANCE: z.coerce
      .number({ error: 'must be an amount in INR' })
      .nonnegative('must be >= 0')
      .default(100_000),
    SANDBOX_DB_PATH: optionalString,
    SANDBOX_WEBHOOK_MAX_ATTEMPTS: positiveInt(8),
    SANDBOX_WEBHOOK_INITIAL_BACKOFF_MS: positiveInt(500),
    // Vobiz documents max_accounts = 1000; a fleet benchmark raises it.
    SANDBOX_MAX_ACCOUNTS: positiveInt(1000),

    DATA_DIR: nonEmpty().default('.data'),
    TEMPORAL_DEV_PORT: port(7233),
    TEMPORAL_DEV_UI_PORT: z.preprocess(emptyAsUndefined, portNumber.optional()),
    DEMO_TIMEOUT_SECONDS: positiveInt(180),
    CLUSTER_POSTGRES_PORT: port(5433),

    BRIDGE_HOST: nonEmpty().default('127.0.0.1'),
    BRIDGE_PORT: port(8787),
    BRIDGE_PUBLIC_URL: optionalString.pipe(httpUrl().optional()),
    BRIDGE_API_TOKENS: optionalString,
    BRIDGE_WEBHOOK_SECRETS: optionalString,
    BRIDGE_MAX_BODY_BYTES: positiveInt(64 * 1024),
    BRIDGE_WEB_UI_URL: optionalString.pipe(httpUrl().optional()),
    BRIDGE_METRICS: booleanFlag(true),
    BRIDGE_METRICS_STAGE_COUNT_TTL: duration('30s').refine((d) => toMilliseconds(d) >= 1_000, 'must be at least 1s'),
    BRIDGE_WEBHOOK_MAX_AGE: duration('24h').refine((d) => toMilliseconds(d) >= 60_000, 'must be at least 1m'),
    BRIDGE_WEBHOOK_CUSTOMER_BURST: positiveInt(20),
    BRIDGE_WEBHOOK_CUSTOMER_PER_MINUTE: positiveInt(6),
    BRIDGE_WEBHOOK_RECENT_KEYS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be ≥ 0').default(10_000),

    CODEC_KEYS: optionalString,
    CODEC_KEYS_FILE: optionalString,
    CODEC_SERVER_HOST: nonEmpty().default('127.0.0.1'),
    CODEC_SERVER_PORT: port(8888),
    CODEC_SERVER_TOKEN: optionalString,
    CODEC_CORS_ORIGINS: nonEmpty().default('http://localhost:8233,http://127.0.0.1:8233'),

    SECRETS_KEYS: optionalString,
    SECRETS_KEYS_FILE: optionalString,
    SECRETS_PUBLIC_KEY: optionalString,
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.WORKER_DEPLOYMENT_NAME) !== Boolean(env.WORKER_BUILD_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.WORKER_DEPLOYMENT_NAME ? 'WORKER_BUILD_ID' : 'WORKER_DEPLOYMENT_NAME'],
        message: 'WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID must be set together (worker versioning)',
      });
    }
    if (Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH'],
        message: 'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together (mTLS client certificate)',
      });
    }
    if (env.NODE_ENV === 'production') {
      for (const name of ['VOBIZ_PARTNER_AUTH_ID', 'VOBIZ_PARTNER_AUTH_TOKEN'] as const) {
        if (!env[name]) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'is required when NODE_ENV=production' });
        }
      }
      if (!env.VOBIZ_BASE_URL?.startsWith('https://')) {
        ctx.addIssue({ code: 'custom', path: ['VOBIZ_BASE_URL'], message: 'must be https:// when NODE_ENV=production' });
      }
    }
  });

type Env = z.infer<typeof EnvSchema>;

/** Every environment variable the project reads (each is documented in .env.example). */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** TLS settings; `undefined` means plaintext (the local dev server). */
  tls?: { serverName?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  apiKey?: string;
}

export interface WorkerConfig {
  maxCachedWorkflows: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
  /** Milliseconds running activities may finish after SIGINT/SIGTERM. */
  shutdownGraceTimeMs: number;
  /** Prebuilt workflow bundle, used when NODE_ENV=production (`npm run build` writes it). */
  workflowBundlePath: string;
  metricsAddress?: string;
  /** How often the partner-wide KYC sweep runs (its Temporal Schedule's interval), in milliseconds. */
  kycSweepIntervalMs: number;
  /** The sweep's safety net: every open KYC session is paged at least this often, whatever the totals say. */
  kycSweepFullPagingEveryMs: number;
  /** Worker versioning: this worker is build `buildId` of Worker Deployment `deploymentName` (both or neither). */
  deployment?: { deploymentName: string; buildId: string };
}

export interface VobizConfig {
  baseUrl: string;
  partnerAuthId: string;
  partnerAuthToken: string;
  /** `Account` (reference pages) or `account` (partner flow page) in customer API paths. */
  customerPathStyle: 'Account' | 'account';
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** The partner's rate budget to Vobiz: the Vobiz task queue's activity rate and each worker's request limit. */
  maxRequestsPerSecond?: number;
}

export interface SandboxConfig {
  host: string;
  port: number;
  publicUrl: string;
  partnerAuthId: string;
  partnerAuthToken: string;
  partnerBalance: number;
  dbPath: string;
  webhookMaxAttempts: number;
  webhookInitialBackoffMs: number;
  /** The partner's `max_accounts` (Vobiz documents 1000); raised for fleet benchmarks. */
  maxAccounts: number;
}

export interface CodecConfig {
  /** Newest first: the first encrypts, all decrypt. */
  keys: CodecKey[];
  /** True when no key was configured (development/test only) and the insecure development key is in use. */
  usingDevelopmentKey: boolean;
  server: { host: string; port: number; token?: string; corsOrigins: string[] };
}

/**
 * Sealed secrets (the customer's password). A different key, and a different holder, from the codec's: the private
 * keys belong only to the worker that creates accounts; edges seal with the public key; the codec server has neither.
 */
export interface SecretsConfig {
  /** The worker's X25519 private keys (any order: a sealed value names its key). Empty where none is configured. */
  unsealingKeys: UnsealingKey[];
  /** What edges seal with: SECRETS_PUBLIC_KEY, else the first unsealing key's public half; undefined if neither. */
  sealingKey?: SealingKey;
  /** True when nothing was configured (development/test only) and the insecure development key pair is in use. */
  usingDevelopmentKey: boolean;
}

export interface BridgeConfig {
  host: string;
  port: number;
  /** Base URL others reach the bridge at; the KYC webhook URL given to Vobiz is derived from it. */
  publicUrl: string;
  kycWebhookUrl: string;
  /** Bearer tokens accepted on the start API (several during rotation). */
  apiTokens: string[];
  /** True when no token was configured (development/test only) and the documented `dev-bridge-token` is in use. */
  usingDevelopmentApiToken: boolean;
  /** HMAC keys for `X-Vobiz-Signature`; all are tried, so a rotation needs no downtime. */
  webhookSecrets: string[];
  maxBodyBytes: number;
  /** Temporal Web UI base, for the links the start API and the CLI print. */
  webUiUrl: string;
  /** GET /metrics (Prometheus text) is served; customers-by-stage counts are reused for `stageCountTtlMs`. */
  metrics: { enabled: boolean; stageCountTtlMs: number };
  /** What keeps KYC webhooks from flooding a customer (src/bridge/webhook-guards.ts, docs/bridge.md). */
  webhookGuards: WebhookGuardSettings;
}

export interface WebhookGuardSettings {
  /** A delivery whose `timestamp` / `updated_at` is older than this is refused as stale. */
  maxEventAgeMs: number;
  /** Deliveries one customer may send at once (the token bucket's size) … */
  customerBurst: number;
  /** … and per minute after that (its refill). */
  customerPerMinute: number;
  /** Event keys this bridge remembers as delivered, so an exact replay costs no Temporal call (0: none). */
  recentKeys: number;
}

/** The local system that `npm start` and `npm run demo` bring up. */
export interface DevConfig {
  /** Folder for local state: the dev server's and the sandbox's SQLite files. */
  dataDir: string;
  temporalPort: number;
  temporalUiPort: number;
  /** TEMPORAL_ADDRESS was set: use that server instead of starting a dev server. */
  externalTemporal: boolean;
  /** VOBIZ_BASE_URL was set: talk to that Vobiz instead of starting the sandbox. */
  externalVobiz: boolean;
  /** How long `npm run demo` waits for its customer to become active. */
  demoTimeoutMs: number;
  /** Port of the private PostgreSQL `npm run cluster` starts. */
  clusterPostgresPort: number;
}

export interface AppConfig {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  temporal: TemporalConfig;
  worker: WorkerConfig;
  vobiz: VobizConfig;
  sandbox: SandboxConfig;
  codec: CodecConfig;
  secrets: SecretsConfig;
  bridge: BridgeConfig;
  dev: DevConfig;
}

/** Raised for a bad environment; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const readFile = (name: string, path: string | undefined): Buffer | undefined => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      problems.push(`${name}: cannot read file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const crt = readFile('TEMPORAL_TLS_CERT_PATH', e.TEMPORAL_TLS_CERT_PATH);
  const key = readFile('TEMPORAL_TLS_KEY_PATH', e.TEMPORAL_TLS_KEY_PATH);
  const ca = readFile('TEMPORAL_TLS_CA_PATH', e.TEMPORAL_TLS_CA_PATH);
  const codec = loadCodecConfig(e, problems);
  const secrets = loadSecretsConfig(e, problems);
  const bridge = loadBridgeConfig(e, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  // Temporal Cloud with an API key, or any mTLS setting, implies TLS.
  const useTls = e.TEMPORAL_TLS || Boolean(crt) || Boolean(ca) || Boolean(e.TEMPORAL_API_KEY);
  const sandboxPublicUrl = e.SANDBOX_PUBLIC_URL ?? `http://${e.SANDBOX_HOST}:${e.SANDBOX_PORT}`;

  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_DEV_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      tls: useTls
        ? {
            ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
            ...(ca ? { serverRootCACertificate: ca } : {}),
            ...(crt && key ? { clientCertPair: { crt, key } } : {}),
          }
        : undefined,
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
    },
    worker: {
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      shutdownGraceTimeMs: toMilliseconds(e.WORKER_SHUTDOWN_GRACE_TIME),
      workflowBundlePath: e.WORKER_WORKFLOW_BUNDLE,
      ...(e.WORKER_METRICS_ADDRESS ? { metricsAddress: e.WORKER_METRICS_ADDRESS } : {}),
      kycSweepIntervalMs: toMilliseconds(e.KYC_SWEEP_INTERVAL),
      kycSweepFullPagingEveryMs: toMilliseconds(e.KYC_SWEEP_FULL_PAGING_EVERY),
      ...(e.WORKER_DEPLOYMENT_NAME && e.WORKER_BUILD_ID ? { deployment: { deploymentName: e.WORKER_DEPLOYMENT_NAME, buildId: e.WORKER_BUILD_ID } } : {}),
    },
    vobiz: {
      baseUrl: e.VOBIZ_BASE_URL ?? `http://${e.SANDBOX_HOST === '0.0.0.0' ? '127.0.0.1' : e.SANDBOX_HOST}:${e.SANDBOX_PORT}`,
      // Outside production, unset Vobiz credentials fall back to the sandbox's, so `npm start` needs no setup.
      partnerAuthId: e.VOBIZ_PARTNER_AUTH_ID ?? e.SANDBOX_PARTNER_AUTH_ID,
      partnerAuthToken: e.VOBIZ_PARTNER_AUTH_TOKEN ?? e.SANDBOX_PARTNER_AUTH_TOKEN,
      customerPathStyle: e.VOBIZ_CUSTOMER_PATH_STYLE,
      connectTimeoutMs: e.VOBIZ_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.VOBIZ_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.VOBIZ_BODY_TIMEOUT_MS,
      maxRequestsPerSecond: e.VOBIZ_MAX_REQUESTS_PER_SECOND,
    },
    sandbox: {
      host: e.SANDBOX_HOST,
      port: e.SANDBOX_PORT,
      publicUrl: sandboxPublicUrl,
      partnerAuthId: e.SANDBOX_PARTNER_AUTH_ID,
      partnerAuthToken: e.SANDBOX_PARTNER_AUTH_TOKEN,
      partnerBalance: e.SANDBOX_PARTNER_BALANCE,
      dbPath: e.SANDBOX_DB_PATH ?? `${e.DATA_DIR}/sandbox.sqlite`,
      webhookMaxAttempts: e.SANDBOX_WEBHOOK_MAX_ATTEMPTS,
      webhookInitialBackoffMs: e.SANDBOX_WEBHOOK_INITIAL_BACKOFF_MS,
      maxAccounts: e.SANDBOX_MAX_ACCOUNTS,
    },
    codec,
    secrets,
    bridge,
    dev: {
      dataDir: e.DATA_DIR,
      temporalPort: e.TEMPORAL_DEV_PORT,
      temporalUiPort: e.TEMPORAL_DEV_UI_PORT ?? e.TEMPORAL_DEV_PORT + 1000,
      externalTemporal: env.TEMPORAL_ADDRESS !== undefined && env.TEMPORAL_ADDRESS !== '',
      externalVobiz: env.VOBIZ_BASE_URL !== undefined && env.VOBIZ_BASE_URL !== '',
      demoTimeoutMs: e.DEMO_TIMEOUT_SECONDS * 1000,
      clusterPostgresPort: e.CLUSTER_POSTGRES_PORT,
    },
  };
}

/** The fixed, documented start-API token used only in development/test when BRIDGE_API_TOKENS is unset. */
export const DEVELOPMENT_BRIDGE_API_TOKEN = 'dev-bridge-token';

/**
 * The webhook bridge and start API. Webhook secrets default to the partner auth token (the key Vobiz signs with);
 * API tokens are never generated: production must name them, development falls back to a documented fixed token.
 */
function loadBridgeConfig(e: Env, problems: string[]): BridgeConfig {
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  let apiTokens = list(e.BRIDGE_API_TOKENS);
  const usingDevelopmentApiToken = apiTokens.length === 0 && e.NODE_ENV !== 'production';
  if (e.NODE_ENV === 'production') {
    if (apiTokens.length === 0) problems.push('BRIDGE_API_TOKENS: is required when NODE_ENV=production (comma-separated bearer tokens)');
    if (apiTokens.includes(DEVELOPMENT_BRIDGE_API_TOKEN)) {
      problems.push(`BRIDGE_API_TOKENS: the development token "${DEVELOPMENT_BRIDGE_API_TOKEN}" must not be used when NODE_ENV=production`);
    }
  }
  if (usingDevelopmentApiToken) apiTokens = [DEVELOPMENT_BRIDGE_API_TOKEN];
  const configuredSecrets = list(e.BRIDGE_WEBHOOK_SECRETS);
  const partnerToken = e.VOBIZ_PARTNER_AUTH_TOKEN ?? e.SANDBOX_PARTNER_AUTH_TOKEN;
  const publicUrl = e.BRIDGE_PUBLIC_URL ?? `http://${e.BRIDGE_HOST}:${e.BRIDGE_PORT}`;
  return {
    host: e.BRIDGE_HOST,
    port: e.BRIDGE_PORT,
    publicUrl,
    kycWebhookUrl: `${publicUrl}/webhooks/vobiz/kyc`,
    apiTokens,
    usingDevelopmentApiToken,
    webhookSecrets: configuredSecrets.length > 0 ? configuredSecrets : [partnerToken],
    maxBodyBytes: e.BRIDGE_MAX_BODY_BYTES,
    webUiUrl: e.BRIDGE_WEB_UI_URL ?? `http://localhost:${e.TEMPORAL_DEV_UI_PORT ?? e.TEMPORAL_DEV_PORT + 1000}`,
    metrics: { enabled: e.BRIDGE_METRICS, stageCountTtlMs: toMilliseconds(e.BRIDGE_METRICS_STAGE_COUNT_TTL) },
    webhookGuards: {
      maxEventAgeMs: toMilliseconds(e.BRIDGE_WEBHOOK_MAX_AGE),
      customerBurst: e.BRIDGE_WEBHOOK_CUSTOMER_BURST,
      customerPerMinute: e.BRIDGE_WEBHOOK_CUSTOMER_PER_MINUTE,
      recentKeys: e.BRIDGE_WEBHOOK_RECENT_KEYS,
    },
  };
}

/**
 * Payload encryption keys and the codec server. Keys never come from the repo: CODEC_KEYS or a CODEC_KEYS_FILE
 * outside it. Outside production a missing key falls back to the insecure development key so `npm start` needs no
 * setup; in production a missing key (or that development key) is a configuration error, never a silent default.
 */
function loadCodecConfig(e: Env, problems: string[]): CodecConfig {
  let keys: CodecKey[] = [];
  if (e.CODEC_KEYS && e.CODEC_KEYS_FILE) {
    problems.push('CODEC_KEYS_FILE: set either CODEC_KEYS or CODEC_KEYS_FILE, not both');
  } else if (e.CODEC_KEYS) {
    const parsed = parseKeyList(e.CODEC_KEYS);
    problems.push(...parsed.problems);
    keys = parsed.keys;
  } else if (e.CODEC_KEYS_FILE) {
    let contents: string | undefined;
    try {
      contents = readFileSync(e.CODEC_KEYS_FILE, 'utf8');
    } catch (err) {
      problems.push(`CODEC_KEYS_FILE: cannot read file ${e.CODEC_KEYS_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (contents !== undefined) {
      const parsed = parseKeyFile(contents);
      problems.push(...parsed.problems);
      keys = parsed.keys;
    }
  } else if (e.NODE_ENV === 'production') {
    problems.push('CODEC_KEYS: is required when NODE_ENV=production (or set CODEC_KEYS_FILE); generate one with `npm run codec:new-key`');
  }
  if (e.NODE_ENV === 'production' && keys.some((k) => k.keyMaterial.equals(DEVELOPMENT_KEY.keyMaterial))) {
    problems.push('CODEC_KEYS: the insecure development key must not be used when NODE_ENV=production');
  }
  const usingDevelopmentKey = keys.length === 0 && e.NODE_ENV !== 'production';

  const corsOrigins = e.CODEC_CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!isHttpOrigin(origin)) {
      problems.push(`CODEC_CORS_ORIGINS: "${origin}" must be an origin such as http://localhost:8233 (scheme://host[:port], no path)`);
    }
  }

  return {
    keys: usingDevelopmentKey ? [DEVELOPMENT_KEY] : keys,
    usingDevelopmentKey,
    server: {
      host: e.CODEC_SERVER_HOST,
      port: e.CODEC_SERVER_PORT,
      ...(e.CODEC_SERVER_TOKEN ? { token: e.CODEC_SERVER_TOKEN } : {}),
      corsOrigins,
    },
  };
}

/**
 * Sealed-secrets keys. Only the account-creating worker needs the private keys, so a missing SECRETS_KEYS is not a
 * problem for the bridge, CLI or codec server: `requireUnsealingKeys` makes it one for the worker. Outside production,
 * when none of the three variables is set, every process uses the insecure development key pair; production refuses
 * that pair wherever it appears.
 */
function loadSecretsConfig(e: Env, problems: string[]): SecretsConfig {
  let unsealingKeys: UnsealingKey[] = [];
  if (e.SECRETS_KEYS && e.SECRETS_KEYS_FILE) {
    problems.push('SECRETS_KEYS_FILE: set either SECRETS_KEYS or SECRETS_KEYS_FILE, not both');
  } else if (e.SECRETS_KEYS) {
    const parsed = parseUnsealingKeys(e.SECRETS_KEYS, 'list', 'SECRETS_KEYS');
    problems.push(...parsed.problems);
    unsealingKeys = parsed.keys;
  } else if (e.SECRETS_KEYS_FILE) {
    let contents: string | undefined;
    try {
      contents = readFileSync(e.SECRETS_KEYS_FILE, 'utf8');
    } catch (err) {
      problems.push(`SECRETS_KEYS_FILE: cannot read file ${e.SECRETS_KEYS_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (contents !== undefined) {
      const parsed = parseUnsealingKeys(contents, 'file', 'SECRETS_KEYS_FILE');
      problems.push(...parsed.problems);
      unsealingKeys = parsed.keys;
    }
  }
  let sealingKey: SealingKey | undefined;
  if (e.SECRETS_PUBLIC_KEY) {
    const parsed = parseSealingKey(e.SECRETS_PUBLIC_KEY, 'SECRETS_PUBLIC_KEY');
    problems.push(...parsed.problems);
    sealingKey = parsed.key;
  } else if (unsealingKeys[0]) {
    sealingKey = sealingKeyOf(unsealingKeys[0]);
  }
  const usingDevelopmentKey = !e.SECRETS_KEYS && !e.SECRETS_KEYS_FILE && !e.SECRETS_PUBLIC_KEY && e.NODE_ENV !== 'production';
  if (e.NODE_ENV === 'production') {
    if (unsealingKeys.some(isDevelopmentKey)) problems.push('SECRETS_KEYS: the insecure development key must not be used when NODE_ENV=production');
    if (e.SECRETS_PUBLIC_KEY && sealingKey && isDevelopmentKey(sealingKey)) {
      problems.push('SECRETS_PUBLIC_KEY: the insecure development key must not be used when NODE_ENV=production');
    }
  }
  return usingDevelopmentKey
    ? { unsealingKeys: [DEVELOPMENT_SECRETS_KEY], sealingKey: sealingKeyOf(DEVELOPMENT_SECRETS_KEY), usingDevelopmentKey }
    : { unsealingKeys, ...(sealingKey ? { sealingKey } : {}), usingDevelopmentKey };
}

/**
 * The worker opens sealed passwords for the Vobiz call, so it does not start without a key to open them with
 * (in production SECRETS_KEYS or SECRETS_KEYS_FILE is required; elsewhere the development key stands in).
 */
export function requireUnsealingKeys(config: AppConfig): UnsealingKey[] {
  if (config.secrets.unsealingKeys.length === 0) {
    throw new ConfigError([
      config.env === 'production'
        ? 'SECRETS_KEYS: is required to run the worker when NODE_ENV=production (or set SECRETS_KEYS_FILE); generate a pair with `npm run secrets:new-key`'
        : 'SECRETS_KEYS: the worker needs the secrets private keys (SECRETS_KEYS or SECRETS_KEYS_FILE) when SECRETS_PUBLIC_KEY is set',
    ]);
  }
  return config.secrets.unsealingKeys;
}

function isHttpOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * Entry points call this: on a bad environment it prints every problem to stderr and exits non-zero, instead of
 * a stack trace.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable, its rule and its default.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

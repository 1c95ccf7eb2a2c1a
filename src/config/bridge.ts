/**
 * The bridge's settings (`npm run bridge`, `node dist/bridge/main.js`): Temporal, the codec keys, where it listens,
 * the start API's bearer tokens, the webhook signing secrets, and its metrics listener. It never reads the secrets
 * private keys, the codec server's settings or the partner's auth id; the partner token only as the default webhook
 * signing secret (the key Vobiz signs with), and only when BRIDGE_WEBHOOK_SECRETS is not given.
 */
import { z } from 'zod';
import { bridgeAddress, BRIDGE_ADDRESS, type BridgeAddress } from './bridge-address.js';
import { codecKeys, CODEC_KEYS, type CodecConfig } from './codec-keys.js';
import { booleanFlag, duration, list, nonEmpty, optionalString, parseEnvironment, positiveInt } from './fields.js';
import { checkProductionTokens, general, GENERAL, type GeneralConfig, type RunMode } from './general.js';
import { onboardingEdges, ONBOARDING_EDGES, type OnboardingEdgeConfig } from './onboarding-edges.js';
import { onboardingLimits, ONBOARDING_LIMITS, type OnboardingConfig } from './onboarding-limits.js';
import { readSecret } from './private-files.js';
import { temporal, TEMPORAL, type TemporalConfig } from './temporal.js';
import { tracing, TRACING, type TracingConfig } from './tracing.js';
import { SANDBOX_DEFAULT_PARTNER_AUTH_TOKEN } from './vobiz.js';
import type { WebhookSecretSource } from '../checks/bridge-settings.js';
import { durationMs } from '../workflows/duration.js';

/** The fixed, documented start-API token used only in development/test when BRIDGE_API_TOKENS is unset. */
export const DEVELOPMENT_BRIDGE_API_TOKEN = 'dev-bridge-token';

export const BRIDGE = {
  BRIDGE_API_TOKENS: optionalString,
  BRIDGE_API_TOKENS_FILE: optionalString,
  BRIDGE_READ_TOKENS: optionalString,
  BRIDGE_READ_TOKENS_FILE: optionalString,
  BRIDGE_WEBHOOK_SECRETS: optionalString,
  BRIDGE_WEBHOOK_SECRETS_FILE: optionalString,
  BRIDGE_MAX_BODY_BYTES: positiveInt(64 * 1024),
  BRIDGE_METRICS: booleanFlag(true),
  // Its own listener, not the public webhook port: loopback unless a deployment opens it to its Prometheus.
  BRIDGE_METRICS_ADDRESS: nonEmpty()
    .regex(/^[^:\s]+:\d+$/, 'must be host:port, e.g. 127.0.0.1:9465')
    .refine((a) => Number(a.split(':')[1]) <= 65535, 'the port must be between 0 and 65535')
    .default('127.0.0.1:9465'),
  BRIDGE_METRICS_STAGE_COUNT_TTL: duration('30s', '1s'),
  BRIDGE_WEBHOOK_MAX_AGE: duration('24h', '1m'),
  BRIDGE_WEBHOOK_CUSTOMER_BURST: positiveInt(20),
  BRIDGE_WEBHOOK_CUSTOMER_PER_MINUTE: positiveInt(6),
  // `optional` takes unsigned KYC deliveries as hints, for a Vobiz account that does not sign them; a delivery with
  // a wrong signature is refused either way.
  BRIDGE_WEBHOOK_SIGNATURE: z.enum(['required', 'optional'], { error: 'must be required or optional' }).default('required'),
  BRIDGE_WEBHOOK_RECENT_KEYS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be ≥ 0').default(10_000),
  // The default webhook signing secret: the partner token Vobiz signs with (the sandbox's outside production).
  VOBIZ_PARTNER_AUTH_TOKEN: optionalString,
  VOBIZ_PARTNER_AUTH_TOKEN_FILE: optionalString,
  SANDBOX_PARTNER_AUTH_TOKEN: nonEmpty().default(SANDBOX_DEFAULT_PARTNER_AUTH_TOKEN),
};

export interface BridgeConfig extends BridgeAddress, OnboardingEdgeConfig {
  /** Bearer tokens accepted on the start API (several during rotation). */
  apiTokens: string[];
  /** Bearer tokens that may read (GET routes, /openapi.json) but not start or act. */
  readTokens: string[];
  /** True when no token was configured (development/test only) and the documented `dev-bridge-token` is in use. */
  usingDevelopmentApiToken: boolean;
  /** HMAC keys for `X-Vobiz-Signature`; all are tried, so a rotation needs no downtime. */
  webhookSecrets: string[];
  /** Where they came from (named by the start-up check; never the values). */
  webhookSecretSource: WebhookSecretSource;
  /**
   * `required`: a delivery without `X-Vobiz-Signature` is refused (401). `optional`: it is taken as a hint, for
   * accounts Vobiz does not sign for (the workflow confirms every outcome with the API; the flood limits apply).
   * A signature that is present and wrong is refused in both.
   */
  webhookSignature: 'required' | 'optional';
  maxBodyBytes: number;
  /**
   * GET /metrics (Prometheus text) on its own listener at `host:port` (port 0: any free port), never on the public
   * webhook port; customers-by-stage counts are reused for `stageCountTtlMs`.
   */
  metrics: { enabled: boolean; host: string; port: number; stageCountTtlMs: number };
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

type BridgeEnv = z.infer<z.ZodObject<typeof BRIDGE>> & { NODE_ENV: RunMode };

export function bridgeSection(e: BridgeEnv, address: BridgeAddress, edges: OnboardingEdgeConfig, problems: string[]): BridgeConfig {
  // A file may hold one token per line as well as comma-separated.
  const secretList = (name: string) => list(readSecret(e, name, problems)?.replace(/\r?\n/g, ','));
  let apiTokens = secretList('BRIDGE_API_TOKENS');
  const usingDevelopmentApiToken = apiTokens.length === 0 && e.NODE_ENV !== 'production' && !e.BRIDGE_API_TOKENS_FILE;
  if (e.NODE_ENV === 'production') {
    if (apiTokens.length === 0 && !e.BRIDGE_API_TOKENS_FILE) {
      problems.push('BRIDGE_API_TOKENS: is required when NODE_ENV=production (comma-separated bearer tokens, or BRIDGE_API_TOKENS_FILE)');
    }
    if (apiTokens.includes(DEVELOPMENT_BRIDGE_API_TOKEN)) {
      problems.push(`BRIDGE_API_TOKENS: the development token "${DEVELOPMENT_BRIDGE_API_TOKEN}" must not be used when NODE_ENV=production`);
    }
    checkProductionTokens('BRIDGE_API_TOKENS', apiTokens, problems);
  }
  if (usingDevelopmentApiToken) apiTokens = [DEVELOPMENT_BRIDGE_API_TOKEN];

  const readTokens = secretList('BRIDGE_READ_TOKENS');
  if (e.NODE_ENV === 'production') checkProductionTokens('BRIDGE_READ_TOKENS', readTokens, problems);
  if (readTokens.some((t) => apiTokens.includes(t))) {
    problems.push('BRIDGE_READ_TOKENS: must not repeat a token of BRIDGE_API_TOKENS (a read token may read but not start or act)');
  }

  let webhookSecrets = secretList('BRIDGE_WEBHOOK_SECRETS');
  let webhookSecretSource: WebhookSecretSource = 'BRIDGE_WEBHOOK_SECRETS';
  if (webhookSecrets.length === 0 && !e.BRIDGE_WEBHOOK_SECRETS_FILE) {
    const partnerToken = readSecret(e, 'VOBIZ_PARTNER_AUTH_TOKEN', problems);
    webhookSecretSource = partnerToken || e.NODE_ENV === 'production' ? 'VOBIZ_PARTNER_AUTH_TOKEN' : 'SANDBOX_PARTNER_AUTH_TOKEN';
    if (partnerToken) webhookSecrets = [partnerToken];
    else if (e.NODE_ENV !== 'production') webhookSecrets = [e.SANDBOX_PARTNER_AUTH_TOKEN];
    else if (!e.VOBIZ_PARTNER_AUTH_TOKEN_FILE) {
      problems.push(
        'BRIDGE_WEBHOOK_SECRETS: is required when NODE_ENV=production: the partner auth token Vobiz signs webhooks with (or VOBIZ_PARTNER_AUTH_TOKEN, or a *_FILE form)',
      );
    }
  }
  const [metricsHost = '127.0.0.1', metricsPort = '9465'] = e.BRIDGE_METRICS_ADDRESS.split(':');
  return {
    ...address,
    ...edges,
    apiTokens,
    readTokens,
    usingDevelopmentApiToken,
    webhookSecrets,
    webhookSecretSource,
    webhookSignature: e.BRIDGE_WEBHOOK_SIGNATURE,
    maxBodyBytes: e.BRIDGE_MAX_BODY_BYTES,
    metrics: {
      enabled: e.BRIDGE_METRICS,
      host: metricsHost,
      port: Number(metricsPort),
      stageCountTtlMs: durationMs(e.BRIDGE_METRICS_STAGE_COUNT_TTL),
    },
    webhookGuards: {
      maxEventAgeMs: durationMs(e.BRIDGE_WEBHOOK_MAX_AGE),
      customerBurst: e.BRIDGE_WEBHOOK_CUSTOMER_BURST,
      customerPerMinute: e.BRIDGE_WEBHOOK_CUSTOMER_PER_MINUTE,
      recentKeys: e.BRIDGE_WEBHOOK_RECENT_KEYS,
    },
  };
}

/** Every variable the bridge reads. */
export const BRIDGE_PROCESS = { ...GENERAL, ...TEMPORAL, ...CODEC_KEYS, ...BRIDGE_ADDRESS, ...ONBOARDING_EDGES, ...ONBOARDING_LIMITS, ...TRACING, ...BRIDGE };

interface BridgeProcessConfig extends GeneralConfig {
  temporal: TemporalConfig;
  codec: CodecConfig;
  bridge: BridgeConfig;
  /** What one onboarding may ask for (the CLI applies the same). */
  onboarding: OnboardingConfig;
  /** Traces of its requests and the Temporal calls they make; undefined (the default): no hook, no interceptor. */
  tracing: TracingConfig | undefined;
}

export function loadBridgeConfig(env: NodeJS.ProcessEnv = process.env): BridgeProcessConfig {
  return parseEnvironment(BRIDGE_PROCESS, env, (e, problems) => ({
    ...general(e),
    temporal: temporal(e, problems),
    codec: codecKeys(e, problems),
    bridge: bridgeSection(e, bridgeAddress(e, problems), onboardingEdges(e), problems),
    onboarding: onboardingLimits(e, problems),
    tracing: tracing(e, 'vobiz-lifecycle-bridge', problems),
  }));
}

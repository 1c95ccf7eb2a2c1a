/**
 * The operator CLI's settings (`npm run cli`, `node dist/cli/main.js`): Temporal, the codec keys, Vobiz and the
 * partner credentials (its Vobiz commands read the partner's and customers' records), the public key it seals
 * passwords with, what every onboarding edge reads, where the bridge answers (the doctor reads its /readyz) and where
 * traces go (off by default). Never the secrets private keys or any server's tokens.
 */
import type { z } from 'zod';
import { BRIDGE_ADDRESS } from './bridge-address.js';
import { codecKeys, CODEC_KEYS, type CodecConfig } from './codec-keys.js';
import { parseEnvironment } from './fields.js';
import { general, GENERAL, type GeneralConfig } from './general.js';
import { onboardingEdges, ONBOARDING_EDGES, type OnboardingEdgeConfig } from './onboarding-edges.js';
import { onboardingLimits, ONBOARDING_LIMITS, type OnboardingConfig } from './onboarding-limits.js';
import { sealingKey, SECRETS_PUBLIC_KEY, type SealingConfig } from './secrets-keys.js';
import { temporal, TEMPORAL, type TemporalConfig } from './temporal.js';
import { tracing, TRACING, type TracingConfig } from './tracing.js';
import { vobiz, VOBIZ, type VobizConfig } from './vobiz.js';

/** Every variable the CLI reads. */
export const CLI_PROCESS = { ...GENERAL, ...TEMPORAL, ...CODEC_KEYS, ...VOBIZ, ...SECRETS_PUBLIC_KEY, ...ONBOARDING_EDGES, ...ONBOARDING_LIMITS, ...BRIDGE_ADDRESS, ...TRACING };

export interface CliConfig extends GeneralConfig {
  temporal: TemporalConfig;
  codec: CodecConfig;
  vobiz: VobizConfig;
  secrets: SealingConfig;
  edges: OnboardingEdgeConfig;
  /** What one onboarding may ask for (the start API applies the same). */
  onboarding: OnboardingConfig;
  /** For the hint when Temporal does not answer: TEMPORAL_ADDRESS given, or the dev server on TEMPORAL_DEV_PORT. */
  dev: { externalTemporal: boolean; temporalPort: number; externalVobiz: boolean };
  /**
   * Where the doctor finds the bridge: BRIDGE_PUBLIC_URL, else BRIDGE_HOST:BRIDGE_PORT. Not held to production's
   * https rule here: the CLI serves no webhook, and an operator may reach the bridge another way.
   */
  bridgeUrl: string;
  /** Traces of the Temporal calls and Vobiz requests a command makes; undefined (the default): none. */
  tracing: TracingConfig | undefined;
}

function bridgeUrlOf(e: z.infer<z.ZodObject<typeof BRIDGE_ADDRESS>>): string {
  const host = e.BRIDGE_HOST === '0.0.0.0' || e.BRIDGE_HOST === '::' ? '127.0.0.1' : e.BRIDGE_HOST;
  return (e.BRIDGE_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${e.BRIDGE_PORT}`).replace(/\/$/, '');
}

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return parseEnvironment(CLI_PROCESS, env, (e, problems) => ({
    ...general(e),
    temporal: temporal(e, problems),
    codec: codecKeys(e, problems),
    vobiz: vobiz(e, problems),
    secrets: sealingKey(e, problems),
    edges: onboardingEdges(e),
    onboarding: onboardingLimits(e, problems),
    dev: { externalTemporal: e.TEMPORAL_ADDRESS !== undefined, temporalPort: e.TEMPORAL_DEV_PORT, externalVobiz: e.VOBIZ_BASE_URL !== undefined },
    bridgeUrl: bridgeUrlOf(e),
    tracing: tracing(e, 'vobiz-lifecycle-cli', problems),
  }));
}

/**
 * The operator CLI's settings (`npm run cli`, `node dist/cli/main.js`): Temporal, the codec keys, Vobiz and the
 * partner credentials (its Vobiz commands read the partner's and customers' records), the public key it seals
 * passwords with, what every onboarding edge reads, and where traces go (off by default). Never the secrets private keys or any server's tokens.
 */
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
export const CLI_PROCESS = { ...GENERAL, ...TEMPORAL, ...CODEC_KEYS, ...VOBIZ, ...SECRETS_PUBLIC_KEY, ...ONBOARDING_EDGES, ...ONBOARDING_LIMITS, ...TRACING };

export interface CliConfig extends GeneralConfig {
  temporal: TemporalConfig;
  codec: CodecConfig;
  vobiz: VobizConfig;
  secrets: SealingConfig;
  edges: OnboardingEdgeConfig;
  /** What one onboarding may ask for (the start API applies the same). */
  onboarding: OnboardingConfig;
  /** For the hint when Temporal does not answer: TEMPORAL_ADDRESS given, or the dev server on TEMPORAL_DEV_PORT. */
  dev: { externalTemporal: boolean; temporalPort: number };
  /** Traces of the Temporal calls and Vobiz requests a command makes; undefined (the default): none. */
  tracing: TracingConfig | undefined;
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
    dev: { externalTemporal: e.TEMPORAL_ADDRESS !== undefined, temporalPort: e.TEMPORAL_DEV_PORT },
    tracing: tracing(e, 'vobiz-lifecycle-cli', problems),
  }));
}

/**
 * Tools that only read and write Temporal through an encrypting client (the replay gate, the chaos runner, the fleet
 * bench): the Temporal connection and the codec keys, nothing else.
 */
import { codecKeys, CODEC_KEYS, type CodecConfig } from './codec-keys.js';
import { parseEnvironment } from './fields.js';
import { general, GENERAL, type GeneralConfig } from './general.js';
import { temporal, TEMPORAL, type TemporalConfig } from './temporal.js';

export const TEMPORAL_CLIENT_PROCESS = { ...GENERAL, ...TEMPORAL, ...CODEC_KEYS };

interface TemporalClientConfig extends GeneralConfig {
  temporal: TemporalConfig;
  codec: CodecConfig;
}

export function loadTemporalClientConfig(env: NodeJS.ProcessEnv = process.env): TemporalClientConfig {
  return parseEnvironment(TEMPORAL_CLIENT_PROCESS, env, (e, problems) => ({
    ...general(e),
    temporal: temporal(e, problems),
    codec: codecKeys(e, problems),
  }));
}

/**
 * Payload encryption keys, read by every process that encrypts or decrypts payloads: worker, bridge, CLI, codec
 * server, local orchestration. Keys never come from the repo: CODEC_KEYS or a private CODEC_KEYS_FILE outside it.
 * Outside production a missing key falls back to the insecure development key so `npm start` needs no setup; in
 * production a missing key (or that development key) is a configuration error, never a silent default.
 */
import type { z } from 'zod';
import { DEVELOPMENT_KEY, parseKeyFile, parseKeyList, type CodecKey } from '../codec/keys.js';
import { optionalString } from './fields.js';
import type { RunMode } from './general.js';
import { readPrivateFile } from './private-files.js';

export const CODEC_KEYS = {
  CODEC_KEYS: optionalString,
  CODEC_KEYS_FILE: optionalString,
};
type CodecKeysEnv = z.infer<z.ZodObject<typeof CODEC_KEYS>>;

export interface CodecConfig {
  /** Newest first: the first encrypts, all decrypt. */
  keys: CodecKey[];
  /** True when no key was configured (development/test only) and the insecure development key is in use. */
  usingDevelopmentKey: boolean;
}

export function codecKeys(e: CodecKeysEnv & { NODE_ENV: RunMode }, problems: string[]): CodecConfig {
  let keys: CodecKey[] = [];
  if (e.CODEC_KEYS && e.CODEC_KEYS_FILE) {
    problems.push('CODEC_KEYS_FILE: set either CODEC_KEYS or CODEC_KEYS_FILE, not both');
  } else if (e.CODEC_KEYS) {
    const parsed = parseKeyList(e.CODEC_KEYS);
    problems.push(...parsed.problems);
    keys = parsed.keys;
  } else if (e.CODEC_KEYS_FILE) {
    const contents = readPrivateFile('CODEC_KEYS_FILE', e.CODEC_KEYS_FILE, problems);
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
  const usingDevelopmentKey = keys.length === 0 && !e.CODEC_KEYS && !e.CODEC_KEYS_FILE && e.NODE_ENV !== 'production';
  return { keys: usingDevelopmentKey ? [DEVELOPMENT_KEY] : keys, usingDevelopmentKey };
}

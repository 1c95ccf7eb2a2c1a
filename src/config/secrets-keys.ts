/**
 * Sealed-secrets keys (the customer's password): a different key, and different holders, from the codec's.
 *
 * - The X25519 private keys (SECRETS_KEYS / SECRETS_KEYS_FILE) open sealed passwords: read by the account-creating
 *   worker only (and the local orchestration that runs it). No other role's loader even looks at them.
 * - The public key (SECRETS_PUBLIC_KEY) only seals: read by the edges that seal (the CLI).
 *
 * Outside production, where nothing is configured, the insecure development pair stands in so `npm start` needs no
 * setup; production refuses that pair wherever it appears.
 */
import type { z } from 'zod';
import {
  DEVELOPMENT_SECRETS_KEY,
  isDevelopmentKey,
  parseSealingKey,
  parseUnsealingKeys,
  sealingKeyOf,
  type SealingKey,
  type UnsealingKey,
} from '../secrets/keys.js';
import { optionalString } from './fields.js';
import type { RunMode } from './general.js';
import { readPrivateFile } from './private-files.js';

export const SECRETS_PRIVATE_KEYS = {
  SECRETS_KEYS: optionalString,
  SECRETS_KEYS_FILE: optionalString,
};
export const SECRETS_PUBLIC_KEY = {
  SECRETS_PUBLIC_KEY: optionalString,
};

export interface UnsealingConfig {
  /** The worker's X25519 private keys (any order: a sealed value names its key). */
  unsealingKeys: UnsealingKey[];
  /** True when nothing was configured (development/test only) and the insecure development key pair is in use. */
  usingDevelopmentKey: boolean;
}

export interface SealingConfig {
  /** What this edge seals with; undefined in production when SECRETS_PUBLIC_KEY is not set. */
  sealingKey?: SealingKey;
  usingDevelopmentKey: boolean;
}

type PrivateEnv = z.infer<z.ZodObject<typeof SECRETS_PRIVATE_KEYS>> & { NODE_ENV: RunMode };
type PublicEnv = z.infer<z.ZodObject<typeof SECRETS_PUBLIC_KEY>> & { NODE_ENV: RunMode };

/** The worker's private keys: required in production, the development pair elsewhere when none is given. */
export function unsealingKeys(e: PrivateEnv, problems: string[]): UnsealingConfig {
  let keys: UnsealingKey[] = [];
  if (e.SECRETS_KEYS && e.SECRETS_KEYS_FILE) {
    problems.push('SECRETS_KEYS_FILE: set either SECRETS_KEYS or SECRETS_KEYS_FILE, not both');
  } else if (e.SECRETS_KEYS) {
    const parsed = parseUnsealingKeys(e.SECRETS_KEYS, 'list', 'SECRETS_KEYS');
    problems.push(...parsed.problems);
    keys = parsed.keys;
  } else if (e.SECRETS_KEYS_FILE) {
    const contents = readPrivateFile('SECRETS_KEYS_FILE', e.SECRETS_KEYS_FILE, problems);
    if (contents !== undefined) {
      const parsed = parseUnsealingKeys(contents, 'file', 'SECRETS_KEYS_FILE');
      problems.push(...parsed.problems);
      keys = parsed.keys;
    }
  } else if (e.NODE_ENV === 'production') {
    problems.push(
      'SECRETS_KEYS: is required to run the worker when NODE_ENV=production (or set SECRETS_KEYS_FILE); generate a pair with `npm run secrets:new-key`',
    );
  }
  if (e.NODE_ENV === 'production' && keys.some(isDevelopmentKey)) {
    problems.push('SECRETS_KEYS: the insecure development key must not be used when NODE_ENV=production');
  }
  const usingDevelopmentKey = !e.SECRETS_KEYS && !e.SECRETS_KEYS_FILE && e.NODE_ENV !== 'production';
  return { unsealingKeys: usingDevelopmentKey ? [DEVELOPMENT_SECRETS_KEY] : keys, usingDevelopmentKey };
}

/**
 * The public key an edge seals with: SECRETS_PUBLIC_KEY; else `fallback` (the local orchestration passes the public
 * half of the worker's key it also runs); else, outside production, the development pair's public half.
 */
export function sealingKey(e: PublicEnv, problems: string[], fallback?: UnsealingConfig): SealingConfig {
  if (e.SECRETS_PUBLIC_KEY) {
    const parsed = parseSealingKey(e.SECRETS_PUBLIC_KEY, 'SECRETS_PUBLIC_KEY');
    problems.push(...parsed.problems);
    if (e.NODE_ENV === 'production' && parsed.key && isDevelopmentKey(parsed.key)) {
      problems.push('SECRETS_PUBLIC_KEY: the insecure development key must not be used when NODE_ENV=production');
    }
    return { ...(parsed.key ? { sealingKey: parsed.key } : {}), usingDevelopmentKey: false };
  }
  const first = fallback?.unsealingKeys[0];
  if (first) return { sealingKey: sealingKeyOf(first), usingDevelopmentKey: fallback.usingDevelopmentKey };
  if (e.NODE_ENV === 'production') return { usingDevelopmentKey: false };
  return { sealingKey: sealingKeyOf(DEVELOPMENT_SECRETS_KEY), usingDevelopmentKey: true };
}

/**
 * The key of account claims' workflow IDs (src/temporal/account-claims.ts): an HMAC of the customer's e-mail, so a
 * claim's ID names no person. Read by the worker alone (it claims e-mails before creating accounts). One key, never
 * changed: a claim made under one key is invisible under another (docs/operations.md, "One person, two customerRefs").
 */
import type { z } from 'zod';
import { parseKeyList } from '../codec/keys.js';
import { DEVELOPMENT_ACCOUNT_CLAIM_KEY, type AccountClaimKey } from '../temporal/account-claims.js';
import { optionalString } from './fields.js';
import type { RunMode } from './general.js';
import { readSecret } from './private-files.js';

export const ACCOUNT_CLAIM = {
  ACCOUNT_CLAIM_KEY: optionalString,
  ACCOUNT_CLAIM_KEY_FILE: optionalString,
};

export interface AccountClaimsConfig {
  key: AccountClaimKey;
  /** True when nothing was configured (development/test only) and the insecure development key is in use. */
  usingDevelopmentKey: boolean;
}

type ClaimEnv = z.infer<z.ZodObject<typeof ACCOUNT_CLAIM>> & { NODE_ENV: RunMode };

/** One `keyId:base64` key (32 bytes, `npm run codec:new-key claims`): required in production, the development key elsewhere. */
export function accountClaims(e: ClaimEnv, problems: string[]): AccountClaimsConfig {
  const variable = e.ACCOUNT_CLAIM_KEY_FILE ? 'ACCOUNT_CLAIM_KEY_FILE' : 'ACCOUNT_CLAIM_KEY';
  const text = readSecret(e, 'ACCOUNT_CLAIM_KEY', problems);
  if (text === undefined) {
    if (e.NODE_ENV === 'production' && !e.ACCOUNT_CLAIM_KEY_FILE) {
      problems.push(
        'ACCOUNT_CLAIM_KEY: is required to run the worker when NODE_ENV=production (or set ACCOUNT_CLAIM_KEY_FILE); make one with `npm run codec:new-key claims` and never change it',
      );
    }
    return { key: DEVELOPMENT_ACCOUNT_CLAIM_KEY, usingDevelopmentKey: e.NODE_ENV !== 'production' };
  }
  const parsed = parseKeyList(text.split(/\r?\n/).filter((line) => !/^\s*(#|$)/.test(line)).join(','), variable, 'HMAC-SHA256');
  problems.push(...parsed.problems);
  // One key only: a second would be a rotation, and claims cannot be rotated (every claim's ID would change).
  if (parsed.keys.length > 1) problems.push(`${variable}: must hold exactly one key (claims made under a key are found only with that key)`);
  const key = parsed.keys[0] ?? DEVELOPMENT_ACCOUNT_CLAIM_KEY;
  if (e.NODE_ENV === 'production' && key.keyMaterial.equals(DEVELOPMENT_ACCOUNT_CLAIM_KEY.keyMaterial)) {
    problems.push(`${variable}: the insecure development key must not be used when NODE_ENV=production`);
  }
  return { key, usingDevelopmentKey: false };
}

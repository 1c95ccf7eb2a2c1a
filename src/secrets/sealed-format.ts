/**
 * The shape of a sealed secret, with no cryptography: pure (no node: imports), so workflow code can check that a
 * value is sealed without any key.
 *
 *   sealed:v1:<keyId>:<base64url(ephemeral X25519 public key ‖ 12-byte IV ‖ AES-256-GCM ciphertext ‖ 16-byte tag)>
 *
 * The key id names the worker's private key that opens it, so rotation needs no guessing; the version lets a later
 * scheme sit beside this one. See docs/codec.md ("Sealed secrets").
 */

export const SEALED_PREFIX = 'sealed:v1:';
/** The same rule as codec key ids, so a key id never contains the ":" that separates the parts. */
export const SEALED_KEY_ID_PATTERN = /^[A-Za-z0-9._-]+$/;

/** 32-byte ephemeral public key + 12-byte IV + at least 1 ciphertext byte + 16-byte tag, in base64url. */
const MIN_BODY_BYTES = 32 + 12 + 1 + 16;
const MIN_BODY_CHARS = Math.ceil((MIN_BODY_BYTES * 4) / 3);
/** Secrets are short (a password); a bound keeps a hostile value from costing anything. */
const MAX_SEALED_LENGTH = 4096;
const SEALED_PATTERN = new RegExp(`^sealed:v1:([A-Za-z0-9._-]+):([A-Za-z0-9_-]{${MIN_BODY_CHARS},})$`);

/** The rule every edge and the workflow state for a password that is not sealed (the value is never echoed). */
export const SEALED_RULE =
  'must be sealed with the secrets public key ("sealed:v1:…"): the typed client seals it for you, or run `npm run cli -- seal-password`; a plain password is never accepted';

export interface SealedParts {
  keyId: string;
  /** base64url of ephemeral public key ‖ IV ‖ ciphertext ‖ tag. */
  body: string;
}

/** True when `value` has the structure of a sealed secret. Says nothing about whether any key can open it. */
export function isSealedSecret(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_SEALED_LENGTH && SEALED_PATTERN.test(value);
}

/** The key id and body of a sealed value, or undefined when it is not one. */
export function sealedParts(value: unknown): SealedParts | undefined {
  if (!isSealedSecret(value)) return undefined;
  const [, keyId = '', body = ''] = SEALED_PATTERN.exec(value) ?? [];
  return { keyId, body };
}

/**
 * Sealing: public-key encryption of one short secret (a customer's password) so that only the worker holding the
 * matching private key can read it. ECIES-style, all from node:crypto:
 *
 *   ephemeral X25519 key pair → ECDH with the recipient's public key → HKDF-SHA256 → AES-256-GCM
 *
 * A fresh ephemeral key per seal means two seals of the same password differ, so a sealed value tells nothing, not
 * even whether two customers share a password. The additional data binds the version, key id and purpose (the
 * field), so a value sealed for one purpose does not open as another and a changed key id fails the tag check.
 */
import { createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import { rawPublicKey, x25519PublicKey, type SealingKey, type UnsealingKey } from './keys.js';
import { SEALED_PREFIX, sealedParts } from './sealed-format.js';

const HKDF_INFO = Buffer.from('vobiz-lifecycle sealed secret v1');
const PUBLIC_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * What a sealed value is for; part of the additional data, so values cannot be moved between purposes: a
 * start-up check's probe (the doctor asks the worker to open one) never opens as a password, nor a password as one.
 */
export type SealPurpose = 'customer.password' | 'startup.check';

/** A sealed value that this process cannot open. Its message names the key id and the reason, never the value. */
export class SealedSecretError extends Error {
  constructor(
    readonly reason: 'not_sealed' | 'unknown_key' | 'cannot_open',
    readonly keyId?: string,
  ) {
    super(
      reason === 'not_sealed'
        ? 'the value is not a sealed secret (a plain value is never accepted)'
        : reason === 'unknown_key'
          ? `the sealed secret names key "${keyId}", which is not among SECRETS_KEYS`
          : `the sealed secret under key "${keyId}" does not open: it was changed, or sealed for another purpose or key`,
    );
    this.name = 'SealedSecretError';
  }
}

function additionalData(keyId: string, purpose: SealPurpose): Buffer {
  return Buffer.from(`${SEALED_PREFIX}${keyId}:${purpose}`);
}

function derivedKey(sharedSecret: Buffer, ephemeralPublic: Buffer, recipientPublic: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', sharedSecret, Buffer.concat([ephemeralPublic, recipientPublic]), HKDF_INFO, 32));
}

/** Seals `plain` to the holder of `key`'s private half. */
export function sealSecret(plain: string, key: SealingKey, purpose: SealPurpose): string {
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralPublic = rawPublicKey(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: x25519PublicKey(key.publicKey) });
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', derivedKey(shared, ephemeralPublic, key.publicKey), iv);
  cipher.setAAD(additionalData(key.id, purpose));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const body = Buffer.concat([ephemeralPublic, iv, ciphertext, cipher.getAuthTag()]);
  return `${SEALED_PREFIX}${key.id}:${body.toString('base64url')}`;
}

/** Opens a sealed value with whichever of `keys` it names; throws SealedSecretError otherwise. */
export function unsealSecret(sealed: unknown, keys: readonly UnsealingKey[], purpose: SealPurpose): string {
  const parts = sealedParts(sealed);
  if (!parts) throw new SealedSecretError('not_sealed');
  const key = keys.find((k) => k.id === parts.keyId);
  if (!key) throw new SealedSecretError('unknown_key', parts.keyId);
  const body = Buffer.from(parts.body, 'base64url');
  const ephemeralPublic = body.subarray(0, PUBLIC_KEY_BYTES);
  const iv = body.subarray(PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES + IV_BYTES);
  const ciphertext = body.subarray(PUBLIC_KEY_BYTES + IV_BYTES, body.length - TAG_BYTES);
  const tag = body.subarray(body.length - TAG_BYTES);
  try {
    // A low-order ephemeral key makes the ECDH throw (OpenSSL refuses an all-zero shared secret): also "cannot open".
    const shared = diffieHellman({ privateKey: key.privateKey, publicKey: x25519PublicKey(ephemeralPublic) });
    const decipher = createDecipheriv('aes-256-gcm', derivedKey(shared, ephemeralPublic, key.publicKey), iv);
    decipher.setAAD(additionalData(key.id, purpose));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedSecretError('cannot_open', key.id);
  }
}

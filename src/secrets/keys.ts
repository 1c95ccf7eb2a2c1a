/**
 * Keys for sealed secrets: X25519 key pairs. The worker that creates accounts holds the private keys
 * (`SECRETS_KEYS`); the edges that seal (typed client, CLI) hold only the newest public key (`SECRETS_PUBLIC_KEY`).
 * So nobody but that worker can open a sealed password: not the bridge, not the CLI, not the codec server.
 *
 * Key lines use the codec's format, `keyId:base64` of 32 raw bytes: the raw X25519 private or public key.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { KEY_ID_PATTERN, parseKeyFile, parseKeyList } from '../codec/keys.js';

/** A worker's private key. `privateKey` is a KeyObject, which serialises to `{}`: a logged key object never shows it. */
export interface UnsealingKey {
  readonly id: string;
  readonly privateKey: KeyObject;
  /** Raw 32-byte public key, mixed into the key derivation. */
  readonly publicKey: Buffer;
}

/** What an edge seals with: the newest key pair's public half. */
export interface SealingKey {
  readonly id: string;
  readonly publicKey: Buffer;
}

// DER prefixes of the PKCS#8 and SPKI encodings of an X25519 key (RFC 8410); the raw 32 bytes follow them.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function x25519PrivateKey(raw: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

export function x25519PublicKey(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_X25519_PREFIX.length);
}

function unsealingKey(id: string, raw: Buffer): UnsealingKey {
  const privateKey = x25519PrivateKey(raw);
  return { id, privateKey, publicKey: rawPublicKey(createPublicKey(privateKey)) };
}

/** The public half of a private key: a process that holds the private keys can seal too (development, tests). */
export function sealingKeyOf(key: UnsealingKey): SealingKey {
  return { id: key.id, publicKey: key.publicKey };
}

/**
 * Used only when NODE_ENV is development or test and no secrets key is configured, so `npm start` works with no
 * setup. Derived from a public string, so it protects nothing: config refuses it when NODE_ENV=production.
 */
export const DEVELOPMENT_SECRETS_KEY: UnsealingKey = Object.freeze(
  unsealingKey(
    'insecure-dev-secrets-key',
    createHash('sha256').update('vobiz-lifecycle INSECURE development secrets key, local use only').digest(),
  ),
);
export const DEVELOPMENT_SEALING_KEY: SealingKey = Object.freeze(sealingKeyOf(DEVELOPMENT_SECRETS_KEY));

const KIND = 'an X25519 key';

/** `SECRETS_KEYS` (comma-separated) or a `SECRETS_KEYS_FILE` (one per line): the worker's private keys. */
export function parseUnsealingKeys(text: string, source: 'list' | 'file', variable: string) {
  const parsed = source === 'list' ? parseKeyList(text, variable, KIND) : parseKeyFile(text, variable, KIND);
  return { keys: parsed.keys.map((k) => unsealingKey(k.id, k.keyMaterial)), problems: parsed.problems };
}

/** `SECRETS_PUBLIC_KEY`: exactly one `keyId:base64` public key, the one new secrets are sealed with. */
export function parseSealingKey(text: string, variable: string): { key?: SealingKey; problems: string[] } {
  const parsed = parseKeyList(text, variable, KIND);
  if (parsed.problems.length > 0) return { problems: parsed.problems };
  if (parsed.keys.length !== 1) return { problems: [`${variable}: must be exactly one keyId:base64 public key (the newest)`] };
  const [{ id, keyMaterial }] = parsed.keys as [{ id: string; keyMaterial: Buffer }];
  return { key: { id, publicKey: keyMaterial }, problems: [] };
}

/** The `keyId:base64` line of a sealing key, as SECRETS_PUBLIC_KEY and the typed client's `secretsPublicKey` take it. */
export function sealingKeyLine(key: SealingKey): string {
  return `${key.id}:${key.publicKey.toString('base64')}`;
}

/** A fresh key pair as two lines: the private one for the worker's SECRETS_KEYS, the public one for the edges. */
export function newSecretsKeyLines(id: string): { privateLine: string; publicLine: string } {
  if (!KEY_ID_PATTERN.test(id)) throw new Error(`key id "${id}" must match [A-Za-z0-9._-]+`);
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const rawPrivate = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_X25519_PREFIX.length);
  return { privateLine: `${id}:${rawPrivate.toString('base64')}`, publicLine: `${id}:${rawPublicKey(publicKey).toString('base64')}` };
}

/** True when the key is the insecure development key pair (refused in production). */
export function isDevelopmentKey(key: { publicKey: Buffer }): boolean {
  return key.publicKey.equals(DEVELOPMENT_SECRETS_KEY.publicKey);
}

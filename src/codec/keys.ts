/**
 * Payload encryption keys: parsing, validation and the insecure development key.
 *
 * Keys come from the environment (`CODEC_KEYS`) or a file outside the repo (`CODEC_KEYS_FILE`), newest first: the
 * first key encrypts, every listed key can decrypt. Keeping retired keys in the list is what makes rotation safe:
 * history written under an old key stays readable for as long as that key is listed.
 */
import { createHash, randomBytes } from 'node:crypto';

/** One AES-256 key. `keyMaterial` is named so the logger redacts it if a key object is ever logged. */
export interface CodecKey {
  readonly id: string;
  readonly keyMaterial: Buffer;
}

const KEY_BYTES = 32;
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]+$/;

/**
 * Used only when NODE_ENV is development or test and no key is configured, so `npm start` works with no setup.
 * It is derived from a public string, so it protects nothing: config refuses it when NODE_ENV=production.
 */
export const DEVELOPMENT_KEY: CodecKey = Object.freeze({
  id: 'insecure-dev-key',
  keyMaterial: createHash('sha256').update('vobiz-lifecycle INSECURE development payload key, local use only').digest(),
});

/**
 * Parses entries such as `2025-06:base64…`; returns the keys and, separately, every problem found. `kind` names what
 * the 32 bytes are, for the message (the sealed-secrets keys in src/secrets use the same format).
 */
function parseEntries(entries: { text: string; where: string }[], variable: string, kind: string) {
  const keys: CodecKey[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { text, where } of entries) {
    const colon = text.indexOf(':');
    if (colon < 0) {
      problems.push(`${variable}: ${where} must be keyId:base64Key`);
      continue;
    }
    const id = text.slice(0, colon).trim();
    const encoded = text.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      problems.push(`${variable}: ${where} has key id "${id}"; a key id must match [A-Za-z0-9._-]+`);
      continue;
    }
    // Buffer.from(…, 'base64') silently skips bad characters, so check the alphabet first.
    const material = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (!material || material.length !== KEY_BYTES) {
      // Never echo the key text: it may be a real key with a typo.
      problems.push(`${variable}: key "${id}" must be base64 of exactly ${KEY_BYTES} bytes (${kind})`);
      continue;
    }
    if (seen.has(id)) {
      problems.push(`${variable}: key id "${id}" appears more than once; key ids must be unique`);
      continue;
    }
    seen.add(id);
    keys.push({ id, keyMaterial: material });
  }
  if (entries.length === 0) problems.push(`${variable}: lists no keys; give at least one keyId:base64Key`);
  return { keys, problems };
}

/** `CODEC_KEYS`: comma-separated `keyId:base64`, newest first. */
export function parseKeyList(value: string, variable = 'CODEC_KEYS', kind = 'AES-256') {
  const entries = value
    .split(',')
    .map((text, i) => ({ text: text.trim(), where: `entry ${i + 1}` }))
    .filter((e) => e.text !== '');
  return parseEntries(entries, variable, kind);
}

/** `CODEC_KEYS_FILE` contents: one `keyId:base64` per line, newest first; blank lines and `#` comments ignored. */
export function parseKeyFile(contents: string, variable = 'CODEC_KEYS_FILE', kind = 'AES-256') {
  const entries = contents
    .split(/\r?\n/)
    .map((line, i) => ({ text: line.replace(/#.*$/, '').trim(), where: `line ${i + 1}` }))
    .filter((e) => e.text !== '');
  return parseEntries(entries, variable, kind);
}

/** A fresh key line for `CODEC_KEYS` or a keys file. */
export function newKeyLine(id: string): string {
  if (!KEY_ID_PATTERN.test(id)) throw new Error(`key id "${id}" must match [A-Za-z0-9._-]+`);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

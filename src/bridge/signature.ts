/**
 * `X-Vobiz-Signature` verification (doc §5.11): HMAC-SHA256 over the raw request body, keyed by the owning
 * account's auth token, sent as `sha256=<lowercase hex>`. Vobiz's own n8n node also accepts the digest in base64
 * and without the `sha256=` prefix, so we do too. Several secrets are tried so a token rotation needs no downtime.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const DIGEST_BYTES = 32;
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;
const BASE64_DIGEST = /^[A-Za-z0-9+/]{43}=?$/;

/** The signature Vobiz would send for `body` (tests, docs, and the sandbox use the same scheme). */
export function signVobizBody(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The 32 digest bytes a header carries, or undefined when it is not a SHA-256 digest in hex or base64. */
export function decodeSignatureHeader(header: string): Buffer | undefined {
  const value = header.trim().replace(/^sha256=/i, '');
  if (HEX_DIGEST.test(value)) return Buffer.from(value, 'hex');
  if (BASE64_DIGEST.test(value)) {
    const bytes = Buffer.from(value, 'base64');
    return bytes.length === DIGEST_BYTES ? bytes : undefined;
  }
  return undefined;
}

/**
 * True when `header` is a valid signature of `rawBody` under any of `secrets`. Every secret is checked (no early
 * exit) and each comparison is constant-time on equal-length buffers, so timing reveals nothing about the digest.
 */
export function verifyVobizSignature(rawBody: Buffer, header: string | string[] | undefined, secrets: readonly string[]): boolean {
  // Several X-Vobiz-Signature headers make the delivery ambiguous: refuse rather than pick one.
  if (typeof header !== 'string') return false;
  const given = decodeSignatureHeader(header);
  if (!given || given.length !== DIGEST_BYTES) return false;
  let valid = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}

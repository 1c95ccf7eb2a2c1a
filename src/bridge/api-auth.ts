/**
 * Bearer-token auth for the start API. Tokens are compared as SHA-256 digests with timingSafeEqual: equal-length
 * buffers whatever the caller sends, and every configured token is checked, so timing reveals neither a token's
 * length nor which one matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function createTokenCheck(tokens: readonly string[]): (authorization: string | undefined) => boolean {
  const expected = tokens.map(digest);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return false;
    const given = digest(match[1]);
    let ok = false;
    for (const token of expected) {
      if (timingSafeEqual(token, given)) ok = true;
    }
    return ok;
  };
}

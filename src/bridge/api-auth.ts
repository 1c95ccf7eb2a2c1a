/**
 * Bearer-token auth for the start API: tokens that may act, and read-only ones. Tokens are compared as SHA-256 digests with timingSafeEqual: equal-length
 * buffers whatever the caller sends, and every configured token is checked, so timing reveals neither a token's
 * length nor which one matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

function createTokenCheck(tokens: readonly string[]): (authorization: string | undefined) => boolean {
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

/** What a bearer token may do on the start API: `act` (BRIDGE_API_TOKENS) or only `read` (BRIDGE_READ_TOKENS). */
type ApiScope = 'act' | 'read';

export function createScopeCheck(tokens: { apiTokens: readonly string[]; readTokens: readonly string[] }): (authorization: string | undefined) => ApiScope | undefined {
  const acts = createTokenCheck(tokens.apiTokens);
  const reads = createTokenCheck(tokens.readTokens);
  return (authorization) => {
    // Both are checked, so timing does not tell a read token from an act token.
    const [act, read] = [acts(authorization), reads(authorization)];
    return act ? 'act' : read ? 'read' : undefined;
  };
}

/** The start API's 401: no token, or one from neither list. */
export const UNAUTHORIZED_RULE = 'must be "Bearer <token>" with a token from BRIDGE_API_TOKENS (or, to read, BRIDGE_READ_TOKENS)';

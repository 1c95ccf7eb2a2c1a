/**
 * Who may use the codec server, decided per request. Three doors, each refused unless it is configured:
 *
 * - a static bearer token (CODEC_SERVER_TOKEN: the Temporal CLI's `--codec-auth`, a proxy), compared as digests;
 * - the Web UI's bearer access token (OIDC: the UI's "pass access token" codec setting), validated with `jose`;
 * - no credential, only where neither is configured, which config allows for a development server on loopback, and
 *   only for a browser on an allowed origin (the dev server's built-in UI cannot send a credential). A request
 *   without an Origin is a program, not a browser, and programs always authenticate.
 *
 * The Origin check (403 for any other origin) runs before this, on every request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { OidcSettings } from '../config/codec-server.js';
import { createOidcVerifier } from './oidc.js';

type AuthResult =
  | { ok: true; method: 'static-token' | 'oidc' | 'none'; who: string }
  | { ok: false; status: 401 | 503; reason: string };

interface CodecAuthOptions {
  token?: string;
  oidc?: OidcSettings;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function createCodecAuth(options: CodecAuthOptions): { required: boolean; check(authorization: string | undefined, hasOrigin: boolean): Promise<AuthResult> } {
  const tokenDigest = options.token ? digest(options.token) : undefined;
  const oidc = options.oidc ? createOidcVerifier(options.oidc) : undefined;
  const required = Boolean(tokenDigest || oidc);

  return {
    required,
    async check(authorization, hasOrigin) {
      if (!required) {
        return hasOrigin
          ? { ok: true, method: 'none', who: 'anonymous (development, loopback)' }
          : { ok: false, status: 401, reason: 'a request without an Origin needs a credential: set CODEC_SERVER_TOKEN and pass it (--codec-auth "Bearer <token>")' };
      }
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
      if (!presented) return { ok: false, status: 401, reason: 'missing bearer token' };
      if (tokenDigest && timingSafeEqual(digest(presented), tokenDigest)) return { ok: true, method: 'static-token', who: 'static-token' };
      if (oidc && presented.split('.').length === 3) {
        const result = await oidc.verify(presented);
        if (result.ok) return { ok: true, method: 'oidc', who: result.subject };
        return { ok: false, status: result.unavailable ? 503 : 401, reason: result.reason };
      }
      return { ok: false, status: 401, reason: 'invalid bearer token' };
    },
  };
}

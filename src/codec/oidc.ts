/**
 * Validates the Temporal Web UI's bearer access token against the OIDC provider the UI signs people in with
 * (`jose`): the signature against the provider's published keys (JWKS, found through its discovery document unless
 * configured), the issuer, the audience, expiry and not-before. Asymmetric algorithms only: a token signed with a
 * shared secret or `none` is refused whatever its claims say.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { OidcSettings } from '../config/codec-server.js';

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Clocks drift; a token a few seconds past its expiry is still refused after this. */
const CLOCK_TOLERANCE_SECONDS = 30;
const DISCOVERY_TIMEOUT_MS = 5_000;

type OidcResult = { ok: true; subject: string } | { ok: false; reason: string; unavailable?: boolean };

/** The provider could not be asked (discovery or JWKS unreachable): not the caller's fault, so 503, not 401. */
class ProviderUnavailable extends Error {}

interface OidcVerifier {
  verify(token: string): Promise<OidcResult>;
}

export function createOidcVerifier(settings: OidcSettings): OidcVerifier {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const getKeys = () => {
    keys ??= jwksUrl(settings).then(
      (url) => createRemoteJWKSet(new URL(url), { timeoutDuration: DISCOVERY_TIMEOUT_MS }),
      (err: unknown) => {
        keys = undefined; // ask again on the next request
        throw err;
      },
    );
    return keys;
  };

  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await getKeys(), {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: ASYMMETRIC_ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['exp', 'sub'],
        });
        return { ok: true, subject: String(payload.sub) };
      } catch (err) {
        return failure(err);
      }
    },
  };
}

/** The configured JWKS URL, or the one the issuer's discovery document names (which must name that issuer). */
async function jwksUrl(settings: OidcSettings): Promise<string> {
  if (settings.jwksUrl) return settings.jwksUrl;
  const discovery = `${settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const res = await fetch(discovery, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS), redirect: 'error' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    document = (await res.json()) as typeof document;
  } catch (err) {
    throw new ProviderUnavailable(`OIDC discovery ${discovery} failed: ${(err as Error).message}`);
  }
  if (document.issuer !== settings.issuer || typeof document.jwks_uri !== 'string') {
    throw new ProviderUnavailable(`OIDC discovery ${discovery} names another issuer or no jwks_uri`);
  }
  return document.jwks_uri;
}

function failure(err: unknown): OidcResult {
  if (err instanceof ProviderUnavailable) return { ok: false, reason: err.message, unavailable: true };
  if (err instanceof errors.JWKSTimeout) return { ok: false, reason: 'the JWKS did not answer in time', unavailable: true };
  if (err instanceof errors.JWTExpired) return { ok: false, reason: 'token expired' };
  if (err instanceof errors.JWTClaimValidationFailed) {
    const what = err.claim === 'iss' ? 'wrong issuer' : err.claim === 'aud' ? 'wrong audience' : `claim ${err.claim} ${err.reason}`;
    return { ok: false, reason: what };
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: 'bad signature' };
  if (err instanceof errors.JWKSNoMatchingKey) return { ok: false, reason: 'signed by a key the provider does not publish' };
  if (err instanceof errors.JOSEAlgNotAllowed) return { ok: false, reason: 'algorithm not allowed' };
  if (err instanceof errors.JOSEError) return { ok: false, reason: 'malformed token' };
  // fetch failures of the JWKS itself (network, HTTP status) surface as plain errors
  return { ok: false, reason: `the provider's keys could not be fetched (${(err as Error).message})`, unavailable: true };
}

/**
 * The codec server's settings (`npm run codec-server`, `node dist/codec/main.js`): the codec keys, where it listens,
 * who may call it (a static bearer token, the Web UI's OIDC access token, or both) and from which browser origins.
 * It reads nothing else: no Vobiz credentials, no secrets private keys, no bridge tokens, no Temporal connection.
 *
 * Authentication is required in production and wherever the server listens beyond loopback; only a development or
 * test server on loopback may run without it (the dev server's built-in Web UI cannot send a credential).
 */
import { z } from 'zod';
import { codecKeys, CODEC_KEYS, type CodecConfig } from './codec-keys.js';
import { isHttpOrigin, isLoopbackHost, list, nonEmpty, optionalHttpUrl, optionalString, parseEnvironment, port } from './fields.js';
import { checkProductionTokens, general, GENERAL, type GeneralConfig, type RunMode } from './general.js';
import { readSecret } from './private-files.js';

export const CODEC_SERVER = {
  CODEC_SERVER_HOST: nonEmpty().default('127.0.0.1'),
  CODEC_SERVER_PORT: port(8888),
  CODEC_SERVER_TOKEN: optionalString,
  CODEC_SERVER_TOKEN_FILE: optionalString,
  CODEC_CORS_ORIGINS: nonEmpty().default('http://localhost:8233,http://127.0.0.1:8233'),
  // Kept exactly as given (a trailing slash included): a token's `iss` must equal it character for character.
  CODEC_OIDC_ISSUER: optionalString.pipe(
    z.string().trim().url('must be an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
  ),
  CODEC_OIDC_AUDIENCE: optionalString,
  CODEC_OIDC_JWKS_URL: optionalHttpUrl,
};
type CodecServerEnv = z.infer<z.ZodObject<typeof CODEC_SERVER>> & { NODE_ENV: RunMode };

export interface OidcSettings {
  /** The `iss` every token must carry; its discovery document names the JWKS unless `jwksUrl` is given. */
  issuer: string;
  /** The `aud` every token must carry (the Web UI's client id, or the API audience its provider issues for). */
  audience: string;
  jwksUrl?: string;
}

export interface CodecServerConfig {
  host: string;
  port: number;
  /** A static bearer token (the Temporal CLI's `--codec-auth`, a proxy). */
  token?: string;
  /** The Web UI's access token, validated against this OIDC provider. */
  oidc?: OidcSettings;
  /** Exact origins (scheme://host[:port]) whose browsers may call the server: the Web UI's. */
  corsOrigins: string[];
}

const AUTH_SETTINGS = 'CODEC_SERVER_TOKEN (or CODEC_SERVER_TOKEN_FILE) and/or CODEC_OIDC_ISSUER + CODEC_OIDC_AUDIENCE';

export function codecServerSection(e: CodecServerEnv, problems: string[]): CodecServerConfig {
  const production = e.NODE_ENV === 'production';
  const corsOrigins = list(e.CODEC_CORS_ORIGINS);
  for (const origin of corsOrigins) {
    if (!isHttpOrigin(origin)) {
      problems.push(`CODEC_CORS_ORIGINS: "${origin}" must be an origin such as http://localhost:8233 (scheme://host[:port], no path)`);
    }
  }

  const token = readSecret(e, 'CODEC_SERVER_TOKEN', problems);
  if (production && token) checkProductionTokens('CODEC_SERVER_TOKEN', [token], problems);

  let oidc: OidcSettings | undefined;
  if (Boolean(e.CODEC_OIDC_ISSUER) !== Boolean(e.CODEC_OIDC_AUDIENCE)) {
    problems.push(
      `${e.CODEC_OIDC_ISSUER ? 'CODEC_OIDC_AUDIENCE' : 'CODEC_OIDC_ISSUER'}: CODEC_OIDC_ISSUER and CODEC_OIDC_AUDIENCE must be set together (a token is accepted only from that issuer, for that audience)`,
    );
  } else if (e.CODEC_OIDC_ISSUER && e.CODEC_OIDC_AUDIENCE) {
    oidc = { issuer: e.CODEC_OIDC_ISSUER, audience: e.CODEC_OIDC_AUDIENCE, ...(e.CODEC_OIDC_JWKS_URL ? { jwksUrl: e.CODEC_OIDC_JWKS_URL } : {}) };
  } else if (e.CODEC_OIDC_JWKS_URL) {
    problems.push('CODEC_OIDC_JWKS_URL: needs CODEC_OIDC_ISSUER and CODEC_OIDC_AUDIENCE (the JWKS only says which keys sign; the issuer and audience say whose tokens count)');
  }
  if (production) {
    for (const [name, url] of [['CODEC_OIDC_ISSUER', e.CODEC_OIDC_ISSUER], ['CODEC_OIDC_JWKS_URL', e.CODEC_OIDC_JWKS_URL]] as const) {
      if (url && !url.startsWith('https://')) problems.push(`${name}: must be https:// when NODE_ENV=production (the keys that sign tokens come from it)`);
    }
  }

  const authenticated = Boolean(token) || Boolean(oidc) || Boolean(e.CODEC_SERVER_TOKEN_FILE);
  if (!authenticated && production) {
    problems.push(`${AUTH_SETTINGS}: the codec server needs authentication when NODE_ENV=production (it decrypts every payload)`);
  } else if (!authenticated && !isLoopbackHost(e.CODEC_SERVER_HOST)) {
    problems.push(
      `${AUTH_SETTINGS}: the codec server needs authentication when it listens beyond loopback (CODEC_SERVER_HOST=${e.CODEC_SERVER_HOST}); anyone who reaches it could decrypt every payload`,
    );
  }
  return {
    host: e.CODEC_SERVER_HOST,
    port: e.CODEC_SERVER_PORT,
    ...(token ? { token } : {}),
    ...(oidc ? { oidc } : {}),
    corsOrigins,
  };
}

/** Every variable the codec server reads. */
export const CODEC_SERVER_PROCESS = { ...GENERAL, ...CODEC_KEYS, ...CODEC_SERVER };

interface CodecServerProcessConfig extends GeneralConfig {
  codec: CodecConfig;
  server: CodecServerConfig;
}

export function loadCodecServerConfig(env: NodeJS.ProcessEnv = process.env): CodecServerProcessConfig {
  return parseEnvironment(CODEC_SERVER_PROCESS, env, (e, problems) => ({
    ...general(e),
    codec: codecKeys(e, problems),
    server: codecServerSection(e, problems),
  }));
}

// The codec server's door over real sockets: a real local OIDC provider (a key pair made here, its discovery document
// and JWKS served from a local HTTP server) and real JWTs; origins refused with 403; the production entry point
// refusing to start without authentication and decoding once it has it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { defaultPayloadConverter } from '@temporalio/common';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../../src/codec/encryption-codec.js';
import type { CodecKey } from '../../src/codec/keys.js';
import { startCodecServer, type CodecServer } from '../../src/codec/server.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { createLogger } from '../../src/logging.js';
import { freePort } from '../support/crash.js';

const UI_ORIGIN = 'http://localhost:8080';
const AUDIENCE = 'temporal-ui';
const TOKEN = randomBytes(32).toString('hex');
const keys: CodecKey[] = [{ id: 'auth-test', keyMaterial: randomBytes(32) }];
const SECRET_EMAIL = 'asha.never-logged@example.com';

/** A local OIDC provider: discovery document and JWKS over HTTP, signing keys made here. */
interface Provider {
  issuer: string;
  sign(claims: Record<string, unknown>, options?: { key?: CryptoKey; kid?: string; expiresIn?: string | number; issuer?: string; audience?: string }): Promise<string>;
  close(): Promise<void>;
}

async function startProvider(): Promise<Provider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration' ? { issuer, jwks_uri: `${issuer}/jwks.json` } : req.url === '/jwks.json' ? { keys: [jwk] } : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    sign: (claims, o = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'key-1' })
        .setIssuer(o.issuer ?? issuer)
        .setAudience(o.audience ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(o.expiresIn ?? '5m')
        .sign(o.key ?? privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const logLines: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
});

async function encryptedPayloadJson() {
  const [encrypted] = await new EncryptionCodec(keys).encode([defaultPayloadConverter.toPayload({ email: SECRET_EMAIL })]);
  return {
    metadata: Object.fromEntries(Object.entries(encrypted!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(encrypted!.data!).toString('base64'),
  };
}

const decodeRequest = async (url: string, headers: Record<string, string>) =>
  fetch(`${url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify({ payloads: [await encryptedPayloadJson()] }) });

const decodedEmail = async (res: Response) => {
  const body = (await res.json()) as { payloads: { data: string }[] };
  return (JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString()) as { email: string }).email;
};

let provider: Provider;
let server: CodecServer;
beforeAll(async () => {
  provider = await startProvider();
  server = await startCodecServer({ host: '127.0.0.1', port: 0, keys, token: TOKEN, oidc: { issuer: provider.issuer, audience: AUDIENCE }, corsOrigins: [UI_ORIGIN], logger });
});
afterAll(async () => {
  await server?.close();
  await provider?.close();
});

describe('codec server: the Web UI access token (OIDC)', () => {
  it('decodes for a valid JWT from the configured issuer and audience, and the audit line names who, where, how many', async () => {
    const jwt = await provider.sign({ sub: 'operator-7' });
    const res = await decodeRequest(server.url, {
      authorization: `Bearer ${jwt}`,
      origin: UI_ORIGIN,
      referer: `${UI_ORIGIN}/namespaces/default/workflows/customer-C-1001/run-1/history`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(await decodedEmail(res)).toBe(SECRET_EMAIL);
    const audit = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'payloads decoded' && l.who === 'operator-7');
    expect(audit).toMatchObject({ who: 'operator-7', auth: 'oidc', namespace: 'default', payloads: 1, workflowId: 'customer-C-1001' });
    const all = logLines.join('');
    for (const secret of [SECRET_EMAIL, jwt, TOKEN]) expect(all).not.toContain(secret);
  });

  it.each([
    ['expired', () => provider.sign({ sub: 'op' }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }), /expired/],
    ['from another issuer', () => provider.sign({ sub: 'op' }, { issuer: 'https://evil.example' }), /wrong issuer/],
    ['for another audience', () => provider.sign({ sub: 'op' }, { audience: 'someone-else' }), /wrong audience/],
    ['signed by a key the provider does not hold', async () => provider.sign({ sub: 'op' }, { key: (await generateKeyPair('RS256')).privateKey }), /bad signature/],
    ['without a subject', () => provider.sign({}), /sub/],
    ['malformed', () => Promise.resolve('aaa.bbb.ccc'), /malformed/],
  ])('answers 401 to a JWT %s', async (_what, token, reason) => {
    const res = await decodeRequest(server.url, { authorization: `Bearer ${await token()}`, origin: UI_ORIGIN });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await res.json()) as { error: string }).error).toMatch(reason);
  });

  it('decodes for the static token too (the Temporal CLI), and logs it as static-token', async () => {
    const res = await decodeRequest(server.url, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(await decodedEmail(res)).toBe(SECRET_EMAIL);
    expect(logLines.some((l) => l.includes('"who":"static-token"') && l.includes('"payloads":1'))).toBe(true);
  });
});

describe('codec server: origins and requests without credentials', () => {
  it('refuses a disallowed origin with 403, preflight and POST alike, even with valid credentials', async () => {
    const evil = 'https://evil.example';
    const preflight = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: evil, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    for (const authorization of [`Bearer ${TOKEN}`, `Bearer ${await provider.sign({ sub: 'op' })}`]) {
      const res = await decodeRequest(server.url, { authorization, origin: evil });
      expect(res.status).toBe(403);
      expect(JSON.stringify(await res.json())).not.toContain(SECRET_EMAIL);
    }
  });

  it('refuses a request without an Origin and without a credential', async () => {
    expect((await decodeRequest(server.url, {})).status).toBe(401);
  });

  it('an unauthenticated development server (loopback only) serves browsers on its origins, never a request without an Origin', async () => {
    const dev = await startCodecServer({ host: '127.0.0.1', port: 0, keys, corsOrigins: [UI_ORIGIN], logger });
    try {
      const browser = await decodeRequest(dev.url, { origin: UI_ORIGIN });
      expect(browser.status).toBe(200);
      expect(await decodedEmail(browser)).toBe(SECRET_EMAIL);
      const program = await decodeRequest(dev.url, {});
      expect(program.status).toBe(401);
      expect(((await program.json()) as { error: string }).error).toMatch(/CODEC_SERVER_TOKEN/);
      expect((await decodeRequest(dev.url, { origin: 'https://evil.example' })).status).toBe(403);
    } finally {
      await dev.close();
    }
    await expect(startCodecServer({ host: '0.0.0.0', port: 0, keys, corsOrigins: [UI_ORIGIN], logger })).rejects.toThrow(/without authentication/);
  });
});

describe('codec server entry point in production', () => {
  const production = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    CODEC_KEYS: `auth-test:${keys[0]!.keyMaterial.toString('base64')}`,
    CODEC_SERVER_HOST: '127.0.0.1',
  };

  function runMain(env: NodeJS.ProcessEnv): { child: ChildProcess; exit: Promise<{ code: number | null; stderr: string }>; listening: Promise<string> } {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/codec/main.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const listening = new Promise<string>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const url = /"url":"(http:\/\/[^"]+)"/.exec(stdout)?.[1];
        if (url) resolve(url);
      });
    });
    const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
    return { child, exit, listening };
  }

  it('refuses to start without authentication, exit 78 naming the settings', { timeout: 60_000 }, async () => {
    const { exit } = runMain({ ...production, CODEC_SERVER_PORT: String(await freePort()) });
    const { code, stderr } = await exit;
    expect(code).toBe(78);
    expect(stderr).toMatch(/CODEC_SERVER_TOKEN \(or CODEC_SERVER_TOKEN_FILE\) and\/or CODEC_OIDC_ISSUER \+ CODEC_OIDC_AUDIENCE: the codec server needs authentication when NODE_ENV=production/);
  });

  it('refuses a short token and an http issuer in production, naming each', { timeout: 60_000 }, async () => {
    const { exit } = runMain({ ...production, CODEC_SERVER_PORT: String(await freePort()), CODEC_SERVER_TOKEN: 'short', CODEC_OIDC_ISSUER: provider.issuer, CODEC_OIDC_AUDIENCE: AUDIENCE });
    const { code, stderr } = await exit;
    expect(code).toBe(78);
    expect(stderr).toMatch(/CODEC_SERVER_TOKEN: the token is shorter than 32 bytes/);
    expect(stderr).toMatch(/CODEC_OIDC_ISSUER: must be https:\/\/ when NODE_ENV=production/);
  });

  it('with a token (and OIDC settings) it starts and decodes for the token', { timeout: 60_000 }, async () => {
    // The provider must be https in production; this one is never asked, as only the static token is presented here
    // (JWTs against a live provider: the tests above, on the same server code).
    const { child, exit, listening } = runMain({ ...production, CODEC_SERVER_PORT: String(await freePort()), CODEC_SERVER_TOKEN: TOKEN, CODEC_OIDC_ISSUER: 'https://login.example.com/', CODEC_OIDC_AUDIENCE: AUDIENCE });
    try {
      const url = await Promise.race([listening, exit.then(({ stderr }) => Promise.reject(new Error(`exited: ${stderr}`)))]);
      const res = await decodeRequest(url, { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(200);
      expect(await decodedEmail(res)).toBe(SECRET_EMAIL);
      expect((await decodeRequest(url, { authorization: 'Bearer wrong' })).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      await exit;
    }
  });
});

describe('codec server settings', () => {
  it('keeps the issuer exactly as given (a trailing slash is part of it), and wants issuer and audience together', async () => {
    const { loadCodecServerConfig } = await import('../../src/config/codec-server.js');
    expect(loadCodecServerConfig({ CODEC_OIDC_ISSUER: 'https://tenant.example.com/', CODEC_OIDC_AUDIENCE: AUDIENCE }).server.oidc).toEqual({
      issuer: 'https://tenant.example.com/',
      audience: AUDIENCE,
    });
    expect(() => loadCodecServerConfig({ CODEC_OIDC_ISSUER: 'https://tenant.example.com/' })).toThrow(/CODEC_OIDC_AUDIENCE: CODEC_OIDC_ISSUER and CODEC_OIDC_AUDIENCE must be set together/);
    expect(() => loadCodecServerConfig({ CODEC_SERVER_HOST: '0.0.0.0' })).toThrow(/needs authentication when it listens beyond loopback \(CODEC_SERVER_HOST=0\.0\.0\.0\)/);
    expect(loadCodecServerConfig({ CODEC_SERVER_HOST: '0.0.0.0', CODEC_SERVER_TOKEN: 'dev-token' }).server.host).toBe('0.0.0.0');
  });
});

// The codec server over a real socket: protocol, auth, CORS, limits, and that payload contents never reach a log.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../../src/codec/encryption-codec.js';
import type { CodecKey } from '../../src/codec/keys.js';
import { startCodecServer, type CodecServer } from '../../src/codec/server.js';
import { createLogger } from '../../src/logging.js';

const SECRET = 'pa55word-never-logged';
const TOKEN = 'codec-test-token';
const UI_ORIGIN = 'http://localhost:8233';
const keys: CodecKey[] = [{ id: 'test-1', keyMaterial: randomBytes(32) }];

const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(chunk.toString());
    done();
  },
});

let server: CodecServer;
beforeAll(async () => {
  server = await startCodecServer({
    host: '127.0.0.1',
    port: 0,
    keys,
    token: TOKEN,
    corsOrigins: [UI_ORIGIN],
    logger: createLogger({ level: 'debug', destination: logSink }),
    bodyLimitBytes: 64 * 1024,
  });
});
afterAll(() => server?.close());

const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const plainJson = () => {
  const p = defaultPayloadConverter.toPayload({ password: SECRET });
  return {
    metadata: { encoding: Buffer.from(p.metadata!.encoding!).toString('base64') },
    data: Buffer.from(p.data!).toString('base64'),
  };
};

describe('codec server', () => {
  it('encodes and decodes in the remote-codec JSON format', async () => {
    const encoded = await post('/encode', { payloads: [plainJson()] });
    expect(encoded.status).toBe(200);
    const encodedBody = (await encoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(encodedBody.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(JSON.stringify(encodedBody)).not.toContain(plainJson().data);

    const decoded = await post('/decode', encodedBody);
    expect(decoded.status).toBe(200);
    expect(await decoded.json()).toEqual({ payloads: [plainJson()] });
  });

  it('decodes payloads a client codec encrypted, and passes plain ones through', async () => {
    const [encrypted] = await new EncryptionCodec(keys).encode([defaultPayloadConverter.toPayload({ password: SECRET })]);
    const json = {
      metadata: Object.fromEntries(Object.entries(encrypted!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(encrypted!.data!).toString('base64'),
    };
    const res = await post('/decode', { payloads: [json, plainJson()] });
    expect(await res.json()).toEqual({ payloads: [plainJson(), plainJson()] });
  });

  it('answers 401 without the bearer token, or with a wrong one', async () => {
    expect((await post('/decode', { payloads: [] }, {})).status).toBe(401);
    expect((await post('/decode', { payloads: [] }, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post('/decode', { payloads: [] }, { authorization: TOKEN })).status).toBe(401);
  });

  it('answers an empty or missing payload list with an empty list (the Temporal CLI posts {})', async () => {
    for (const path of ['/encode', '/decode']) {
      for (const body of [{}, { payloads: [] }, { payloads: null }]) {
        const res = await post(path, body);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ payloads: [] });
      }
    }
  });

  it('rejects malformed bodies and oversize bodies with a clear 4xx', async () => {
    expect((await post('/decode', '{"payloads": [')).status).toBe(400);
    expect((await post('/decode', { payloads: [{ data: 'not base64!' }] })).status).toBe(400);
    expect((await post('/decode', { payloads: 'not a list' })).status).toBe(400);
    expect((await post('/decode', { payloads: [{ data: 'A'.repeat(100 * 1024) }] })).status).toBe(413);

    const [foreign] = await new EncryptionCodec([{ id: 'other-env', keyMaterial: randomBytes(32) }]).encode([
      defaultPayloadConverter.toPayload(1),
    ]);
    const res = await post('/decode', {
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(foreign!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          data: Buffer.from(foreign!.data!).toString('base64'),
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('"other-env"');
  });

  it('answers CORS preflight for the allowed origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-namespace,content-type,authorization' },
      });
    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('x-namespace, content-type, authorization, authorization-extras');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');

    const denied = await preflight('http://evil.example');
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    expect(denied.headers.get('access-control-allow-headers')).toBeNull();

    const actual = await post('/decode', { payloads: [] }, { authorization: `Bearer ${TOKEN}`, origin: UI_ORIGIN, 'x-namespace': 'default' });
    expect(actual.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  });

  it('never logs payload contents or the token', async () => {
    await post('/decode', { payloads: [plainJson()] });
    await post('/decode', '{"payloads":[{"data":"' + SECRET);
    await new Promise((r) => setTimeout(r, 50));
    const all = logLines.join('');
    expect(all).toContain('codec request');
    for (const secret of [SECRET, plainJson().data, TOKEN]) expect(all).not.toContain(secret);
  });
});

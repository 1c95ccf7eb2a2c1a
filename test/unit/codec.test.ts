import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { loadCodecServerConfig } from '../../src/config/codec-server.js';
import { ConfigError } from '../../src/config/problems.js';
import { loadTemporalClientConfig as loadConfig } from '../../src/config/temporal-client.js';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  METADATA_KEY_ID,
  PayloadDecryptionError,
  UnknownEncryptionKeyError,
} from '../../src/codec/encryption-codec.js';
import { DEVELOPMENT_KEY, newKeyLine, parseKeyFile, parseKeyList, type CodecKey } from '../../src/codec/keys.js';

const key = (id: string): CodecKey => ({ id, keyMaterial: randomBytes(32) });
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const SECRET = 'hunter2-correct-horse';

describe('EncryptionCodec', () => {
  const k1 = key('k1');
  const codec = new EncryptionCodec([k1]);
  const original = defaultPayloadConverter.toPayload({ customer: 'C-1', password: SECRET });

  it('round-trips a payload exactly, metadata included', async () => {
    const [encrypted] = await codec.encode([original]);
    expect(text(encrypted?.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted?.metadata?.[METADATA_KEY_ID])).toBe('k1');
    expect(Buffer.from(encrypted!.data!).includes(SECRET)).toBe(false);
    expect(Object.keys(encrypted!.metadata!).sort()).toEqual(['encoding', METADATA_KEY_ID]);

    const [decoded] = await codec.decode([encrypted!]);
    expect(Buffer.from(decoded!.data!)).toEqual(Buffer.from(original.data!));
    expect(text(decoded!.metadata!.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ customer: 'C-1', password: SECRET });
  });

  it('uses a fresh IV per payload, so equal inputs give different ciphertexts', async () => {
    const [a, b] = await codec.encode([original, original]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('rejects a payload with any flipped byte (IV, ciphertext or tag)', async () => {
    const [encrypted] = await codec.encode([original]);
    const data = Buffer.from(encrypted!.data!);
    for (const index of [0, 15, data.length - 1]) {
      const tampered = Buffer.from(data);
      tampered[index] = tampered[index]! ^ 0x01;
      await expect(codec.decode([{ ...encrypted!, data: tampered }])).rejects.toBeInstanceOf(PayloadDecryptionError);
    }
    await expect(codec.decode([{ ...encrypted!, data: data.subarray(0, 10) }])).rejects.toBeInstanceOf(PayloadDecryptionError);
  });

  it('rejects ciphertext relabelled with another key id', async () => {
    const k2 = key('k2');
    const both = new EncryptionCodec([k1, k2]);
    const [encrypted] = await both.encode([original]);
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, [METADATA_KEY_ID]: Buffer.from('k2') } };
    await expect(both.decode([relabelled])).rejects.toBeInstanceOf(PayloadDecryptionError);
  });

  it('rotates: encrypts with the newest key, still decrypts with old ones', async () => {
    const [oldPayload] = await codec.encode([original]);
    const rotated = new EncryptionCodec([key('k2'), k1]);
    const [newPayload] = await rotated.encode([original]);
    expect(text(newPayload!.metadata![METADATA_KEY_ID])).toBe('k2');
    const [a, b] = await rotated.decode([oldPayload!, newPayload!]);
    expect(defaultPayloadConverter.fromPayload(a!)).toEqual({ customer: 'C-1', password: SECRET });
    expect(defaultPayloadConverter.fromPayload(b!)).toEqual({ customer: 'C-1', password: SECRET });
  });

  it('names an unknown key id', async () => {
    const [encrypted] = await new EncryptionCodec([key('retired')]).encode([original]);
    const err = await codec.decode([encrypted!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownEncryptionKeyError);
    expect((err as Error).message).toContain('"retired"');
  });

  it('passes unencrypted payloads through decode untouched', async () => {
    const plain: Payload = defaultPayloadConverter.toPayload('old history');
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
  });

  it('round-trips empty and binary payloads', async () => {
    const binary = defaultPayloadConverter.toPayload(new Uint8Array([0, 1, 2, 255]));
    const undef = defaultPayloadConverter.toPayload(undefined);
    const decoded = await codec.decode(await codec.encode([binary, undef]));
    expect(defaultPayloadConverter.fromPayload(decoded[0]!)).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(defaultPayloadConverter.fromPayload(decoded[1]!)).toBeUndefined();
  });
});

describe('key parsing', () => {
  const good = () => `${randomBytes(32).toString('base64')}`;

  it('parses CODEC_KEYS newest first', () => {
    const { keys, problems } = parseKeyList(` new:${good()} , old:${good()}`);
    expect(problems).toEqual([]);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys[0]!.keyMaterial).toHaveLength(32);
  });

  it('parses a keys file with comments and blank lines', () => {
    const { keys, problems } = parseKeyFile(`# rotated 2025-06\n\n2025-06:${good()}\n2025-01:${good()} # retire after 2026\n`);
    expect(problems).toEqual([]);
    expect(keys.map((k) => k.id)).toEqual(['2025-06', '2025-01']);
  });

  it('names the variable and the rule for every bad entry, without echoing key text', () => {
    const short = randomBytes(16).toString('base64');
    const { problems } = parseKeyList(`nocolon,bad id!:${good()},short:${short},dup:${good()},dup:${good()},junk:%%%`);
    expect(problems).toEqual([
      'CODEC_KEYS: entry 1 must be keyId:base64Key',
      'CODEC_KEYS: entry 2 has key id "bad id!"; a key id must match [A-Za-z0-9._-]+',
      'CODEC_KEYS: key "short" must be base64 of exactly 32 bytes (AES-256)',
      'CODEC_KEYS: key id "dup" appears more than once; key ids must be unique',
      'CODEC_KEYS: key "junk" must be base64 of exactly 32 bytes (AES-256)',
    ]);
    expect(problems.join()).not.toContain(short);
    expect(parseKeyFile('# only a comment\n').problems).toEqual(['CODEC_KEYS_FILE: lists no keys; give at least one keyId:base64Key']);
    expect(parseKeyFile('x:abc').problems).toEqual(['CODEC_KEYS_FILE: key "x" must be base64 of exactly 32 bytes (AES-256)']);
  });

  it('generates key lines that parse', () => {
    const line = newKeyLine('2025-07');
    expect(parseKeyList(line).problems).toEqual([]);
    expect(() => newKeyLine('no spaces')).toThrow(/must match/);
  });
});

describe('codec config', () => {
  const problemsOf = (env: NodeJS.ProcessEnv, load: (env: NodeJS.ProcessEnv) => unknown = loadConfig): string[] => {
    try {
      load(env);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };
  const production = {
    NODE_ENV: 'production',
    VOBIZ_PARTNER_AUTH_ID: 'PA1',
    VOBIZ_PARTNER_AUTH_TOKEN: 'tok',
    VOBIZ_BASE_URL: 'https://api.vobiz.example',
    BRIDGE_API_TOKENS: 'bridge-token-for-tests',
  };

  it('refuses to start in production without a key, naming CODEC_KEYS', () => {
    expect(() => loadConfig(production)).toThrow(ConfigError);
    expect(problemsOf(production)).toEqual([expect.stringMatching(/^CODEC_KEYS: is required when NODE_ENV=production/)]);
  });

  it('refuses the development key in production', () => {
    const CODEC_KEYS = `dev:${DEVELOPMENT_KEY.keyMaterial.toString('base64')}`;
    expect(problemsOf({ ...production, CODEC_KEYS })).toEqual([expect.stringMatching(/^CODEC_KEYS: the insecure development key/)]);
  });

  it('accepts production keys from CODEC_KEYS or CODEC_KEYS_FILE', () => {
    const line = newKeyLine('prod-1');
    expect(loadConfig({ ...production, CODEC_KEYS: line }).codec).toMatchObject({ usingDevelopmentKey: false, keys: [{ id: 'prod-1' }] });
    const file = join(mkdtempSync(join(tmpdir(), 'codec-')), 'keys');
    writeFileSync(file, `# production keys\n${line}\n`, { mode: 0o600 });
    expect(loadConfig({ ...production, CODEC_KEYS_FILE: file }).codec.keys.map((k) => k.id)).toEqual(['prod-1']);
    expect(problemsOf({ ...production, CODEC_KEYS_FILE: `${file}.missing` })).toEqual([
      expect.stringMatching(/^CODEC_KEYS_FILE: cannot read file .*\(ENOENT\)$/),
    ]);
    expect(problemsOf({ ...production, CODEC_KEYS: line, CODEC_KEYS_FILE: file })).toEqual([
      'CODEC_KEYS_FILE: set either CODEC_KEYS or CODEC_KEYS_FILE, not both',
    ]);
  });

  it('falls back to the labelled development key in development and test', () => {
    for (const NODE_ENV of ['development', 'test']) {
      const { codec } = loadConfig({ NODE_ENV });
      expect(codec.usingDevelopmentKey).toBe(true);
      expect(codec.keys).toEqual([DEVELOPMENT_KEY]);
    }
  });

  it('exposes the codec server settings with their defaults and validates CORS origins', () => {
    expect(loadCodecServerConfig({}).server).toEqual({
      host: '127.0.0.1',
      port: 8888,
      corsOrigins: ['http://localhost:8233', 'http://127.0.0.1:8233'],
    });
    expect(loadCodecServerConfig({ CODEC_SERVER_TOKEN: 't0k' }).server.token).toBe('t0k');
    expect(problemsOf({ CODEC_CORS_ORIGINS: 'http://ui.example:8080,ui.example,http://x.example/path' }, loadCodecServerConfig)).toEqual([
      expect.stringMatching(/^CODEC_CORS_ORIGINS: "ui.example" must be an origin/),
      expect.stringMatching(/^CODEC_CORS_ORIGINS: "http:\/\/x.example\/path" must be an origin/),
    ]);
    expect(problemsOf({ CODEC_KEYS: 'k:short' })).toEqual(['CODEC_KEYS: key "k" must be base64 of exactly 32 bytes (AES-256)']);
  });
});

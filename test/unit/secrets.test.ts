import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadBridgeConfig } from '../../src/config/bridge.js';
import { loadCliConfig } from '../../src/config/cli.js';
import { loadLocalConfig as loadConfig } from '../../dev/config.js';
import { ConfigError } from '../../src/config/problems.js';
import { loadWorkerConfig } from '../../src/config/worker.js';
import {
  DEVELOPMENT_SEALING_KEY,
  DEVELOPMENT_SECRETS_KEY,
  isSealedSecret,
  newSecretsKeyLines,
  parseUnsealingKeys,
  sealCustomerPassword,
  SealedSecretError,
  sealingKeyOf,
  sealSecret,
  unsealSecret,
} from '../../src/secrets/index.js';
import { parseOnboardingInput } from '../../src/workflows/input.js';

const run = promisify(execFile);
const PLAIN = 'Unit#Secret9921';
const example = JSON.parse(await readFile(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as {
  customer: Record<string, unknown>;
};

function freshPair(id: string) {
  const { privateLine, publicLine } = newSecretsKeyLines(id);
  const [key] = parseUnsealingKeys(privateLine, 'list', 'SECRETS_KEYS').keys;
  return { key: key!, privateLine, publicLine };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('sealing a secret', () => {
  it('opens with the private key; the sealed value shows neither the password nor a repeat', () => {
    const a = sealSecret(PLAIN, DEVELOPMENT_SEALING_KEY, 'customer.password');
    const b = sealSecret(PLAIN, DEVELOPMENT_SEALING_KEY, 'customer.password');
    expect(a).toMatch(/^sealed:v1:insecure-dev-secrets-key:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b); // a fresh ephemeral key and IV each time
    expect(a).not.toContain(PLAIN);
    expect(isSealedSecret(a)).toBe(true);
    expect(unsealSecret(a, [DEVELOPMENT_SECRETS_KEY], 'customer.password')).toBe(PLAIN);
    expect(unsealSecret(b, [DEVELOPMENT_SECRETS_KEY], 'customer.password')).toBe(PLAIN);
  });

  it('tells sealed from plain by structure alone', () => {
    for (const value of [PLAIN, 'sealed:v1:k:short', 'sealed:v2:k:' + 'A'.repeat(90), 'sealed:v1:bad id:' + 'A'.repeat(90), 42, undefined, null]) {
      expect(isSealedSecret(value), String(value)).toBe(false);
    }
  });

  it('refuses a changed value, an unknown key and a plain value, naming the key id but never the value', () => {
    const sealed = sealSecret(PLAIN, DEVELOPMENT_SEALING_KEY, 'customer.password');
    const flipped = sealed.slice(0, -3) + (sealed.at(-3) === 'A' ? 'B' : 'A') + sealed.slice(-2);
    const changed = thrown(() => unsealSecret(flipped, [DEVELOPMENT_SECRETS_KEY], 'customer.password'));
    expect(changed).toBeInstanceOf(SealedSecretError);
    expect(changed).toMatchObject({ reason: 'cannot_open', keyId: 'insecure-dev-secrets-key' });

    const other = freshPair('2026-12');
    const unknown = thrown(() => unsealSecret(sealed, [other.key], 'customer.password'));
    expect(unknown).toMatchObject({ reason: 'unknown_key', keyId: 'insecure-dev-secrets-key' });
    expect((unknown as Error).message).toMatch(/insecure-dev-secrets-key.*not among SECRETS_KEYS/);

    // The same key id on another key pair: the tag check fails instead of yielding garbage.
    const impostor = { ...other.key, id: 'insecure-dev-secrets-key' };
    expect(thrown(() => unsealSecret(sealed, [impostor], 'customer.password'))).toMatchObject({ reason: 'cannot_open' });

    const plain = thrown(() => unsealSecret(PLAIN, [DEVELOPMENT_SECRETS_KEY], 'customer.password'));
    expect(plain).toMatchObject({ reason: 'not_sealed' });
    expect((plain as Error).message).not.toContain(PLAIN);
  });

  it('rotation: with the new key prepended, values sealed under the old key still open and new ones use the new key', () => {
    const old = freshPair('2026-01');
    const sealedUnderOld = sealSecret(PLAIN, sealingKeyOf(old.key), 'customer.password');
    const fresh = freshPair('2026-07');
    const config = loadConfig({ SECRETS_KEYS: `${fresh.privateLine},${old.privateLine}` });
    expect(config.secrets.sealingKey?.id).toBe('2026-07');
    expect(unsealSecret(sealedUnderOld, config.secrets.unsealingKeys, 'customer.password')).toBe(PLAIN);
    const sealedUnderNew = sealSecret(PLAIN, config.secrets.sealingKey!, 'customer.password');
    expect(sealedUnderNew).toMatch(/^sealed:v1:2026-07:/);
    expect(unsealSecret(sealedUnderNew, config.secrets.unsealingKeys, 'customer.password')).toBe(PLAIN);
  });
});

describe('the edges', () => {
  it('seal a plain password after checking the policy, and pass a sealed one through', () => {
    const request = { customerRef: 'c-1', customer: { ...example.customer, password: PLAIN } };
    const sealed = sealCustomerPassword(request, DEVELOPMENT_SEALING_KEY);
    expect(sealed.ok).toBe(true);
    const password = (sealed as { request: typeof request }).request.customer.password;
    expect(isSealedSecret(password)).toBe(true);
    expect(request.customer.password).toBe(PLAIN); // the caller's object is not changed
    expect(sealCustomerPassword({ customer: { password } }, undefined)).toEqual({ ok: true, request: { customer: { password } } });
  });

  it('refuse a weak password, or a plain one with no key to seal it, without echoing it', () => {
    const weak = sealCustomerPassword({ ...example, customer: { ...example.customer, password: 'weakpass' } }, DEVELOPMENT_SEALING_KEY);
    const noKey = sealCustomerPassword({ ...example, customer: { ...example.customer, password: PLAIN } }, undefined);
    const problems = (result: typeof weak) => (result.ok ? [] : result.problems.map((p) => `${p.field} ${p.rule}`));
    expect(problems(weak)).toEqual(['customer.password must be at least 8 characters with a number and a special character']);
    expect(problems(noKey)).toHaveLength(1);
    expect(problems(noKey)[0]).toMatch(/^customer\.password must be sealed.*SECRETS_PUBLIC_KEY/);
    expect(JSON.stringify([weak, noKey])).not.toMatch(/weakpass|Unit#Secret/);
    // Refused before anything is sent, so every other problem is named too, as the start API would.
    const alsoBadPhone = sealCustomerPassword({ ...example, customer: { ...example.customer, phone: '98000', password: 'weakpass' } }, DEVELOPMENT_SEALING_KEY);
    expect(problems(alsoBadPhone).map((p) => p.split(' ')[0])).toEqual(['customer.password', 'customer.phone']);
  });

  it('parse (start API, CLI) refuses a plain password by field and rule, never echoing it; accepts a sealed one', () => {
    const plain = parseOnboardingInput({ ...example, customer: { ...example.customer, password: PLAIN } });
    expect(plain.ok).toBe(false);
    const problems = (plain as { problems: { field: string; rule: string }[] }).problems;
    expect(problems.map((p) => p.field)).toEqual(['customer.password']);
    expect(problems[0]?.rule).toMatch(/^must be sealed/);
    expect(JSON.stringify(problems)).not.toContain(PLAIN);
    const sealed = sealSecret(PLAIN, DEVELOPMENT_SEALING_KEY, 'customer.password');
    expect(parseOnboardingInput({ ...example, customer: { ...example.customer, password: sealed } }).ok).toBe(true);
  });

  it('the example input carries a sealed password (development key) that opens', () => {
    expect(isSealedSecret(example.customer.password)).toBe(true);
    expect(unsealSecret(example.customer.password, [DEVELOPMENT_SECRETS_KEY], 'customer.password')).toMatch(/.{8,}/);
  });
});

/** Runs the operator CLI with `stdin` piped in; resolves with its exit code and output (never rejects). */
function cli(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('the operator CLI', () => {
  it('seal-password seals a password read from stdin; a weak one is refused (exit 2) without echoing it', async () => {
    const sealed = await cli(['seal-password'], `${PLAIN}\n`);
    expect(sealed.code).toBe(0);
    const value = sealed.stdout.trim();
    expect(value).toMatch(/^sealed:v1:insecure-dev-secrets-key:/);
    expect(unsealSecret(value, [DEVELOPMENT_SECRETS_KEY], 'customer.password')).toBe(PLAIN);
    expect(sealed.stdout + sealed.stderr).not.toContain(PLAIN);

    const weak = await cli(['seal-password'], 'weakpass\n');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/customer\.password:? must be at least 8 characters/);
    expect(weak.stdout + weak.stderr).not.toContain('weakpass');
  }, 60_000);

  it('onboard refuses a file with a plain password (exit 2), naming the field, before calling Temporal', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'secrets-cli-')), 'plain.json');
    await writeFile(file, JSON.stringify({ ...example, customer: { ...example.customer, password: PLAIN } }));
    const result = await cli(['onboard', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/customer\.password:? must be sealed/);
    expect(result.stdout + result.stderr).not.toContain(PLAIN);
  }, 60_000);
});

describe('secrets configuration', () => {
  it('development and test: the documented insecure key pair, used everywhere', () => {
    const { secrets } = loadConfig({});
    expect(secrets.usingDevelopmentKey).toBe(true);
    expect(secrets.unsealingKeys.map((k) => k.id)).toEqual(['insecure-dev-secrets-key']);
    expect(secrets.sealingKey?.id).toBe('insecure-dev-secrets-key');
  });

  it('an edge (the CLI) seals with SECRETS_PUBLIC_KEY and holds no private key at all', () => {
    const pair = freshPair('edge-1');
    const config = loadCliConfig({ SECRETS_PUBLIC_KEY: pair.publicLine, SECRETS_KEYS: 'not even read' });
    expect(config.secrets).toMatchObject({ sealingKey: { id: 'edge-1' }, usingDevelopmentKey: false });
    expect(Object.keys(config.secrets).sort()).toEqual(['sealingKey', 'usingDevelopmentKey']);
  });

  it('production: the bridge and CLI need no private key, the worker does, and the development pair is refused', () => {
    const base = {
      NODE_ENV: 'production',
      VOBIZ_PARTNER_AUTH_ID: 'PA_X',
      VOBIZ_PARTNER_AUTH_TOKEN: 't',
      VOBIZ_BASE_URL: 'https://api.vobiz.ai',
      BRIDGE_API_TOKENS: 'tok'.padEnd(32, 'k'),
      BRIDGE_PUBLIC_URL: 'https://hooks.example.com',
      CODEC_KEYS: 'k1:' + Buffer.alloc(32, 7).toString('base64'),
    };
    expect(loadBridgeConfig(base)).not.toHaveProperty('secrets');
    expect(loadCliConfig(base).secrets).toEqual({ usingDevelopmentKey: false });
    expect(() => loadWorkerConfig(base)).toThrow(/SECRETS_KEYS: is required to run the worker when NODE_ENV=production/);

    const devLine = `dev:${Buffer.from(DEVELOPMENT_SECRETS_KEY.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16)).toString('base64')}`;
    expect(() => loadWorkerConfig({ ...base, SECRETS_KEYS: devLine })).toThrow(/SECRETS_KEYS: the insecure development key must not be used/);
    const devPublic = `dev:${DEVELOPMENT_SEALING_KEY.publicKey.toString('base64')}`;
    expect(() => loadCliConfig({ ...base, SECRETS_PUBLIC_KEY: devPublic })).toThrow(/SECRETS_PUBLIC_KEY: the insecure development key/);

    const pair = freshPair('prod-1');
    expect(loadWorkerConfig({ ...base, SECRETS_KEYS: pair.privateLine, ACCOUNT_CLAIM_KEY: `claims:${Buffer.alloc(32, 9).toString('base64')}` }).secrets.unsealingKeys.map((k) => k.id)).toEqual(['prod-1']);
  });

  it('reads SECRETS_KEYS_FILE (comments and blank lines ignored), and refuses it together with SECRETS_KEYS', async () => {
    const a = freshPair('file-new');
    const b = freshPair('file-old');
    const file = join(await mkdtemp(join(tmpdir(), 'secrets-keys-')), 'keys');
    await writeFile(file, `# newest first\n${a.privateLine}\n\n${b.privateLine}  # kept for open workflows\n`, { mode: 0o600 });
    const { secrets } = loadConfig({ SECRETS_KEYS_FILE: file });
    expect(secrets.unsealingKeys.map((k) => k.id)).toEqual(['file-new', 'file-old']);
    expect(secrets.sealingKey?.id).toBe('file-new');
    expect(() => loadConfig({ SECRETS_KEYS_FILE: file, SECRETS_KEYS: a.privateLine })).toThrow(/SECRETS_KEYS_FILE: set either SECRETS_KEYS or SECRETS_KEYS_FILE, not both/);
    expect(() => loadConfig({ SECRETS_KEYS_FILE: `${file}.missing` })).toThrow(/SECRETS_KEYS_FILE: cannot read file/);
  });

  it('reports a bad key by name without echoing it', () => {
    const error = thrown(() => loadConfig({ SECRETS_KEYS: 'a:c2hvcnQtc2VjcmV0', SECRETS_PUBLIC_KEY: 'x:y:z,w:v' }));
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/SECRETS_KEYS: key "a" must be base64 of exactly 32 bytes \(an X25519 key\)/);
    expect(problems).toMatch(/SECRETS_PUBLIC_KEY/);
    expect(problems).not.toContain('c2hvcnQtc2VjcmV0');
  });

  it('the worker entry point refuses to start in production without a secrets key (exit 78)', async () => {
    const err = await run('npx', ['tsx', 'src/worker.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        VOBIZ_PARTNER_AUTH_ID: 'PA_X',
        VOBIZ_PARTNER_AUTH_TOKEN: 't',
        VOBIZ_BASE_URL: 'https://api.vobiz.ai',
        BRIDGE_PUBLIC_URL: 'https://hooks.example.com',
        CODEC_KEYS: 'k1:' + Buffer.alloc(32, 7).toString('base64'),
        SECRETS_KEYS: '',
        SECRETS_KEYS_FILE: '',
        SECRETS_PUBLIC_KEY: '',
        TEMPORAL_ADDRESS: '127.0.0.1:1', // never reached: the check comes first
      },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 78 });
    expect((err as { stderr: string }).stderr).toMatch(/SECRETS_KEYS: is required to run the worker/);
  }, 60_000);

  it('the codec server refuses to start when given the secrets private keys (exit 78)', async () => {
    const err = await run('npx', ['tsx', 'src/codec/main.ts'], {
      env: { ...process.env, SECRETS_KEYS: freshPair('codec-must-not').privateLine, CODEC_SERVER_PORT: '1' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 78 });
    expect((err as { stderr: string }).stderr).toMatch(/must not be given to the codec server/);
  }, 60_000);

  it('the format check is pure: workflow code can import it', async () => {
    const source = await readFile(new URL('../../src/secrets/sealed-format.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from ['"](node:|crypto|buffer)/);
  });
});

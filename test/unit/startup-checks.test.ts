/**
 * The start-up checks' parts that need no server: running checks (what one needs first, deadlines, a check that
 * throws), the bridge's settings (public URL, signing secret, BRIDGE_WEBHOOK_SIGNATURE), the secrets key pair, and
 * refusals for the signature told once per burst.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadLocalConfig } from '../../dev/config.js';
import { sandboxCredentialsNote, startupCheckLines, startupHeadline, type StackCheck } from '../../dev/stack-checks.js';
import { createSignatureRefusals } from '../../src/bridge/signature-refusals.js';
import { publicUrl, webhookSecret } from '../../src/checks/bridge-settings.js';
import { CHECK_SEAL_PURPOSE, CHECK_SEALED_TEXT, secretsKeys } from '../../src/checks/keys.js';
import { fail, ok, runChecks, type Check } from '../../src/checks/run.js';
import { loadBridgeConfig } from '../../src/config/bridge.js';
import { ConfigError } from '../../src/config/problems.js';
import { createLogger } from '../../src/logging.js';
import { DEVELOPMENT_SECRETS_KEY, newSecretsKeyLines, parseSealingKey, parseUnsealingKeys, sealSecret, sealingKeyOf } from '../../src/secrets/index.js';

/** A check's result: its status, and words its detail (and fix) contain. */
function expectOutcome(r: { status: string; detail?: string; fix?: string } | undefined, status: string, detail: string, fix?: string): void {
  expect(r?.status).toBe(status);
  expect(r?.detail).toContain(detail);
  if (fix !== undefined) expect(r?.fix).toContain(fix);
}

/** A logger whose JSON lines are kept. */
function capture() {
  const lines: Array<{ level: string; msg: string; refused: Record<string, number> }> = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as (typeof lines)[number]));
        done();
      },
    }),
  });
  return { lines, logger };
}

const noDeadline = { signal: new AbortController().signal, deadline: Date.now() + 60_000 };

describe('runChecks', () => {
  it('skips a check whose need failed, names it, and runs the rest', async () => {
    const ran: string[] = [];
    const check = (name: Check['name'], outcome: () => Promise<ReturnType<typeof ok>>, needs?: Check['needs']): Check => ({
      name,
      ...(needs ? { needs } : {}),
      run: async () => {
        ran.push(name);
        return outcome();
      },
    });
    const results = await runChecks([
      check('temporal', async () => fail('127.0.0.1:7233 does not answer', 'start it')),
      check('namespace', async () => ok('fine'), ['temporal']),
      check('kyc_sweep_schedule', async () => ok('fine'), ['namespace']),
      check('vobiz_credentials', async () => ok('partner PA_X authenticated')),
    ]);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['temporal', 'fail'],
      ['namespace', 'skipped'],
      ['kyc_sweep_schedule', 'skipped'],
      ['vobiz_credentials', 'ok'],
    ]);
    expect(results[1]!.detail).toBe('needs temporal, which failed');
    expect(results[2]!.detail).toBe('needs namespace, which was skipped');
    expect(ran.sort()).toEqual(['temporal', 'vobiz_credentials']);
  });

  it('fails a check that throws, or answers too late, with its fix', async () => {
    const results = await runChecks(
      [
        { name: 'codec_keys', fixOnError: 'give every process the same CODEC_KEYS', run: () => Promise.reject(new Error('boom\nsecond line')) },
        { name: 'vobiz_credentials', fixOnError: 'check VOBIZ_BASE_URL', run: ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(ok('too late')))) },
      ],
      { timeoutMs: 300 },
    );
    expect(results[0]).toEqual({ name: 'codec_keys', status: 'fail', detail: 'boom', fix: 'give every process the same CODEC_KEYS' });
    expect(results[1]).toEqual({ name: 'vobiz_credentials', status: 'fail', detail: 'no answer within 0 s', fix: 'check VOBIZ_BASE_URL' });
  });
});

describe("the bridge's settings", () => {
  const outcome = (check: Check) => check.run(noDeadline);

  it('public_url: a public https host in production; a local one is fine beside a local Vobiz only', async () => {
    expect(await outcome(publicUrl({ url: 'https://hooks.example.com', production: true }))).toMatchObject({ status: 'ok', detail: 'KYC webhooks go to https://hooks.example.com/webhooks/vobiz/kyc' });
    expectOutcome(await outcome(publicUrl({ url: 'http://127.0.0.1:8787', production: true })), 'fail', 'must be an https URL in production');
    expectOutcome(await outcome(publicUrl({ url: 'https://10.0.0.5', production: true })), 'fail', 'a private (RFC 1918) address');
    expectOutcome(await outcome(publicUrl({ url: 'https://bridge.internal', production: true })), 'fail', '.internal');
    expectOutcome(await outcome(publicUrl({ url: 'https://u:p@hooks.example.com', production: true })), 'fail', 'credentials');
    expect(await outcome(publicUrl({ url: 'http://127.0.0.1:8787', production: false, vobizBaseUrl: 'http://127.0.0.1:4010' }))).toMatchObject({ status: 'ok' });
    const unreachable = await outcome(publicUrl({ url: 'http://127.0.0.1:8787', production: false, vobizBaseUrl: 'https://api.vobiz.ai' }));
    expectOutcome(unreachable, 'fail', 'Vobiz at https://api.vobiz.ai cannot post to http://127.0.0.1:8787/webhooks/vobiz/kyc', 'BRIDGE_PUBLIC_URL');
  });

  it('webhook_secret: none fails; optional signatures warn; the values are never told', async () => {
    expect(await outcome(webhookSecret({ count: 2, source: 'BRIDGE_WEBHOOK_SECRETS', signature: 'required' }))).toEqual({ status: 'ok', detail: '2 signing secret(s) from BRIDGE_WEBHOOK_SECRETS' });
    expectOutcome(await outcome(webhookSecret({ count: 0, source: 'BRIDGE_WEBHOOK_SECRETS', signature: 'required' })), 'fail', 'every KYC webhook is refused 401');
    expectOutcome(await outcome(webhookSecret({ count: 1, source: 'VOBIZ_PARTNER_AUTH_TOKEN', signature: 'optional' })), 'warn', 'unsigned KYC webhooks are taken as hints', 'BRIDGE_WEBHOOK_SIGNATURE=required');
  });

  it('BRIDGE_WEBHOOK_SIGNATURE: required by default, optional on request (production too), anything else named', () => {
    expect(loadBridgeConfig({}).bridge).toMatchObject({ webhookSignature: 'required', webhookSecretSource: 'SANDBOX_PARTNER_AUTH_TOKEN' });
    expect(loadBridgeConfig({ BRIDGE_WEBHOOK_SIGNATURE: 'optional', VOBIZ_PARTNER_AUTH_TOKEN: 'partner-token' }).bridge).toMatchObject({ webhookSignature: 'optional', webhookSecretSource: 'VOBIZ_PARTNER_AUTH_TOKEN' });
    const production = loadBridgeConfig({
      NODE_ENV: 'production',
      BRIDGE_WEBHOOK_SIGNATURE: 'optional',
      BRIDGE_WEBHOOK_SECRETS: 'partner-token',
      BRIDGE_PUBLIC_URL: 'https://hooks.example.com',
      BRIDGE_API_TOKENS: 'a'.repeat(64),
      CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    }).bridge;
    expect(production).toMatchObject({ webhookSignature: 'optional', webhookSecretSource: 'BRIDGE_WEBHOOK_SECRETS' });
    expect(() => loadBridgeConfig({ BRIDGE_WEBHOOK_SIGNATURE: 'sometimes' })).toThrow(ConfigError);
    try {
      loadBridgeConfig({ BRIDGE_WEBHOOK_SIGNATURE: 'sometimes' });
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(['BRIDGE_WEBHOOK_SIGNATURE: must be required or optional']);
    }
  });
});

describe('secrets_keys: do the worker\'s private keys open what an edge seals?', () => {
  const { privateLine, publicLine } = newSecretsKeyLines('k2');
  const keys = parseUnsealingKeys(privateLine, 'list', 'SECRETS_KEYS').keys;
  const probe = (line: string) => sealSecret(CHECK_SEALED_TEXT, parseSealingKey(line, 'SECRETS_PUBLIC_KEY').key!, CHECK_SEAL_PURPOSE);
  const run = (sealedProbe?: string) => secretsKeys({ keys, usingDevelopmentKey: false, ...(sealedProbe ? { sealedProbe } : {}) }).run(noDeadline);

  it('opens a probe sealed with its public half', async () => {
    expect(await run(probe(publicLine))).toEqual({ status: 'ok', detail: '1 private key(s): k2; opens what SECRETS_PUBLIC_KEY seals' });
  });

  it('names a public key of another id, and one of the same id that is not its pair', async () => {
    expect(await run(sealSecret(CHECK_SEALED_TEXT, sealingKeyOf(DEVELOPMENT_SECRETS_KEY), CHECK_SEAL_PURPOSE))).toMatchObject({
      status: 'fail',
      detail: 'SECRETS_PUBLIC_KEY seals with key insecure-dev-secrets-key, which is not among the worker\'s 1 private key(s): k2',
    });
    const impostor = newSecretsKeyLines('k2').publicLine;
    expectOutcome(await run(probe(impostor)), 'fail', 'is not the public half of the worker\'s key of that id');
  });

  it('does not open a sealed password in place of a probe (the purpose is sealed in)', async () => {
    const password = sealSecret(CHECK_SEALED_TEXT, parseSealingKey(publicLine, 'SECRETS_PUBLIC_KEY').key!, 'customer.password');
    expect(await run(password)).toMatchObject({ status: 'fail' });
  });
});

describe('refusals for the signature', () => {
  it('are told at error once per burst, with what the burst held, and again every ten minutes while it lasts', () => {
    let now = 0;
    const { lines, logger } = capture();
    const refusals = createSignatureRefusals(logger, { now: () => now });
    refusals.refused('missing');
    for (let i = 0; i < 20; i++) {
      now += 10_000;
      refusals.refused('mismatch');
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', refused: { missing: 1, mismatch: 0 } });
    // Still going after ten minutes: told again, with the count since.
    for (let i = 0; i < 45; i++) {
      now += 10_000;
      refusals.refused('mismatch');
    }
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 'error', refused: { missing: 0, mismatch: 60 } });
    expect(lines[1]!.msg).toContain('still refused');
    // A quiet minute ends the burst: the next refusal starts another.
    now += 61_000;
    refusals.refused('missing');
    expect(lines).toHaveLength(3);
    expect(lines[2]!.msg).toContain('further refusals in this burst are counted');
  });
});

describe("npm start's banner", () => {
  it('says "up" only when no check failed, and lists what fails or warns with its fix', () => {
    const checks: StackCheck[] = [
      { where: 'worker', check: 'vobiz_credentials', status: 'fail', detail: 'Vobiz refused partner PA_X (401)', fix: 'set VOBIZ_PARTNER_AUTH_TOKEN' },
      { where: 'bridge', check: 'webhook_secret', status: 'warn', detail: 'unsigned KYC webhooks are taken as hints', fix: 'set BRIDGE_WEBHOOK_SIGNATURE=required' },
      { where: 'bridge', check: 'temporal', status: 'ok', detail: '' },
    ];
    expect(startupHeadline(checks)).toBe('Vobiz lifecycle: local system started, but 1 start-up check(s) FAILED: worker vobiz_credentials');
    expect(startupHeadline(checks.slice(1))).toBe('Vobiz lifecycle: local system is up');
    const lines = startupCheckLines(checks, undefined).join('\n');
    expect(lines).toContain('FAILED  worker vobiz_credentials: Vobiz refused partner PA_X (401)\n           fix: set VOBIZ_PARTNER_AUTH_TOKEN');
    expect(lines).toContain('warning  bridge webhook_secret');
    expect(lines).not.toContain('temporal');
    expect(startupCheckLines([checks[2]!], undefined)).toEqual([]);
  });

  it('says which partner credentials the built-in sandbox makes the worker use when VOBIZ_PARTNER_* is set', () => {
    const { lines, logger } = capture();
    const env = { VOBIZ_PARTNER_AUTH_ID: 'PA_MINE', VOBIZ_PARTNER_AUTH_TOKEN: 'my-real-partner-token' };
    const note = sandboxCredentialsNote(loadLocalConfig(env), env, logger);
    expect(note).toContain('VOBIZ_PARTNER_AUTH_ID and VOBIZ_PARTNER_AUTH_TOKEN are set, but VOBIZ_BASE_URL is not: the built-in sandbox runs, and the worker uses its partner PA_SANDBOX1');
    expect(startupCheckLines([], note).join('\n')).toContain(`note    ${note}`);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: note })]);
    expect(JSON.stringify(lines)).not.toContain('my-real-partner-token');
    // Nothing to say with VOBIZ_BASE_URL (those credentials are used) or without VOBIZ_PARTNER_*.
    const external = { ...env, VOBIZ_BASE_URL: 'https://api.vobiz.ai' };
    expect(sandboxCredentialsNote(loadLocalConfig(external), external, logger)).toBeUndefined();
    expect(sandboxCredentialsNote(loadLocalConfig({}), {}, logger)).toBeUndefined();
    expect(lines).toHaveLength(1);
  });
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BRIDGE_PROCESS, loadBridgeConfig } from '../../src/config/bridge.js';
import { CLI_PROCESS, loadCliConfig } from '../../src/config/cli.js';
import { CODEC_SERVER_PROCESS, loadCodecServerConfig } from '../../src/config/codec-server.js';
import { loadLocalConfig } from '../../dev/config.js';
import { ensurePrivateDir } from '../../src/config/private-files.js';
import { loadSandboxConfig, SANDBOX_PROCESS } from '../../sandbox/config.js';
import { loadTemporalClientConfig } from '../../src/config/temporal-client.js';
import { loadWorkerConfig, WORKER, WORKER_PROCESS, workerSection } from '../../src/config/worker.js';
import { newKeyLine } from '../../src/codec/keys.js';
import { DEVELOPMENT_ACCOUNT_CLAIM_KEY } from '../../src/temporal/account-claims.js';
import { problemsOf } from '../support/config-problems.js';

const run = promisify(execFile);

const strongToken = () => randomBytes(32).toString('hex');
const codecKey = () => `k1:${randomBytes(32).toString('base64')}`;
const secretsKey = () => `s1:${randomBytes(32).toString('base64')}`;

/** A file with `mode`, in a fresh folder. */
function fileWith(contents: string, mode: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'config-')), 'secret');
  writeFileSync(file, contents);
  chmodSync(file, mode);
  return file;
}

describe('config', () => {
  it('runs on embedded defaults: local dev server and the sandbox', () => {
    const config = loadLocalConfig({});
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'vobiz-lifecycle' });
    expect(config.temporal.tls).toBeUndefined();
    expect(config.vobiz.baseUrl).toBe('http://127.0.0.1:4010');
    expect(config.vobiz.partnerAuthId).toBe(config.sandbox.partnerAuthId);
    expect(config.worker.shutdownGraceTimeMs).toBe(30_000);
  });

  it('reports every bad variable at once, by name and rule', () => {
    const problems = problemsOf(() => loadLocalConfig({ TEMPORAL_ADDRESS: '', LOG_LEVEL: 'loud', SANDBOX_PORT: '70000', WORKER_SHUTDOWN_GRACE_TIME: 'soon' })).join('\n');
    expect(problems).toMatch(/LOG_LEVEL: must be one of trace, debug/);
    expect(problems).toMatch(/SANDBOX_PORT: must be between 1 and 65535/);
    expect(problems).toMatch(/WORKER_SHUTDOWN_GRACE_TIME: must be milliseconds or a duration/);
    // An empty TEMPORAL_ADDRESS falls back to its default only when unset; set-but-empty is an error.
    expect(problems).toMatch(/TEMPORAL_ADDRESS/);
  });

  it("caps the sandbox's accounts at Vobiz's documented 1000 unless SANDBOX_MAX_ACCOUNTS raises it", () => {
    expect(loadSandboxConfig({}).sandbox.maxAccounts).toBe(1000);
    expect(loadSandboxConfig({ SANDBOX_MAX_ACCOUNTS: '10000' }).sandbox.maxAccounts).toBe(10_000);
    for (const bad of ['0', '-5', '2.5', 'many']) {
      expect(() => loadSandboxConfig({ SANDBOX_MAX_ACCOUNTS: bad })).toThrow(/SANDBOX_MAX_ACCOUNTS: must be/);
    }
  });

  it('requires of a production worker real Vobiz credentials over https, its keys and an https public URL, all named at once', () => {
    const problems = problemsOf(() => loadWorkerConfig({ NODE_ENV: 'production' })).join('\n');
    expect(problems).toMatch(/VOBIZ_PARTNER_AUTH_ID: is required[\s\S]*VOBIZ_PARTNER_AUTH_TOKEN: is required[\s\S]*VOBIZ_BASE_URL: must be https/);
    expect(problems).toMatch(/CODEC_KEYS: is required when NODE_ENV=production/);
    expect(problems).toMatch(/SECRETS_KEYS: is required to run the worker/);
    expect(problems).toMatch(/BRIDGE_PUBLIC_URL: is required, https:\/\/, when NODE_ENV=production/);
  });

  it('caps one opening balance at ONBOARDING_MAX_OPENING_BALANCE (default 50000) and allows loopback alert receivers only when asked, never in production', () => {
    expect(loadBridgeConfig({}).onboarding).toEqual({ production: false, maxOpeningBalance: '50000.00000', allowLoopbackAlertWebhooks: false });
    expect(loadWorkerConfig({ ONBOARDING_MAX_OPENING_BALANCE: '2500.5', ALERT_WEBHOOK_ALLOW_LOOPBACK: 'true' }).onboarding).toEqual({
      production: false,
      maxOpeningBalance: '2500.50000',
      allowLoopbackAlertWebhooks: true,
    });
    for (const bad of ['0', '-5', '1.123456', 'lots', '1e6']) {
      expect(() => loadCliConfig({ ONBOARDING_MAX_OPENING_BALANCE: bad })).toThrow(/ONBOARDING_MAX_OPENING_BALANCE: must be/);
    }
    expect(() => loadWorkerConfig({ NODE_ENV: 'production', ALERT_WEBHOOK_ALLOW_LOOPBACK: 'true' })).toThrow(
      /ALERT_WEBHOOK_ALLOW_LOOPBACK: must be false when NODE_ENV=production/,
    );
  });

  it('switches TLS on for an API key and requires cert and key together', () => {
    expect(loadTemporalClientConfig({ TEMPORAL_API_KEY: 'k' }).temporal).toMatchObject({ tls: {}, apiKey: 'k' });
    expect(() => loadTemporalClientConfig({ TEMPORAL_TLS_CERT_PATH: '/etc/hosts' })).toThrow(/TEMPORAL_TLS_KEY_PATH: .*set together/);
    expect(() => loadTemporalClientConfig({ TEMPORAL_TLS_CA_PATH: '/nonexistent/ca.pem' })).toThrow(/TEMPORAL_TLS_CA_PATH: cannot read file/);
  });

  it('versions the worker only with a deployment name and a build id together', () => {
    expect(loadWorkerConfig({}).worker.deployment).toBeUndefined();
    expect(loadWorkerConfig({ WORKER_DEPLOYMENT_NAME: 'vobiz-lifecycle', WORKER_BUILD_ID: 'abc123' }).worker.deployment).toEqual({ deploymentName: 'vobiz-lifecycle', buildId: 'abc123' });
    expect(() => loadWorkerConfig({ WORKER_BUILD_ID: 'abc123' })).toThrow(/WORKER_DEPLOYMENT_NAME: .*set together/);
    expect(() => loadWorkerConfig({ WORKER_DEPLOYMENT_NAME: 'vobiz-lifecycle' })).toThrow(/WORKER_BUILD_ID: .*set together/);
  });

  it('runs a prebuilt workflow bundle in production (dist/ by default) or wherever WORKER_WORKFLOW_BUNDLE names one, else bundles the source', () => {
    expect(loadWorkerConfig({}).worker.workflowBundlePath).toBeUndefined();
    expect(loadWorkerConfig({ WORKER_WORKFLOW_BUNDLE: '/tmp/chaos/workflow-bundle.js' }).worker.workflowBundlePath).toBe('/tmp/chaos/workflow-bundle.js');
    const defaults = z.object(WORKER).parse({});
    expect(workerSection({ ...defaults, NODE_ENV: 'production' }, []).workflowBundlePath).toBe('dist/workflow-bundle.js');
    expect(workerSection({ ...defaults, WORKER_WORKFLOW_BUNDLE: '/app/bundle.js', NODE_ENV: 'production' }, []).workflowBundlePath).toBe('/app/bundle.js');
  });

  it('runs the KYC sweep every 5 minutes with a full paging at least every 3 hours, both at least 1s', () => {
    expect(loadWorkerConfig({}).worker).toMatchObject({ kycSweepIntervalMs: 300_000, kycSweepFullPagingEveryMs: 3 * 3_600_000 });
    expect(loadWorkerConfig({ KYC_SWEEP_FULL_PAGING_EVERY: '1h' }).worker.kycSweepFullPagingEveryMs).toBe(3_600_000);
    expect(() => loadWorkerConfig({ KYC_SWEEP_FULL_PAGING_EVERY: '10ms' })).toThrow(/KYC_SWEEP_FULL_PAGING_EVERY: must be at least 1s/);
  });

  it('keys account claims with ACCOUNT_CLAIM_KEY (the worker alone): one key, the development key only outside production', () => {
    const key = newKeyLine('claims');
    expect(loadWorkerConfig({}).accountClaims).toMatchObject({ usingDevelopmentKey: true, key: DEVELOPMENT_ACCOUNT_CLAIM_KEY });
    expect(loadWorkerConfig({ ACCOUNT_CLAIM_KEY: key }).accountClaims).toMatchObject({ usingDevelopmentKey: false, key: { id: 'claims' } });
    expect(problemsOf(() => loadWorkerConfig({ ACCOUNT_CLAIM_KEY: `${key},${newKeyLine('second')}` }))).toEqual([
      'ACCOUNT_CLAIM_KEY: must hold exactly one key (claims made under a key are found only with that key)',
    ]);
    expect(() => loadWorkerConfig({ ACCOUNT_CLAIM_KEY: 'claims:not-base64!' })).toThrow(/ACCOUNT_CLAIM_KEY: key "claims" must be base64 of exactly 32 bytes/);
    const production = {
      NODE_ENV: 'production',
      CODEC_KEYS: newKeyLine('codec'),
      SECRETS_KEYS: secretsKey(),
      VOBIZ_BASE_URL: 'https://api.vobiz.ai',
      VOBIZ_PARTNER_AUTH_ID: 'PA_X',
      VOBIZ_PARTNER_AUTH_TOKEN: strongToken(),
      BRIDGE_PUBLIC_URL: 'https://hooks.example.com',
    };
    expect(problemsOf(() => loadWorkerConfig(production))).toEqual([
      'ACCOUNT_CLAIM_KEY: is required to run the worker when NODE_ENV=production (or set ACCOUNT_CLAIM_KEY_FILE); make one with `npm run codec:new-key claims` and never change it',
    ]);
    expect(loadWorkerConfig({ ...production, ACCOUNT_CLAIM_KEY: key }).accountClaims.key.id).toBe('claims');
    const devKey = `dev:${DEVELOPMENT_ACCOUNT_CLAIM_KEY.keyMaterial.toString('base64')}`;
    expect(problemsOf(() => loadWorkerConfig({ ...production, ACCOUNT_CLAIM_KEY: devKey }))).toEqual([
      'ACCOUNT_CLAIM_KEY: the insecure development key must not be used when NODE_ENV=production',
    ]);
    // No other process reads it.
    for (const vars of [BRIDGE_PROCESS, CLI_PROCESS, CODEC_SERVER_PROCESS, SANDBOX_PROCESS]) expect(Object.keys(vars)).not.toContain('ACCOUNT_CLAIM_KEY');
    expect(Object.keys(WORKER_PROCESS)).toContain('ACCOUNT_CLAIM_KEY_FILE');
  });

  it('makes an entry point print all problems and exit non-zero', { timeout: 30_000 }, async () => {
    const err = await run('npx', ['tsx', 'src/worker.ts'], {
      env: { ...process.env, TEMPORAL_ADDRESS: '', LOG_LEVEL: 'loud' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 78 });
    expect((err as { stderr: string }).stderr).toMatch(/TEMPORAL_ADDRESS: must be host:port/);
    expect((err as { stderr: string }).stderr).toMatch(/LOG_LEVEL: must be one of/);
  });
});

describe('settings per role: each process reads, validates and holds only what it uses', () => {
  const names = (shape: object) => Object.keys(shape);

  it('the codec server reads CODEC_* and nothing of Vobiz, the secrets keys, the bridge or Temporal', () => {
    const read = names(CODEC_SERVER_PROCESS);
    expect(read.filter((n) => !['NODE_ENV', 'LOG_LEVEL'].includes(n) && !n.startsWith('CODEC_'))).toEqual([]);
    expect(read).toEqual(expect.arrayContaining(['CODEC_KEYS', 'CODEC_SERVER_TOKEN', 'CODEC_SERVER_TOKEN_FILE', 'CODEC_OIDC_ISSUER', 'CODEC_OIDC_AUDIENCE']));
  });

  it('the bridge never reads the secrets private keys, the partner auth id or the codec server settings', () => {
    const read = names(BRIDGE_PROCESS);
    for (const name of ['SECRETS_KEYS', 'SECRETS_KEYS_FILE', 'VOBIZ_PARTNER_AUTH_ID', 'CODEC_SERVER_TOKEN', 'WORKER_SHUTDOWN_GRACE_TIME']) expect(read).not.toContain(name);
  });

  it('the CLI seals with the public key and never reads the private keys; only the worker reads SECRETS_KEYS', () => {
    expect(names(CLI_PROCESS)).toContain('SECRETS_PUBLIC_KEY');
    expect(names(CLI_PROCESS)).not.toContain('SECRETS_KEYS');
    expect(names(WORKER_PROCESS)).toContain('SECRETS_KEYS');
    expect(names(WORKER_PROCESS)).not.toContain('BRIDGE_API_TOKENS');
    expect(names(SANDBOX_PROCESS).filter((n) => /^(CODEC|SECRETS|VOBIZ|BRIDGE|TEMPORAL)_/.test(n))).toEqual([]);
  });

  it('a bad value in a variable a process does not use no longer stops it', () => {
    const unrelated = {
      VOBIZ_BASE_URL: 'not a url',
      VOBIZ_PARTNER_AUTH_TOKEN_FILE: '/nonexistent/partner-token',
      SECRETS_KEYS: 'garbage',
      SECRETS_PUBLIC_KEY: 'garbage',
      BRIDGE_PORT: 'eighty',
      BRIDGE_API_TOKENS_FILE: '/nonexistent/tokens',
      WORKER_SHUTDOWN_GRACE_TIME: 'soon',
      TEMPORAL_DEV_PORT: '0',
      SANDBOX_MAX_ACCOUNTS: 'many',
    };
    expect(loadCodecServerConfig(unrelated).server.port).toBe(8888);
    // The bridge reads the partner token only as the default webhook secret: with its own secrets, never.
    const bridge = { ...unrelated, BRIDGE_PORT: '8787', BRIDGE_API_TOKENS_FILE: '', TEMPORAL_DEV_PORT: '7233', BRIDGE_WEBHOOK_SECRETS: 'hook-secret' };
    expect(loadBridgeConfig(bridge).bridge.webhookSecrets).toEqual(['hook-secret']);
    expect(problemsOf(() => loadBridgeConfig({ ...bridge, BRIDGE_WEBHOOK_SECRETS: '' }))).toEqual([
      'VOBIZ_PARTNER_AUTH_TOKEN_FILE: cannot read file /nonexistent/partner-token (ENOENT)',
    ]);
    expect(loadSandboxConfig({ ...unrelated, SANDBOX_MAX_ACCOUNTS: '10' }).sandbox.port).toBe(4010);
    expect(loadWorkerConfig({ CODEC_SERVER_PORT: 'x', BRIDGE_API_TOKENS_FILE: '/nonexistent', CODEC_OIDC_ISSUER: 'nope', SANDBOX_DB_PATH: '' }).worker.memoryBudgetMb).toBe(300);
    // ... while the same values stop a process that does use them.
    expect(problemsOf(() => loadWorkerConfig(unrelated)).join('\n')).toMatch(/VOBIZ_BASE_URL[\s\S]*WORKER_SHUTDOWN_GRACE_TIME/);
  });
});

describe('secrets from files', () => {
  const cases: [string, (env: NodeJS.ProcessEnv) => unknown][] = [
    ['VOBIZ_PARTNER_AUTH_TOKEN', (env) => loadWorkerConfig(env).vobiz.partnerAuthToken],
    ['BRIDGE_API_TOKENS', (env) => loadBridgeConfig(env).bridge.apiTokens[0]],
    ['BRIDGE_WEBHOOK_SECRETS', (env) => loadBridgeConfig(env).bridge.webhookSecrets[0]],
    ['CODEC_SERVER_TOKEN', (env) => loadCodecServerConfig(env).server.token],
    ['TEMPORAL_API_KEY', (env) => loadTemporalClientConfig(env).temporal.apiKey],
  ];

  it.each(cases)('%s has a *_FILE form, read from a private file; never both', (name, read) => {
    const secret = strongToken();
    const file = fileWith(`${secret}\n`, 0o600);
    expect(read({ [`${name}_FILE`]: file })).toBe(secret);
    expect(problemsOf(() => read({ [name]: secret, [`${name}_FILE`]: file }))).toEqual([`${name}_FILE: set either ${name} or ${name}_FILE, not both`]);
  });

  it('refuses a key or secret file readable by group or others, naming the file and chmod 600', () => {
    for (const mode of [0o644, 0o640, 0o604]) {
      const token = fileWith(strongToken(), mode);
      expect(problemsOf(() => loadCodecServerConfig({ CODEC_SERVER_TOKEN_FILE: token }))).toEqual([
        `CODEC_SERVER_TOKEN_FILE: ${token} is readable by group or others (mode 0${mode.toString(8)}); a key or secret file must be readable by its owner only: chmod 600 ${token}`,
      ]);
    }
    const keys = fileWith(`${codecKey()}\n`, 0o644);
    expect(problemsOf(() => loadBridgeConfig({ CODEC_KEYS_FILE: keys })).join('\n')).toMatch(new RegExp(`CODEC_KEYS_FILE: ${keys} is readable by group or others .*chmod 600 ${keys}`));
    const privateKeys = fileWith(`${secretsKey()}\n`, 0o644);
    expect(problemsOf(() => loadWorkerConfig({ SECRETS_KEYS_FILE: privateKeys })).join('\n')).toMatch(/SECRETS_KEYS_FILE: .* is readable by group or others .*chmod 600/);
    const tlsKey = fileWith('-----BEGIN PRIVATE KEY-----\n', 0o644);
    expect(problemsOf(() => loadTemporalClientConfig({ TEMPORAL_TLS_CERT_PATH: '/etc/hosts', TEMPORAL_TLS_KEY_PATH: tlsKey })).join('\n')).toMatch(
      /TEMPORAL_TLS_KEY_PATH: .* is readable by group or others/,
    );
    expect(loadWorkerConfig({ SECRETS_KEYS_FILE: fileWith(`${secretsKey()}\n`, 0o400) }).secrets.unsealingKeys).toHaveLength(1);
  });

  it('creates DATA_DIR and the folders under it readable by their owner only, and tightens an existing one of ours', () => {
    const base = mkdtempSync(join(tmpdir(), 'data-dir-'));
    const nested = join(base, 'state', 'data');
    ensurePrivateDir(nested);
    expect(statSync(nested).mode & 0o777).toBe(0o700);
    expect(statSync(join(base, 'state')).mode & 0o777).toBe(0o700);
    const open = join(base, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    ensurePrivateDir(open);
    expect(statSync(open).mode & 0o777).toBe(0o700);
  });
});

describe('production rules at the edges', () => {
  const bridgeProduction = { NODE_ENV: 'production', CODEC_KEYS: codecKey(), BRIDGE_PUBLIC_URL: 'https://hooks.example.com', BRIDGE_WEBHOOK_SECRETS: strongToken() };

  it('refuses start-API tokens shorter than 32 bytes, naming the variable and the rule', () => {
    expect(problemsOf(() => loadBridgeConfig({ ...bridgeProduction, BRIDGE_API_TOKENS: `${strongToken()},x` }))).toEqual([
      'BRIDGE_API_TOKENS: 1 token(s) are shorter than 32 bytes; a token must be at least 32 bytes when NODE_ENV=production (e.g. openssl rand -hex 32)',
    ]);
    expect(loadBridgeConfig({ ...bridgeProduction, BRIDGE_API_TOKENS: strongToken() }).bridge.apiTokens).toHaveLength(1);
  });

  it('refuses a missing or http:// BRIDGE_PUBLIC_URL in the bridge and the worker (Vobiz must reach the webhook over https)', () => {
    const env = { ...bridgeProduction, BRIDGE_API_TOKENS: strongToken() };
    expect(problemsOf(() => loadBridgeConfig({ ...env, BRIDGE_PUBLIC_URL: '' }))).toEqual([
      'BRIDGE_PUBLIC_URL: is required, https://, when NODE_ENV=production (Vobiz posts KYC webhooks to it)',
    ]);
    expect(problemsOf(() => loadBridgeConfig({ ...env, BRIDGE_PUBLIC_URL: 'http://hooks.example.com' }))).toEqual([
      'BRIDGE_PUBLIC_URL: must be https:// when NODE_ENV=production (Vobiz posts KYC webhooks to it)',
    ]);
    const worker = { NODE_ENV: 'production', CODEC_KEYS: codecKey(), SECRETS_KEYS: secretsKey(), ACCOUNT_CLAIM_KEY: newKeyLine('claims'), VOBIZ_BASE_URL: 'https://api.vobiz.ai', VOBIZ_PARTNER_AUTH_ID: 'PA_X', VOBIZ_PARTNER_AUTH_TOKEN: strongToken() };
    expect(problemsOf(() => loadWorkerConfig({ ...worker, BRIDGE_PUBLIC_URL: 'http://hooks.example.com' }))).toEqual([
      'BRIDGE_PUBLIC_URL: must be https:// when NODE_ENV=production (Vobiz posts KYC webhooks to it)',
    ]);
    expect(loadWorkerConfig({ ...worker, BRIDGE_PUBLIC_URL: 'https://hooks.example.com' }).kycWebhookUrl).toBe('https://hooks.example.com/webhooks/vobiz/kyc');
  });

  it('requires the webhook signing secret of a production bridge, and takes the partner token for it', () => {
    const env = { NODE_ENV: 'production', CODEC_KEYS: codecKey(), BRIDGE_PUBLIC_URL: 'https://hooks.example.com', BRIDGE_API_TOKENS: strongToken() };
    expect(problemsOf(() => loadBridgeConfig(env)).join('\n')).toMatch(/BRIDGE_WEBHOOK_SECRETS: is required when NODE_ENV=production/);
    const partner = fileWith('partner-token\n', 0o600);
    expect(loadBridgeConfig({ ...env, VOBIZ_PARTNER_AUTH_TOKEN_FILE: partner }).bridge.webhookSecrets).toEqual(['partner-token']);
  });
});

describe('.env.example', () => {
  it('documents every variable the settings modules read', async () => {
    const { readFile } = await import('node:fs/promises');
    const { ENV_VARIABLES } = await import('../../dev/env-variables.js');
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const missing = ENV_VARIABLES.filter((name) => !new RegExp(`^${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
    expect(ENV_VARIABLES.length).toBeGreaterThan(40);
    expect(ENV_VARIABLES).toEqual(expect.arrayContaining(['CODEC_SERVER_TOKEN_FILE', 'BRIDGE_API_TOKENS_FILE', 'BRIDGE_METRICS_ADDRESS', 'CODEC_OIDC_ISSUER']));
  });
});

it('loads the CLI without the private keys, sealing with the development public key outside production', () => {
  const cli = loadCliConfig({});
  expect(cli.secrets.sealingKey?.id).toBe('insecure-dev-secrets-key');
  expect(cli).not.toHaveProperty('secrets.unsealingKeys');
});

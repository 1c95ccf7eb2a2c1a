import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { newKeyLine } from '../../src/codec/keys.js';
import { ConfigError, loadConfig, requireAccountClaimKey } from '../../src/config.js';
import { DEVELOPMENT_ACCOUNT_CLAIM_KEY } from '../../src/temporal/account-claims.js';

const run = promisify(execFile);

describe('config', () => {
  it('runs on embedded defaults: local dev server and the sandbox', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'vobiz-lifecycle' });
    expect(config.temporal.tls).toBeUndefined();
    expect(config.vobiz.baseUrl).toBe('http://127.0.0.1:4010');
    expect(config.vobiz.partnerAuthId).toBe(config.sandbox.partnerAuthId);
    expect(config.worker.shutdownGraceTimeMs).toBe(30_000);
  });

  it('reports every bad variable at once, by name and rule', () => {
    let error: unknown;
    try {
      loadConfig({ TEMPORAL_ADDRESS: '', LOG_LEVEL: 'loud', SANDBOX_PORT: '70000', WORKER_SHUTDOWN_GRACE_TIME: 'soon' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/LOG_LEVEL: must be one of trace, debug/);
    expect(problems).toMatch(/SANDBOX_PORT: must be between 1 and 65535/);
    expect(problems).toMatch(/WORKER_SHUTDOWN_GRACE_TIME: must be milliseconds or a duration/);
    // An empty TEMPORAL_ADDRESS falls back to its default only when unset; set-but-empty is an error.
    expect(problems).toMatch(/TEMPORAL_ADDRESS/);
  });

  it("caps the sandbox's accounts at Vobiz's documented 1000 unless SANDBOX_MAX_ACCOUNTS raises it", () => {
    expect(loadConfig({}).sandbox.maxAccounts).toBe(1000);
    expect(loadConfig({ SANDBOX_MAX_ACCOUNTS: '10000' }).sandbox.maxAccounts).toBe(10_000);
    for (const bad of ['0', '-5', '2.5', 'many']) {
      expect(() => loadConfig({ SANDBOX_MAX_ACCOUNTS: bad })).toThrow(/SANDBOX_MAX_ACCOUNTS: must be/);
    }
  });

  it('requires real Vobiz credentials over https in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/VOBIZ_PARTNER_AUTH_ID: is required[\s\S]*VOBIZ_PARTNER_AUTH_TOKEN: is required[\s\S]*VOBIZ_BASE_URL: must be https/);
  });

  it('switches TLS on for an API key and requires cert and key together', () => {
    expect(loadConfig({ TEMPORAL_API_KEY: 'k' }).temporal).toMatchObject({ tls: {}, apiKey: 'k' });
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: '/etc/hosts' })).toThrow(/TEMPORAL_TLS_KEY_PATH: .*set together/);
    expect(() => loadConfig({ TEMPORAL_TLS_CA_PATH: '/nonexistent/ca.pem' })).toThrow(/TEMPORAL_TLS_CA_PATH: cannot read file/);
  });

  it('versions the worker only with a deployment name and a build id together', () => {
    expect(loadConfig({}).worker.deployment).toBeUndefined();
    expect(loadConfig({ WORKER_DEPLOYMENT_NAME: 'vobiz-lifecycle', WORKER_BUILD_ID: 'abc123' }).worker.deployment).toEqual({ deploymentName: 'vobiz-lifecycle', buildId: 'abc123' });
    expect(() => loadConfig({ WORKER_BUILD_ID: 'abc123' })).toThrow(/WORKER_DEPLOYMENT_NAME: .*set together/);
    expect(() => loadConfig({ WORKER_DEPLOYMENT_NAME: 'vobiz-lifecycle' })).toThrow(/WORKER_BUILD_ID: .*set together/);
  });

  // Spawns `npx tsx` (a few seconds on a busy 2-core machine): more than the unit default of 5 s.
  it('runs the KYC sweep every 5 minutes with a full paging at least every 3 hours, both at least 1s', () => {
    expect(loadConfig({}).worker).toMatchObject({ kycSweepIntervalMs: 300_000, kycSweepFullPagingEveryMs: 3 * 3_600_000 });
    expect(loadConfig({ KYC_SWEEP_FULL_PAGING_EVERY: '1h' }).worker.kycSweepFullPagingEveryMs).toBe(3_600_000);
    expect(() => loadConfig({ KYC_SWEEP_FULL_PAGING_EVERY: '10ms' })).toThrow(/KYC_SWEEP_FULL_PAGING_EVERY: must be at least 1s/);
  });

  it('keys account claims with ACCOUNT_CLAIM_KEY: one key, the development key only outside production, required by the production worker', () => {
    const key = newKeyLine('claims');
    expect(loadConfig({}).accountClaims).toMatchObject({ usingDevelopmentKey: true, key: DEVELOPMENT_ACCOUNT_CLAIM_KEY });
    expect(loadConfig({ ACCOUNT_CLAIM_KEY: key }).accountClaims).toMatchObject({ usingDevelopmentKey: false, key: { id: 'claims' } });
    expect(() => loadConfig({ ACCOUNT_CLAIM_KEY: `${key},${newKeyLine('second')}` })).toThrow(/ACCOUNT_CLAIM_KEY: must hold exactly one key/);
    expect(() => loadConfig({ ACCOUNT_CLAIM_KEY: 'claims:not-base64!' })).toThrow(/ACCOUNT_CLAIM_KEY: key "claims" must be base64 of exactly 32 bytes/);
    const production = {
      NODE_ENV: 'production',
      VOBIZ_PARTNER_AUTH_ID: 'PA_1',
      VOBIZ_PARTNER_AUTH_TOKEN: 'token',
      VOBIZ_BASE_URL: 'https://api.vobiz.ai',
      CODEC_KEYS: newKeyLine('codec'),
      BRIDGE_API_TOKENS: 'a'.repeat(40),
    };
    // Other processes start without it; the worker refuses to.
    const withoutKey = loadConfig(production);
    expect(withoutKey.accountClaims.key).toBeUndefined();
    expect(() => requireAccountClaimKey(withoutKey)).toThrow(/ACCOUNT_CLAIM_KEY: is required to run the worker when NODE_ENV=production/);
    expect(requireAccountClaimKey(loadConfig({ ...production, ACCOUNT_CLAIM_KEY: key })).id).toBe('claims');
    const devKey = `dev:${DEVELOPMENT_ACCOUNT_CLAIM_KEY.keyMaterial.toString('base64')}`;
    expect(() => loadConfig({ ...production, ACCOUNT_CLAIM_KEY: devKey })).toThrow(/ACCOUNT_CLAIM_KEY: the insecure development key must not be used/);
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

describe('.env.example', () => {
  it('documents every variable the config module reads', async () => {
    const { readFile } = await import('node:fs/promises');
    const { ENV_VARIABLES } = await import('../../src/config.js');
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const missing = ENV_VARIABLES.filter((name) => !new RegExp(`^${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
    expect(ENV_VARIABLES.length).toBeGreaterThan(40);
  });
});

// The bridge section of config: secrets default to the partner token, API tokens never silently default in production.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_BRIDGE_API_TOKEN, loadBridgeConfig as loadConfig } from '../../src/config/bridge.js';
import { ConfigError } from '../../src/config/problems.js';

const production = {
  NODE_ENV: 'production',
  VOBIZ_BASE_URL: 'https://api.vobiz.ai',
  VOBIZ_PARTNER_AUTH_ID: 'PA_REAL0001',
  VOBIZ_PARTNER_AUTH_TOKEN: 'real-partner-token',
  BRIDGE_PUBLIC_URL: 'https://hooks.example.com',
  CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}`,
};

describe('bridge config', () => {
  it('defaults: local address, the documented dev token, the partner token as webhook secret', () => {
    const { bridge } = loadConfig({});
    expect(bridge).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      publicUrl: 'http://127.0.0.1:8787',
      kycWebhookUrl: 'http://127.0.0.1:8787/webhooks/vobiz/kyc',
      apiTokens: [DEVELOPMENT_BRIDGE_API_TOKEN],
      usingDevelopmentApiToken: true,
      maxBodyBytes: 65536,
      webUiUrl: 'http://localhost:8233',
    });
    expect(bridge.webhookSecrets).toEqual(['sandbox-partner-token-not-a-secret']);
  });

  it('metrics: on by default with a 30 s stage-count TTL; off, or another TTL, on request; bad values named', () => {
    expect(loadConfig({}).bridge.metrics).toEqual({ enabled: true, host: '127.0.0.1', port: 9465, stageCountTtlMs: 30_000 });
    expect(loadConfig({ BRIDGE_METRICS: 'false', BRIDGE_METRICS_STAGE_COUNT_TTL: '2m', BRIDGE_METRICS_ADDRESS: '0.0.0.0:9100' }).bridge.metrics).toEqual({
      enabled: false,
      host: '0.0.0.0',
      port: 9100,
      stageCountTtlMs: 120_000,
    });
    const problems = (() => {
      try {
        loadConfig({ BRIDGE_METRICS: 'maybe', BRIDGE_METRICS_STAGE_COUNT_TTL: '500', BRIDGE_METRICS_ADDRESS: '9465' });
      } catch (err) {
        return err instanceof ConfigError ? err.message : String(err);
      }
      return '';
    })();
    expect(problems).toMatch(/BRIDGE_METRICS: must be true or false/);
    expect(problems).toMatch(/BRIDGE_METRICS_STAGE_COUNT_TTL: must be at least 1s/);
    expect(problems).toMatch(/BRIDGE_METRICS_ADDRESS: must be host:port/);
  });

  it('takes comma-separated tokens and secrets (several during rotation)', () => {
    const { bridge } = loadConfig({
      BRIDGE_API_TOKENS: ' a-token , b-token ,',
      BRIDGE_WEBHOOK_SECRETS: 'new-secret,old-secret',
      BRIDGE_PUBLIC_URL: 'https://hooks.example.com/',
    });
    expect(bridge.apiTokens).toEqual(['a-token', 'b-token']);
    expect(bridge.usingDevelopmentApiToken).toBe(false);
    expect(bridge.webhookSecrets).toEqual(['new-secret', 'old-secret']);
    expect(bridge.kycWebhookUrl).toBe('https://hooks.example.com/webhooks/vobiz/kyc');
  });

  it('requires BRIDGE_API_TOKENS in production and refuses the dev token there', () => {
    expect(() => loadConfig(production)).toThrow(ConfigError);
    expect(() => loadConfig(production)).toThrow(/BRIDGE_API_TOKENS: is required when NODE_ENV=production/);
    expect(() => loadConfig({ ...production, BRIDGE_API_TOKENS: DEVELOPMENT_BRIDGE_API_TOKEN })).toThrow(
      /BRIDGE_API_TOKENS: the development token/,
    );
    const token = 'prod-token-'.padEnd(40, 'x');
    const { bridge } = loadConfig({ ...production, BRIDGE_API_TOKENS: token });
    expect(bridge.apiTokens).toEqual([token]);
    expect(bridge.webhookSecrets).toEqual(['real-partner-token']);
  });

  it('read-only tokens (BRIDGE_READ_TOKENS): none by default, 32 bytes in production, never also an API token', () => {
    expect(loadConfig({}).bridge.readTokens).toEqual([]);
    expect(loadConfig({ BRIDGE_READ_TOKENS: 'r1,r2' }).bridge.readTokens).toEqual(['r1', 'r2']);
    expect(() => loadConfig({ BRIDGE_API_TOKENS: 'same', BRIDGE_READ_TOKENS: 'same' })).toThrow(/BRIDGE_READ_TOKENS: must not repeat a token of BRIDGE_API_TOKENS/);
    const token = 'prod-token-'.padEnd(40, 'x');
    expect(() => loadConfig({ ...production, BRIDGE_API_TOKENS: token, BRIDGE_READ_TOKENS: 'short' })).toThrow(/BRIDGE_READ_TOKENS: the token is shorter than 32 bytes/);
  });
});

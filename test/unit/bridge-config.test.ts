// The bridge section of config: secrets default to the partner token, API tokens never silently default in production.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEVELOPMENT_BRIDGE_API_TOKEN, loadConfig } from '../../src/config.js';

const production = {
  NODE_ENV: 'production',
  VOBIZ_BASE_URL: 'https://api.vobiz.ai',
  VOBIZ_PARTNER_AUTH_ID: 'PA_REAL0001',
  VOBIZ_PARTNER_AUTH_TOKEN: 'real-partner-token',
  CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}`,
};

describe('bridge config', () => {
  it('defaults: local address, the documented dev token, the partner token as webhook secret', () => {
    const { bridge, vobiz } = loadConfig({});
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
    expect(bridge.webhookSecrets).toEqual([vobiz.partnerAuthToken]);
  });

  it('metrics: on by default with a 30 s stage-count TTL; off, or another TTL, on request; bad values named', () => {
    expect(loadConfig({}).bridge.metrics).toEqual({ enabled: true, stageCountTtlMs: 30_000 });
    expect(loadConfig({ BRIDGE_METRICS: 'false', BRIDGE_METRICS_STAGE_COUNT_TTL: '2m' }).bridge.metrics).toEqual({ enabled: false, stageCountTtlMs: 120_000 });
    const problems = (() => {
      try {
        loadConfig({ BRIDGE_METRICS: 'maybe', BRIDGE_METRICS_STAGE_COUNT_TTL: '500' });
      } catch (err) {
        return err instanceof ConfigError ? err.message : String(err);
      }
      return '';
    })();
    expect(problems).toMatch(/BRIDGE_METRICS: must be true or false/);
    expect(problems).toMatch(/BRIDGE_METRICS_STAGE_COUNT_TTL: must be at least 1s/);
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
    const { bridge } = loadConfig({ ...production, BRIDGE_API_TOKENS: 'prod-token' });
    expect(bridge.apiTokens).toEqual(['prod-token']);
    expect(bridge.webhookSecrets).toEqual(['real-partner-token']);
  });
});

import { describe, expect, it } from 'vitest';
import { loadBridgeConfig } from '../../src/config/bridge.js';
import { loadWorkerConfig } from '../../src/config/worker.js';
import { durationMs, isDuration } from '../../src/workflows/duration.js';
import { parseOnboardingInput } from '../../src/workflows/input.js';
import { normalizeInput } from '../../src/workflows/input-structure.js';
import { DEVELOPMENT_SEALING_KEY } from '../../src/secrets/keys.js';
import { sealSecret } from '../../src/secrets/seal.js';

const MINUTE = 60_000;

describe('the duration grammar', () => {
  it('reads what the environment has always taken: bare milliseconds and the short units', () => {
    expect(durationMs('1500')).toBe(1_500);
    expect(durationMs('0')).toBe(0);
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('5m')).toBe(5 * MINUTE);
    expect(durationMs('1.5h')).toBe(90 * MINUTE);
    expect(durationMs('24h')).toBe(24 * 60 * MINUTE);
    expect(durationMs('1d')).toBe(24 * 60 * MINUTE);
    expect(durationMs('30 s')).toBe(30_000);
  });

  it('reads what onboarding input has always taken: units spelled out, singular or plural, in any case', () => {
    expect(durationMs('30 minutes')).toBe(30 * MINUTE);
    expect(durationMs('1 hour')).toBe(60 * MINUTE);
    expect(durationMs('4h')).toBe(4 * 60 * MINUTE);
    expect(durationMs('1 day')).toBe(24 * 60 * MINUTE);
    expect(durationMs('2 weeks')).toBe(14 * 24 * 60 * MINUTE);
    expect(durationMs('2 seconds')).toBe(2_000);
    expect(durationMs('10 secs')).toBe(10_000);
    expect(durationMs('5 mins')).toBe(5 * MINUTE);
    expect(durationMs('3 hrs')).toBe(3 * 60 * MINUTE);
    expect(durationMs('100 milliseconds')).toBe(100);
    expect(durationMs('20 msecs')).toBe(20);
    expect(durationMs('1 Minute')).toBe(MINUTE);
    expect(durationMs(' 7 DAYS ')).toBe(7 * 24 * 60 * MINUTE);
  });

  it('refuses anything else, naming the accepted forms', () => {
    for (const bad of ['', 'soon', '-5s', '5 years', '1e3', '.5h', '5 minutes ago', 'm5', '5 fortnights', '1h30m']) {
      expect(isDuration(bad), bad).toBe(false);
      expect(() => durationMs(bad), bad).toThrow(/must be milliseconds or a duration such as "30s", "5m", "1h", "30 seconds", "1 hour", "2 days" \(units ms, s, m, h, d, w\)/);
    }
  });
});

describe('one grammar at both doors', () => {
  it('lets an environment setting use the spelled-out units of onboarding input', () => {
    const { worker } = loadWorkerConfig({ KYC_SWEEP_INTERVAL: '2 minutes', WORKER_SHUTDOWN_GRACE_TIME: '45 seconds', KYC_SWEEP_FULL_PAGING_EVERY: '1 hour' });
    expect(worker).toMatchObject({ kycSweepIntervalMs: 2 * MINUTE, shutdownGraceTimeMs: 45_000, kycSweepFullPagingEveryMs: 60 * MINUTE });
    expect(loadBridgeConfig({ BRIDGE_WEBHOOK_MAX_AGE: '2 Days' }).bridge.webhookGuards.maxEventAgeMs).toBe(2 * 24 * 60 * MINUTE);
    expect(() => loadWorkerConfig({ KYC_SWEEP_INTERVAL: 'soon' })).toThrow(/KYC_SWEEP_INTERVAL: must be milliseconds or a duration such as .*\(units ms, s, m, h, d, w\)/);
  });

  it('lets onboarding input give milliseconds, as the environment does, within the same bounds', () => {
    const request = {
      customerRef: 'duration-1',
      customer: { name: 'Asha Test', email: 'asha@example.com', phone: '+919876543210', password: sealSecret('SecurePass123!', DEVELOPMENT_SEALING_KEY, 'customer.password'), country: 'IN' },
      funding: { amount: 500, currency: 'INR' },
      telephony: { trunk: { name: 'Primary trunk' } },
    };
    const parsed = parseOnboardingInput({ ...request, kyc: { pollInterval: '300000' }, advanced: { effectSettleDelay: '2000' } });
    expect(parsed.ok && [parsed.input.kyc.pollInterval, parsed.input.advanced.effectSettleDelay]).toEqual(['300000', '2000']);
    const tooShort = parseOnboardingInput({ ...request, kyc: { pollInterval: '60000' } });
    expect(tooShort.ok ? [] : tooShort.problems).toEqual([{ field: 'kyc.pollInterval', rule: 'must be between 5 minutes and 7 days' }]);
    // The workflow's own guard agrees with the edge.
    expect(normalizeInput({ ...request, kyc: { pollInterval: '300000' } }, { customerRequired: true }).ok).toBe(true);
  });
});

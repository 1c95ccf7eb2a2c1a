// The kycEvent Update's validator (src/workflows/kyc-event-intake.ts): what the workflow refuses before an event
// reaches its history, and why.
import { describe, expect, it } from 'vitest';
import { kycEventRejection, type KycIntakeView } from '../../src/workflows/kyc-event-intake.js';
import type { KycEventSignal } from '../../src/workflows/messages.js';

const view: KycIntakeView = { stage: 'kyc', authId: 'MA_OWNACCT1', openSessionId: 'sess-1', seenEventKeys: new Set(['taken']) };
const event = (overrides: Partial<KycEventSignal> = {}): KycEventSignal => ({
  eventKey: 'k1',
  event: 'kyc.completed',
  sessionId: 'sess-1',
  accountAuthId: 'MA_OWNACCT1',
  receivedAt: '2026-06-01T12:00:00.000Z',
  ...overrides,
});
const reason = (e: unknown, v: KycIntakeView = view) => kycEventRejection(e, v)?.reason;

describe('kycEvent intake', () => {
  it('takes in a hint for the open session of a customer waiting in kyc', () => {
    expect(kycEventRejection(event(), view)).toBeUndefined();
  });

  it('refuses a key already taken in, before anything else', () => {
    expect(reason(event({ eventKey: 'taken', accountAuthId: 'MA_OTHER001' }))).toBe('duplicate');
  });

  it('refuses another account, and any account before the customer has one', () => {
    expect(reason(event({ accountAuthId: 'MA_OTHER001' }))).toBe('otherAccount');
    expect(reason(event(), { stage: 'funding', seenEventKeys: new Set() })).toBe('otherAccount');
  });

  it('refuses what the customer is not waiting on: another session, no open session, another stage', () => {
    expect(reason(event({ sessionId: 'sess-0' }))).toBe('notWaiting');
    expect(reason(event(), { ...view, openSessionId: undefined })).toBe('notWaiting');
    for (const stage of ['kyc_failed', 'blocked', 'telephony', 'active', 'offboarding'] as const) expect(reason(event(), { ...view, stage })).toBe('notWaiting');
  });

  it('refuses what is not a KYC event as the bridge sends it', () => {
    for (const bad of [undefined, null, 'kyc.completed', {}, event({ event: 'kyc.exploded' as KycEventSignal['event'] }), event({ eventKey: '' }), event({ sessionId: 'x'.repeat(201) }), { ...event(), accountAuthId: undefined }]) {
      expect(reason(bad)).toBe('invalid');
    }
  });
});

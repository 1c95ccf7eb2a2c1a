// `cli status` tells what is still live: released numbers and a disabled trunk are marked as such, and what a
// forced offboarding left is marked too, so the table never lists a closed resource as if it were in use.
import { describe, expect, it } from 'vitest';
import { stateEntries } from '../../src/cli/commands/onboarding.js';
import type { LifecycleState } from '../../src/workflows/messages.js';

const base: LifecycleState = {
  workflowId: 'customer-acme-1',
  customerRef: 'acme-1',
  stage: 'offboarded',
  reason: 'contract ended',
  authId: 'MA_ACME0001',
  kyc: { attemptsAllowed: 3, attempts: [], remindersSent: [], eventsSeen: 0 },
  telephony: { trunkId: 'trunk-1', trunkDomain: 'trunk-1.sip.vobiz.ai', numbers: ['+918000000001', '+918000000002'], releasedNumbers: ['+918000000001', '+918000000002'], trunkDisabled: true },
  offboarding: { reason: 'contract ended', requestedAt: '2026-12-01T10:00:00.000Z', completedAt: '2026-12-01T10:01:00.000Z', balanceAtOffboarding: '120.00000 INR' },
  startedAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:01:00.000Z',
};
const row = (state: LifecycleState, name: string) => stateEntries(state).find(([key]) => key === name)?.[1];

describe('cli status marks what offboarding closed', () => {
  it('released numbers and a disabled trunk are marked, with when offboarding finished and the balance left', () => {
    expect(row(base, 'numbers')).toBe('+918000000001 (released), +918000000002 (released)');
    expect(row(base, 'trunk')).toBe('trunk-1.sip.vobiz.ai (disabled)');
    expect(row(base, 'offboarding')).toBe('contract ended (done 2026-12-01T10:01:00.000Z); balance left 120.00000 INR');
  });

  it('a live customer shows its number and trunk unmarked', () => {
    const live: LifecycleState = { ...base, stage: 'active', telephony: { ...base.telephony, releasedNumbers: [], trunkDisabled: false, numbers: ['+918000000001'] } };
    delete live.offboarding;
    expect(row(live, 'numbers')).toBe('+918000000001');
    expect(row(live, 'trunk')).toBe('trunk-1.sip.vobiz.ai');
  });

  it('what a forced offboarding left is marked as left', () => {
    const forced: LifecycleState = {
      ...base,
      telephony: { ...base.telephony, releasedNumbers: ['+918000000001'], trunkDisabled: false },
      offboarding: {
        ...base.offboarding!,
        forced: { reason: 'Vobiz support releases it', at: '2026-12-01T10:00:30.000Z' },
        left: { numbers: ['+918000000002'], trunkId: 'trunk-1', balanceUnknown: true },
      },
    };
    expect(row(forced, 'numbers')).toBe('+918000000001 (released), +918000000002 (left: not released)');
    expect(row(forced, 'trunk')).toBe('trunk-1.sip.vobiz.ai (left enabled: offboarding was forced)');
    expect(row(forced, 'offboarding')).toBe('contract ended (done 2026-12-01T10:01:00.000Z); forced: Vobiz support releases it; balance unknown');
  });
});

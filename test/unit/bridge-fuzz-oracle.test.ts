// The fuzzer's signal oracle (test/support/bridge-fuzz.ts) on hand-made exchanges: it must catch an unjustified
// signal and a lost one, and accept a signal that landed although the bridge answered 503.
import { describe, expect, it } from 'vitest';
import type { KycEventSignal } from '../../src/workflows/messages.js';
import { signalProblems, type Delivery } from '../support/bridge-fuzz.js';

const wf = 'customer-x';
const delivery = (sessionId: string, kind: 'signal' | 'reject' = 'signal'): Delivery => ({
  label: `d-${sessionId}`,
  body: Buffer.alloc(0),
  headers: {},
  expect: kind === 'signal' ? { kind, workflowId: wf, sessionId, event: 'kyc.completed', eventKey: `k-${sessionId}` } : { kind },
});
const signal = (sessionId: string): KycEventSignal => ({ eventKey: `k-${sessionId}`, event: 'kyc.completed', sessionId, receivedAt: '' });
const ok = { status: 200, body: { ok: true } };

describe('fuzz signal oracle', () => {
  it('accepts exactly the signalled deliveries, duplicates included', () => {
    const exchanges = [{ d: delivery('a'), a: ok }, { d: delivery('a'), a: ok }];
    expect(signalProblems(exchanges, new Map([[wf, [signal('a'), signal('a')]]]))).toEqual([]);
  });

  it('reports a signal no delivery justifies and a signalled delivery that never arrived', () => {
    const exchanges = [{ d: delivery('a'), a: ok }, { d: delivery('b', 'reject'), a: { status: 401, body: {} } }];
    expect(signalProblems(exchanges, new Map([[wf, [signal('b')]]]))).toEqual([
      expect.stringContaining('session b that no delivery justifies'),
      expect.stringContaining('a signalled delivery (a/kyc.completed/k-a) never arrived'),
    ]);
  });

  it('matches the account a delivery named: a signal carrying another account is not the one it justifies', () => {
    const named: Delivery = { ...delivery('a'), expect: { kind: 'signal', workflowId: wf, sessionId: 'a', event: 'kyc.completed', eventKey: 'k-a', accountAuthId: 'MA_OTHER001' } };
    const exchanges = [{ d: named, a: ok }];
    expect(signalProblems(exchanges, new Map([[wf, [{ ...signal('a'), accountAuthId: 'MA_OTHER001' }]]]))).toEqual([]);
    expect(signalProblems(exchanges, new Map([[wf, [{ ...signal('a'), accountAuthId: 'MA_OWNACCT1' }]]]))).toHaveLength(2);
  });

  it('allows (but does not require) the signal of a justified delivery answered 503', () => {
    const exchanges = [{ d: delivery('a'), a: { status: 503, body: {} } }];
    expect(signalProblems(exchanges, new Map([[wf, [signal('a')]]]))).toEqual([]);
    expect(signalProblems(exchanges, new Map([[wf, []]]))).toEqual([]);
    expect(signalProblems(exchanges, new Map([[wf, [signal('a'), signal('a')]]]))).toHaveLength(1);
  });
});

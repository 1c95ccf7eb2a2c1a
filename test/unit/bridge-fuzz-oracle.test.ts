// The fuzzer's delivery oracle (test/support/bridge-fuzz.ts) on hand-made exchanges: it must catch an event taken in
// that nothing justifies, one taken in twice, and a delivered one that never arrived, and accept a delivery that
// landed although the bridge answered 503, duplicates answered as such, and another account's copy of a taken key.
import { describe, expect, it } from 'vitest';
import type { KycEventSignal } from '../../src/workflows/messages.js';
import { answerProblems, signalProblems, type Delivery } from '../support/bridge-fuzz.js';

const wf = 'customer-x';
const delivery = (sessionId: string, kind: 'signal' | 'reject' = 'signal'): Delivery => ({
  label: `d-${sessionId}`,
  body: Buffer.alloc(0),
  headers: {},
  expect: kind === 'signal' ? { kind, workflowId: wf, sessionId, event: 'kyc.completed', eventKey: `k-${sessionId}` } : { kind },
});
const event = (sessionId: string): KycEventSignal => ({ eventKey: `k-${sessionId}`, event: 'kyc.completed', sessionId, receivedAt: '' });
const ok = { status: 200, body: { ok: true } };
const duplicate = { status: 200, body: { ok: true, ignored: 'duplicate' } };

describe('fuzz delivery oracle', () => {
  it('accepts one event taken in for a delivery and its duplicate', () => {
    const exchanges = [{ d: delivery('a'), a: ok }, { d: delivery('a'), a: duplicate }];
    expect(signalProblems(exchanges, new Map([[wf, [event('a')]]]))).toEqual([]);
    expect(exchanges.flatMap(({ d, a }) => answerProblems(d, a))).toEqual([]);
  });

  it('reports an event taken in twice, within a batch or across batches', () => {
    const exchanges = [{ d: delivery('a'), a: ok }, { d: delivery('a'), a: ok }];
    expect(signalProblems(exchanges, new Map([[wf, [event('a'), event('a')]]]))).toEqual([expect.stringContaining('taken in twice')]);
    const taken = new Set<string>();
    expect(signalProblems([{ d: delivery('b'), a: ok }], new Map([[wf, [event('b')]]]), taken)).toEqual([]);
    expect(signalProblems([{ d: delivery('b'), a: ok }], new Map([[wf, [event('b')]]]), taken)).toEqual([expect.stringContaining('taken in twice')]);
    // A duplicate answered in a later batch is fine: the key was taken in before.
    expect(signalProblems([{ d: delivery('b'), a: duplicate }], new Map([[wf, []]]), taken)).toEqual([]);
  });

  it('reports an event nothing justifies and a delivered one that never arrived', () => {
    const exchanges = [{ d: delivery('a'), a: ok }, { d: delivery('b', 'reject'), a: { status: 401, body: {} } }];
    expect(signalProblems(exchanges, new Map([[wf, [event('b')]]]))).toEqual([
      expect.stringContaining('session b that no delivery justifies'),
      expect.stringContaining('(a/kyc.completed) was never taken in'),
    ]);
  });

  it('matches the account a delivery named; another account\'s delivery must be refused', () => {
    const named: Delivery = { ...delivery('a'), expect: { kind: 'signal', workflowId: wf, sessionId: 'a', event: 'kyc.completed', eventKey: 'k-a', accountAuthId: 'MA_OWNACCT1' } };
    expect(signalProblems([{ d: named, a: ok }], new Map([[wf, [{ ...event('a'), accountAuthId: 'MA_OWNACCT1' }]]]))).toEqual([]);
    expect(signalProblems([{ d: named, a: ok }], new Map([[wf, [{ ...event('a'), accountAuthId: 'MA_OTHER001' }]]]))).toHaveLength(1);

    const foreign: Delivery = { ...delivery('c'), expect: { kind: 'refused', workflowId: wf, eventKey: 'k-c', accountAuthId: 'MA_OTHER001' } };
    expect(answerProblems(foreign, { status: 200, body: { ok: true, ignored: 'other_account' } })).toEqual([]);
    expect(signalProblems([{ d: foreign, a: ok }], new Map([[wf, []]]))).toEqual([expect.stringContaining('must refuse it')]);
    // Unless its key was taken in: the copy attached to that event's Update.
    expect(signalProblems([{ d: foreign, a: ok }], new Map([[wf, []]]), new Set([`${wf}/k-c`]))).toEqual([]);
  });

  it('allows (but does not require) the event of a justified delivery answered 503 or 429', () => {
    for (const status of [503, 429]) {
      const exchanges = [{ d: delivery('a'), a: { status, body: {} } }];
      expect(signalProblems(exchanges, new Map([[wf, [event('a')]]]))).toEqual([]);
      expect(signalProblems(exchanges, new Map([[wf, []]]))).toEqual([]);
      expect(answerProblems(exchanges[0]!.d, exchanges[0]!.a)).toEqual([]);
    }
  });
});

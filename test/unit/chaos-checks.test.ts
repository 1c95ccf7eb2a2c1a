// The chaos run's invariant checks on hand-made sandbox and workflow states: a clean customer passes, and every
// kind of duplicate or shortfall is reported as its own line.
import { describe, expect, it } from 'vitest';
import type { LedgerEntryView } from '../../sandbox/admin-client.js';
import { checkCustomer, checkGlobal, type SandboxView } from '../../dev/chaos/checks.js';
import { makeCustomers, type ChaosCustomer } from '../../dev/chaos/customers.js';
import type { LifecycleState } from '../../src/workflows/messages.js';

const advanced = { effectSettleDelay: '1 second', effectStartToCloseTimeout: '10 seconds' };
const [customer] = makeCustomers('t', 3, 2, advanced).filter((c) => c.script === 'number') as [ChaosCustomer];
const AUTH = 'MA_AAAA0001';

function credit(amount: number, transferId = 'tr-1'): LedgerEntryView {
  return { id: `l-${transferId}`, account_auth_id: AUTH, type: 'credit', amount, category: 'transfer', reference_type: 'unknown', transfer_id: transferId, description: '', reference: null, created_at: '' };
}

function cleanView(): SandboxView {
  return {
    accounts: [{ auth_id: 'PA_CHAOS01', kind: 'partner' }, { auth_id: AUTH, kind: 'customer' }],
    kyc_sessions: [{ id: 's1', account_auth_id: AUTH, status: 'kyc_completed', metadata: { workflowId: customer.workflowId } }],
    trunks: [{ trunk_id: 'tk1', owner: AUTH }],
    numbers: [{ e164: '+918071387100', owner: AUTH, status: 'active' }],
    ledger: { partner: { auth_id: 'PA_CHAOS01', balance: 0, rows: [] }, customers: [credit(customer.amount)], balanced: true, partner_transfer_debits: customer.amount, customer_transfer_credits: customer.amount },
  };
}

function cleanState(): LifecycleState {
  return {
    workflowId: customer.workflowId,
    customerRef: customer.customerRef,
    stage: 'active',
    authId: AUTH,
    kyc: { attemptsAllowed: 3, attempts: [{ attempt: 1, sessionId: 's1', expiresAt: '', openedAt: '', adopted: false }], remindersSent: [], eventsSeen: 1 },
    telephony: { trunkId: 'tk1', numbers: ['+918071387100'], releasedNumbers: [] },
    startedAt: '',
    updatedAt: '',
  };
}

const check = (state: LifecycleState | Error, view: SandboxView) => checkCustomer(customer, state, view, new Map([[AUTH, [customer.customerRef]]]));

describe('chaos checks', () => {
  it('a clean customer and ledger pass', () => {
    expect(check(cleanState(), cleanView())).toEqual([]);
    expect(checkGlobal([customer], cleanView(), true)).toEqual([]);
  });

  it('reports each duplicate or shortfall on its own line', () => {
    const view = cleanView();
    view.ledger.customers.push(credit(customer.amount, 'tr-2'));
    view.kyc_sessions.push({ id: 's2', account_auth_id: AUTH, status: 'revoked', metadata: { workflowId: customer.workflowId } });
    view.trunks.push({ trunk_id: 'tk2', owner: AUTH });
    view.numbers = [];
    const lines = check(cleanState(), view);
    expect(lines).toEqual([
      expect.stringContaining('2 opening transfers, expected 1'),
      expect.stringContaining('2 KYC sessions for 1 attempts'),
      expect.stringContaining('2 KYC sessions, the script leads to 1'),
      expect.stringContaining('2 trunks, expected 1'),
      expect.stringContaining('0 numbers owned, asked for 1'),
      expect.stringContaining('the workflow lists 1 numbers, the sandbox 0'),
    ]);
  });

  it('reports a wrong amount, a wrong stage with its stall, and a missing state', () => {
    const view = cleanView();
    view.ledger.customers = [credit(customer.amount + 1)];
    const state = { ...cleanState(), stage: 'funding' as const, stall: { step: 'funding', kind: 'vobiz_unavailable' as const, type: 'x', reason: 'down', since: '', rounds: 2 } };
    expect(check(state, view)).toEqual([expect.stringMatching(/stage funding, intended active; stalled at funding/), expect.stringContaining(`transfer of ${customer.amount + 1}`)]);
    expect(check(new Error('query timed out'), view)).toEqual([expect.stringContaining('no workflow state (query timed out)')]);
  });

  it('reports an unbalanced ledger and extra accounts', () => {
    const view = cleanView();
    view.ledger = { ...view.ledger, balanced: false, partner_transfer_debits: customer.amount * 2 };
    view.accounts.push({ auth_id: 'MA_DUPLICATE', kind: 'customer' });
    expect(checkGlobal([customer], view, true)).toEqual([expect.stringContaining('partner transfer debits'), expect.stringContaining('2 customer accounts for 1 customers')]);
  });
});

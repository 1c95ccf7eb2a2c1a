/**
 * The invariants a chaos run must end with, checked from the sandbox's own state (what Vobiz would hold) and from
 * Temporal (what each workflow believes): per customer one account, one opening transfer of the requested amount,
 * one KYC session per attempt, one trunk, the numbers asked for, and the stage its script intended; globally the
 * partner's transfer debits equal the customers' transfer credits. Each violation is one line.
 */
import type { LedgerReport } from '../../sandbox/admin-client.js';
import type { LifecycleState } from '../../src/workflows/messages.js';
import type { ChaosCustomer } from './customers.js';

export interface SandboxView {
  accounts: { auth_id: string; kind: string }[];
  kyc_sessions: { id: string; account_auth_id: string; status: string; metadata?: { workflowId?: string } | null }[];
  trunks: { trunk_id: string; owner: string }[];
  numbers: { e164: string; owner: string | null; status: string }[];
  ledger: LedgerReport;
}

const AMOUNT_EPSILON = 0.000_005;

export function checkCustomer(c: ChaosCustomer, state: LifecycleState | Error, sandbox: SandboxView, authIdsSeen: Map<string, string[]>): string[] {
  const v: string[] = [];
  const who = `${c.customerRef} (${c.script})`;
  if (state instanceof Error) return [`${who}: no workflow state (${state.message})`];
  if (state.stage !== c.intendedStage) {
    const why = state.stall ? `; stalled at ${state.stall.step}: ${state.stall.kind} ${state.stall.reason}` : state.reason ? `; ${state.reason}` : '';
    v.push(`${who}: stage ${state.stage}, intended ${c.intendedStage}${why}`);
  }
  const authId = state.authId;
  if (!authId) return [...v, `${who}: the workflow has no Vobiz account`];
  const sharing = authIdsSeen.get(authId) ?? [];
  if (sharing.length > 1) v.push(`${who}: account ${authId} is shared with ${sharing.filter((r) => r !== c.customerRef).join(', ')}`);
  const accounts = sandbox.accounts.filter((a) => a.auth_id === authId);
  if (accounts.length !== 1) v.push(`${who}: ${accounts.length} sandbox accounts with auth id ${authId}, expected 1`);

  const transfers = sandbox.ledger.customers.filter((r) => r.account_auth_id === authId && r.type === 'credit' && r.transfer_id);
  if (transfers.length !== 1) v.push(`${who}: ${transfers.length} opening transfers, expected 1`);
  for (const t of transfers) {
    if (Math.abs(t.amount - c.amount) > AMOUNT_EPSILON) v.push(`${who}: transfer of ${t.amount}, requested ${c.amount}`);
  }

  const sessions = sandbox.kyc_sessions.filter((s) => s.account_auth_id === authId);
  if (sessions.length !== state.kyc.attempts.length) v.push(`${who}: ${sessions.length} KYC sessions for ${state.kyc.attempts.length} attempts`);
  if (sessions.length !== c.expectedKycSessions) v.push(`${who}: ${sessions.length} KYC sessions, the script leads to ${c.expectedKycSessions}`);
  const foreign = sessions.filter((s) => s.metadata?.workflowId !== c.workflowId);
  if (foreign.length > 0) v.push(`${who}: ${foreign.length} KYC session(s) on its account name another workflow`);

  const reachesTelephony = c.intendedStage === 'active';
  const trunks = sandbox.trunks.filter((t) => t.owner === authId);
  if (trunks.length !== (reachesTelephony ? 1 : 0)) v.push(`${who}: ${trunks.length} trunks, expected ${reachesTelephony ? 1 : 0}`);
  if (reachesTelephony && state.telephony.trunkId && !trunks.some((t) => t.trunk_id === state.telephony.trunkId)) {
    v.push(`${who}: the workflow's trunk ${state.telephony.trunkId} is not in the sandbox`);
  }

  const numbers = sandbox.numbers.filter((n) => n.owner === authId);
  const wanted = c.wantsNumber && reachesTelephony ? 1 : 0;
  if (numbers.length !== wanted) v.push(`${who}: ${numbers.length} numbers owned, asked for ${wanted}`);
  if (state.telephony.numbers.length !== numbers.length) v.push(`${who}: the workflow lists ${state.telephony.numbers.length} numbers, the sandbox ${numbers.length}`);
  return v;
}

export function checkGlobal(customers: readonly ChaosCustomer[], sandbox: SandboxView, ownSandbox: boolean): string[] {
  const v: string[] = [];
  const { ledger } = sandbox;
  if (!ledger.balanced || Math.abs(ledger.partner_transfer_debits - ledger.customer_transfer_credits) > AMOUNT_EPSILON) {
    v.push(`ledger: partner transfer debits ${ledger.partner_transfer_debits} ≠ customer transfer credits ${ledger.customer_transfer_credits}`);
  }
  if (ownSandbox) {
    // A fresh sandbox holds exactly the run's customers: any extra account is a duplicate one.
    const customerAccounts = sandbox.accounts.filter((a) => a.kind !== 'partner').length;
    if (customerAccounts !== customers.length) v.push(`sandbox: ${customerAccounts} customer accounts for ${customers.length} customers`);
    const requested = customers.reduce((sum, c) => sum + c.amount, 0);
    if (Math.abs(ledger.customer_transfer_credits - requested) > 0.001) v.push(`ledger: customers were credited ${ledger.customer_transfer_credits}, the run requested ${requested.toFixed(2)}`);
  }
  return v;
}

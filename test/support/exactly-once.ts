/** The exactly-once assertion of the durability tests (vitest's `expect`; crash.ts stays importable by scripts). */
import { expect } from 'vitest';
import type { SandboxAdminClient } from '../../sandbox/admin-client.js';
import type { VobizClient } from '../../src/vobiz/index.js';
import type { LifecycleState } from '../../src/workflows/messages.js';
import type { LedgerMark } from './crash.js';
import { countEffects } from './effects.js';

/**
 * Invariant 1 for one onboarding: one account, one transfer, one KYC session per attempt, one trunk, `numbers`
 * owned numbers; the sandbox ledger balanced, and the partner wallet down by exactly the amount, once.
 */
export async function expectExactlyOnce(
  { vobiz, admin }: { vobiz: VobizClient; admin: SandboxAdminClient },
  { email, state, before, amount, numbers = 0 }: { email: string; state: LifecycleState; before: LedgerMark; amount: number; numbers?: number },
): Promise<void> {
  const counts = await countEffects(vobiz, email, state.authId);
  expect(counts).toEqual({ accounts: 1, transfers: 1, kycSessions: state.kyc.attempts.length, trunks: 1, ownedNumbers: numbers });
  expect(state.kyc.attempts).toHaveLength(1);
  const after = await admin.ledger();
  expect(after.balanced).toBe(true);
  expect(after.partner_transfer_debits - before.partnerTransferDebits).toBeCloseTo(amount, 5);
  expect(after.customer_transfer_credits - before.customerTransferCredits).toBeCloseTo(amount, 5);
  expect(before.partnerBalance - after.partner.balance).toBeCloseTo(amount, 5);
}


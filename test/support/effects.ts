/** Counts the Vobiz effects one onboarding left in the sandbox, through the partner and customer APIs. */
import type { VobizClient } from '../../src/vobiz/index.js';

interface EffectCounts {
  accounts: number;
  transfers: number;
  kycSessions: number;
  trunks: number;
  ownedNumbers: number;
}

export async function countEffects(vobiz: VobizClient, email: string, authId: string | undefined): Promise<EffectCounts> {
  let accounts = 0;
  for await (const account of vobiz.iterateAccounts({ search: email })) if (account.email === email) accounts++;
  if (!authId) return { accounts, transfers: 0, kycSessions: 0, trunks: 0, ownedNumbers: 0 };
  let transfers = 0;
  for await (const _row of vobiz.iterateTransactions(authId, { transactionType: 'transfer' })) transfers++;
  let kycSessions = 0;
  for await (const _s of vobiz.iterateKycSessions({ accountAuthId: authId })) kycSessions++;
  const account = await vobiz.getAccount(authId);
  const customer = vobiz.customer({ authId, authToken: account.auth_token! });
  let trunks = 0;
  for await (const _t of customer.iterateTrunks()) trunks++;
  let ownedNumbers = 0;
  for await (const _n of customer.iterateNumbers()) ownedNumbers++;
  return { accounts, transfers, kycSessions, trunks, ownedNumbers };
}

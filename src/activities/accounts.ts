/**
 * Account creation, exactly once. Vobiz has no idempotency key, but an e-mail address is unique across the
 * platform: before creating, look the e-mail up; an account there with the same name and phone is the one an
 * earlier attempt created (its response lost) and is adopted. One with other details belongs to someone else.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import type { Account, VobizClient } from '../vobiz/index.js';
import { callOptions, type ActivityDeps } from './deps.js';
import { ambiguousWrite, isApiError, lookup, vobizCall } from './failures.js';
import type { CreateAccountInput, CreateAccountResult, CustomerDetails } from './types.js';

async function findByEmail(vobiz: VobizClient, email: string): Promise<Account | undefined> {
  for await (const account of vobiz.iterateAccounts({ search: email }, callOptions())) {
    if (account.email?.toLowerCase() === email.toLowerCase()) return account;
  }
  return undefined;
}

function adoptOrRefuse(existing: Account, customer: CustomerDetails): CreateAccountResult {
  if (existing.name === customer.name && existing.phone === customer.phone) {
    return { authId: existing.auth_id, adopted: true };
  }
  // No personal data in the message: it reaches history and logs.
  throw ApplicationFailure.create({
    type: 'EmailInUse',
    message: `The customer's e-mail address already belongs to another Vobiz account (${existing.auth_id})`,
    nonRetryable: true,
  });
}

export function accountActivities({ vobiz }: ActivityDeps) {
  return {
    async createCustomerAccount({ customer, settleDelayMs }: CreateAccountInput): Promise<CreateAccountResult> {
      return vobizCall(async () => {
        const existing = await lookup(() => findByEmail(vobiz, customer.email));
        if (existing) {
          const adopted = adoptOrRefuse(existing, customer);
          log.info('Adopted the account an earlier attempt created', { authId: adopted.authId });
          return adopted;
        }
        try {
          const created = await vobiz.createAccount(
            {
              name: customer.name,
              email: customer.email,
              phone: customer.phone,
              password: customer.password,
              country: customer.country,
              ...(customer.company ? { company: customer.company } : {}),
            },
            callOptions(),
          );
          return { authId: created.auth_id, adopted: false };
        } catch (err) {
          // A duplicate-e-mail rejection here means a parallel or lost earlier request won the race: look again.
          if (isApiError(err, 409, 422)) {
            const raced = await lookup(() => findByEmail(vobiz, customer.email));
            if (raced) return adoptOrRefuse(raced, customer);
          }
          throw ambiguousWrite(err, settleDelayMs);
        }
      });
    },
  };
}

/**
 * Account creation, exactly once. Vobiz has no idempotency key, but an e-mail address is unique across the
 * platform: before creating, look the e-mail up; an account there with the same name and phone is the one an
 * earlier attempt created (its response lost) and is adopted. One with other details belongs to someone else.
 *
 * The password arrives sealed (docs/codec.md, "Sealed secrets") and is opened here, only for the Vobiz call: the
 * plain value lives in this function's memory, never in a result, an error message or a log line.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { SealedSecretError, unsealSecret, type UnsealingKey } from '../secrets/index.js';
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

/**
 * The plain password, or a non-retryable failure that names the key id and the reason but never the value: a plain
 * password (a start by hand), a key this worker does not hold, or a changed value would fail the same way again.
 */
function openPassword(sealed: string, keys: readonly UnsealingKey[]): string {
  try {
    return unsealSecret(sealed, keys, 'customer.password');
  } catch (err) {
    if (!(err instanceof SealedSecretError)) throw err;
    throw ApplicationFailure.create({
      type: err.reason === 'not_sealed' ? 'PasswordNotSealed' : 'SealedPasswordUnreadable',
      message: `customer.password: ${err.message}`,
      nonRetryable: true,
    });
  }
}

export function accountActivities({ vobiz, unsealingKeys }: ActivityDeps) {
  return {
    async createCustomerAccount({ customer, settleDelayMs }: CreateAccountInput): Promise<CreateAccountResult> {
      return vobizCall(async () => {
        const existing = await lookup(() => findByEmail(vobiz, customer.email));
        if (existing) {
          const adopted = adoptOrRefuse(existing, customer);
          log.info('Adopted the account an earlier attempt created', { authId: adopted.authId });
          return adopted;
        }
        const password = openPassword(customer.password, unsealingKeys);
        try {
          const created = await vobiz.createAccount(
            {
              name: customer.name,
              email: customer.email,
              phone: customer.phone,
              password,
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

/**
 * Account creation, exactly once, and never someone else's account.
 *
 * Vobiz has no idempotency key, but an e-mail address is unique across the platform, so "an account with this
 * e-mail exists" is what an earlier attempt whose response was lost leaves behind — and also what another customer
 * with the same address (a duplicated CSV row, two services onboarding one person) finds. Details cannot tell them
 * apart: one person onboarded twice has the same name and phone. So a customer first *claims* the e-mail
 * (src/temporal/account-claims.ts: a running workflow whose ID is a keyed hash of the address; Temporal runs at most
 * one per ID). Only the claim's owner creates or adopts the account; anyone else is refused with `EmailInUse`
 * naming the owner, before any money moves or any e-mail is sent. An account that exists without a claim (made
 * elsewhere, or before claims existed) is refused too; handing an account to another customer is an operator's
 * deliberate act (`handOverAccount`).
 *
 * The password arrives sealed (docs/codec.md, "Sealed secrets") and is opened here, only for the Vobiz call: the
 * plain value lives in this function's memory, never in a result, an error message or a log line.
 */
import { log, type ApplicationFailure } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { SealedSecretError, unsealSecret, type UnsealingKey } from '../secrets/index.js';
import type { AccountClaims } from '../temporal/account-claims.js';
import { VobizApiError, VobizRequestError, type Account, type VobizClient } from '../vobiz/index.js';
import { customerRefOf } from '../workflows/input.js';
import { callOptions, type ActivityDeps } from './deps.js';
import { ambiguousWrite, failure, isApiError, lookup, vobizCall } from './failures.js';
import type { AccountOwnerDetail, CreateAccountInput, CreateAccountResult, CustomerDetails, HandOverAccountInput } from './types.js';

const ONE_ACCOUNT_PER_PERSON = 'one Vobiz account per person: an operator may hand an offboarded customer\'s account over (hand-over-account)';

async function findByEmail(vobiz: VobizClient, email: string): Promise<Account | undefined> {
  for await (const account of vobiz.iterateAccounts({ search: email }, callOptions())) {
    if (account.email?.toLowerCase() === email.toLowerCase()) return account;
  }
  return undefined;
}

/** No personal data in the message or details: both reach history, logs and the operator's screen. */
function emailInUse(message: string, detail: AccountOwnerDetail): ApplicationFailure {
  return failure('EmailInUse', message, { details: [detail] });
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
    throw failure(err.reason === 'not_sealed' ? 'PasswordNotSealed' : 'SealedPasswordUnreadable', `customer.password: ${err.message}`);
  }
}

function createRequest(customer: CustomerDetails, password: string) {
  return {
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    password,
    country: customer.country,
    ...(customer.company ? { company: customer.company } : {}),
  };
}

/** Vobiz refused the create for good (the customer's data), so no account exists under the claim. */
function refusedForGood(err: unknown): boolean {
  return err instanceof VobizRequestError || (err instanceof VobizApiError && [400, 404, 409, 422].includes(err.status));
}

/** The refusal for an account with this e-mail that no claim holds: whose it is, as far as Temporal knows. */
async function unclaimedAccountInUse(claims: AccountClaims, account: Account): Promise<ApplicationFailure> {
  const [holder] = await claims.holdersOf(account.auth_id);
  const whose = holder
    ? `, the account of customer ${customerRefOf(holder.workflowId)} (onboarded before account claims)`
    : ', which no customer of this service owns (made elsewhere, or its claim was released)';
  return emailInUse(`customer.email already belongs to Vobiz account ${account.auth_id}${whose}: ${ONE_ACCOUNT_PER_PERSON}`, {
    authId: account.auth_id,
    ...(holder ? { ownerCustomerRef: customerRefOf(holder.workflowId) } : {}),
  });
}

/** Workflows started since claims exist: claim the e-mail, then create or adopt the account as its owner. */
async function createAsOwner(deps: ActivityDeps, { workflowId, customer, settleDelayMs }: CreateAccountInput): Promise<CreateAccountResult> {
  const { vobiz, accountClaims: claims } = deps;
  // Before the claim: a password this worker cannot open would otherwise leave a claim behind for nothing.
  const password = openPassword(customer.password, deps.unsealingKeys);
  const claimId = claims.idFor(customer.email);
  let owner = await claims.owner(claimId);
  let claimedNow = false;
  if (owner === undefined) {
    const existing = await lookup(() => findByEmail(vobiz, customer.email));
    if (existing) throw await unclaimedAccountInUse(claims, existing);
    ({ owner, started: claimedNow } = await claims.take(claimId, workflowId));
  }
  if (owner !== workflowId) {
    const ownerCustomerRef = customerRefOf(owner);
    throw emailInUse(`customer.email is claimed by customer ${ownerCustomerRef}: ${ONE_ACCOUNT_PER_PERSON}`, { ownerCustomerRef });
  }

  // The claim is ours: an account with this e-mail was made under it by an earlier attempt, or handed to us. Not when
  // this attempt has just made the claim after finding no account: every attempt claims before it creates, so no
  // attempt has created one under it (an account that appears meanwhile is found by the duplicate answer below).
  const existing = claimedNow ? undefined : await lookup(() => findByEmail(vobiz, customer.email));
  if (existing) {
    log.info("Adopted the account under this customer's claim", { authId: existing.auth_id });
    return { authId: existing.auth_id, adopted: true };
  }
  try {
    const created = await vobiz.createAccount(createRequest(customer, password), callOptions());
    return { authId: created.auth_id, adopted: false };
  } catch (err) {
    // A duplicate-e-mail answer means our own earlier request landed meanwhile: adopt it.
    if (isApiError(err, 409, 422)) {
      const raced = await lookup(() => findByEmail(vobiz, customer.email));
      if (raced) return { authId: raced.auth_id, adopted: true };
    }
    // Refused for good: no account exists under the claim, so it is given up (the e-mail may be corrected on retry).
    if (refusedForGood(err)) await claims.release(claimId, workflowId, 'Vobiz refused to create the account');
    throw ambiguousWrite(err, settleDelayMs);
  }
}

function adoptByDetails(existing: Account, customer: CustomerDetails): CreateAccountResult {
  if (existing.name === customer.name && existing.phone === customer.phone) {
    return { authId: existing.auth_id, adopted: true };
  }
  throw emailInUse(`The customer's e-mail address already belongs to another Vobiz account (${existing.auth_id})`, { authId: existing.auth_id });
}

/**
 * Workflows started before claims existed keep the old rule when they retry account creation (their earlier
 * attempt may have made the account without a claim): an account with the same e-mail, name and phone is adopted.
 */
async function createByDetails(deps: ActivityDeps, { customer, settleDelayMs }: CreateAccountInput): Promise<CreateAccountResult> {
  const { vobiz } = deps;
  const existing = await lookup(() => findByEmail(vobiz, customer.email));
  if (existing) {
    const adopted = adoptByDetails(existing, customer);
    log.info('Adopted the account an earlier attempt created', { authId: adopted.authId });
    return adopted;
  }
  const password = openPassword(customer.password, deps.unsealingKeys);
  try {
    const created = await vobiz.createAccount(createRequest(customer, password), callOptions());
    return { authId: created.auth_id, adopted: false };
  } catch (err) {
    if (isApiError(err, 409, 422)) {
      const raced = await lookup(() => findByEmail(vobiz, customer.email));
      if (raced) return adoptByDetails(raced, customer);
    }
    throw ambiguousWrite(err, settleDelayMs);
  }
}

function handOverRefused(message: string): ApplicationFailure {
  return failure('HandOverRefused', message);
}

/**
 * An operator hands the e-mail's account to customer `workflowId`: from an owner that no longer runs (a returning
 * customer after offboarding), or, with no previous owner, an account no running customer holds (made elsewhere,
 * or before claims existed). Safe to run twice: a claim already ours is done.
 */
async function handOver(deps: ActivityDeps, { workflowId: to, email, fromWorkflowId: from, reason }: HandOverAccountInput): Promise<{ owner: string }> {
  const { vobiz, accountClaims: claims } = deps;
  const claimId = claims.idFor(email);
  const current = await claims.owner(claimId);
  if (current === to) return { owner: to };
  if (from) {
    if (current !== from) {
      throw handOverRefused(
        current
          ? `the account's owner is customer ${customerRefOf(current)}, not ${customerRefOf(from)}`
          : `no customer owns the account now: hand it over without a previous owner`,
      );
    }
    if (await claims.isRunning(from)) throw handOverRefused(`customer ${customerRefOf(from)} is still running: offboard it before handing its account over`);
    try {
      await claims.handOver(claimId, from, to, reason);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw handOverRefused(err.cause?.message ?? err.message);
      throw err;
    }
  } else {
    if (current) throw handOverRefused(`the account is owned by customer ${customerRefOf(current)}: name it as the previous owner`);
    const account = await lookup(() => findByEmail(vobiz, email));
    if (!account) throw handOverRefused('no Vobiz account has this e-mail: there is nothing to hand over (retry instead)');
    const live = (await claims.holdersOf(account.auth_id)).find((h) => h.running && h.workflowId !== to);
    if (live) throw handOverRefused(`customer ${customerRefOf(live.workflowId)} still runs on Vobiz account ${account.auth_id}: offboard it first`);
    const { owner: winner } = await claims.take(claimId, to);
    if (winner !== to) throw handOverRefused(`customer ${customerRefOf(winner)} claimed the account meanwhile`);
  }
  log.info('Account handed over by an operator', { from: from ?? null, to });
  return { owner: to };
}

export function accountActivities(deps: ActivityDeps) {
  return {
    async createCustomerAccount(input: CreateAccountInput): Promise<CreateAccountResult> {
      return vobizCall(() => (input.claimOwnership ? createAsOwner(deps, input) : createByDetails(deps, input)));
    },
    async handOverAccount(input: HandOverAccountInput): Promise<{ owner: string }> {
      return vobizCall(() => handOver(deps, input));
    },
  };
}

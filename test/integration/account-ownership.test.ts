/**
 * One Vobiz account, one customer (docs/design.md §2): a second customerRef for the same person — a duplicated CSV
 * row, two services onboarding one customer, a returning customer after offboarding — never adopts the first
 * one's account, moves a second opening balance or opens a second KYC session. It blocks with `EmailInUse` naming
 * the owner, before any money moves; handing an account over is an operator's deliberate act. Real worker and
 * activities, the dev server and the sandbox over real sockets.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountClaims, DEVELOPMENT_ACCOUNT_CLAIM_KEY } from '../../src/temporal/account-claims.js';
import { workflowIdFor, type OnboardingRequest } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { handOverAccountUpdate, offboardUpdate, retryUpdate, statusQuery, type LifecycleState } from '../../src/workflows/messages.js';
import { countEffects } from '../support/effects.js';
import { onboardingRequest, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';
import { updateRejection } from '../support/temporal.js';

type Lifecycle = WorkflowHandle<typeof customerLifecycle>;

describe('one Vobiz account, one customer (dev server + sandbox)', () => {
  let rig: LifecycleRig;
  let claims: AccountClaims;
  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker();
    claims = new AccountClaims({ client: rig.client, taskQueue: rig.taskQueue, key: DEVELOPMENT_ACCOUNT_CLAIM_KEY });
  });
  afterAll(() => rig?.close());

  /** The same person (name, e-mail, phone, password) under another customerRef. */
  const samePerson = (first: OnboardingRequest): OnboardingRequest => ({ ...onboardingRequest(), customer: { ...first.customer } });
  const start = (request: OnboardingRequest): Promise<Lifecycle> =>
    rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });
  const parkedInKyc = (s: LifecycleState) => s.stage === 'kyc' && s.kyc.attempts.length === 1;
  const settled = (s: LifecycleState) => parkedInKyc(s) || s.stage === 'blocked';
  const ownerOf = (email: string) => claims.owner(claims.idFor(email));
  const offboard = async (handle: Lifecycle) => {
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    return handle.result();
  };

  it('a second customerRef for one person blocks on EmailInUse naming the owner: one account, one transfer, one KYC session', async () => {
    const first = onboardingRequest();
    const second = samePerson(first);
    const a = await start(first);
    const owner = await waitForState(a, parkedInKyc, { what: 'the first customer in kyc' });
    const b = await start(second);
    const blocked = await waitForState(b, (s) => s.stage === 'blocked', { what: 'the second customer blocked' });

    expect(blocked.blocked).toMatchObject({ step: 'account', type: 'EmailInUse', owner: { customerRef: first.customerRef } });
    expect(blocked.blocked?.reason).toContain(first.customerRef);
    expect(blocked.blocked?.reason).not.toContain(first.customer.email);
    expect(blocked.authId).toBeUndefined();
    expect(blocked.funding).toBeUndefined();
    expect(blocked.kyc.attempts).toEqual([]);
    expect(await countEffects(rig.vobiz, first.customer.email, owner.authId)).toMatchObject({ accounts: 1, transfers: 1, kycSessions: 1 });
    expect(await ownerOf(first.customer.email)).toBe(a.workflowId);
    // The claim's ID is a keyed hash: it names nobody.
    expect(claims.idFor(first.customer.email)).not.toContain(first.customer.email.split('@')[0]);
    // The block is sticky: a plain retry is refused again by the same rule, still before any money moves.
    await b.executeUpdate(retryUpdate, { args: [{}] });
    const again = await waitForState(b, (s) => s.stage === 'blocked' && s.blocked!.since !== blocked.blocked!.since, { what: 'blocked again' });
    expect(again.blocked?.owner?.customerRef).toBe(first.customerRef);

    await Promise.all([offboard(a), offboard(b)]);
  });

  it("a new customer's account costs one search for its e-mail at Vobiz: none again after making the claim", async () => {
    await rig.sandbox.admin.resetRequests();
    const request = onboardingRequest();
    const handle = await start(request);
    const state = await waitForState(handle, parkedInKyc, { what: 'the customer in kyc' });
    const { byRoute } = await rig.sandbox.admin.requests();
    const accountSearches = Object.entries(byRoute).filter(([route]) => /^GET .*\/accounts\/?$/.test(route));
    expect(accountSearches.map(([, n]) => n)).toEqual([1]);
    expect(await countEffects(rig.vobiz, request.customer.email, state.authId)).toMatchObject({ accounts: 1 });
    await offboard(handle);
  });

  it('two starts for one person at the same instant: exactly one creates, funds and opens KYC; the other blocks naming it', async () => {
    for (let round = 0; round < 3; round++) {
      const first = onboardingRequest();
      const second = samePerson(first);
      const handles = await Promise.all([start(first), start(second)]);
      const states = await Promise.all(handles.map((h) => waitForState(h, settled, { what: 'kyc or blocked' })));
      const winners = states.filter(parkedInKyc);
      const losers = states.filter((s) => s.stage === 'blocked');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0]!.blocked).toMatchObject({ type: 'EmailInUse', owner: { customerRef: winners[0]!.customerRef } });
      expect(losers[0]!.funding).toBeUndefined();
      expect(await countEffects(rig.vobiz, first.customer.email, winners[0]!.authId)).toMatchObject({ accounts: 1, transfers: 1, kycSessions: 1 });
      expect(await ownerOf(first.customer.email)).toBe(winners[0]!.workflowId);
      await Promise.all(handles.map(offboard));
    }
  });

  it('a returning customer after offboarding is a deliberate hand-over: refused while the owner runs or for another owner, then adopted', async () => {
    const first = onboardingRequest();
    const a = await start(first);
    const owned = await waitForState(a, parkedInKyc, { what: 'the first customer in kyc' });
    const returning = samePerson(first);
    const c = await start(returning);
    await waitForState(c, (s) => s.stage === 'blocked', { what: 'the returning customer blocked' });

    // The owner still runs: the worker refuses (its customer would lose the account under it).
    expect(await updateRejection(c.executeUpdate(handOverAccountUpdate, { args: [{ from: first.customerRef, reason: 'returning customer' }] }))).toMatch(
      new RegExp(`customer ${first.customerRef} is still running: offboard it`),
    );
    expect(await ownerOf(first.customer.email)).toBe(a.workflowId);

    expect(await offboard(a)).toMatchObject({ stage: 'offboarded' });
    // Still blocked after the owner left: nothing is handed over by itself.
    const stillBlocked = await c.query(statusQuery);
    expect(stillBlocked.stage).toBe('blocked');
    // A typo in the previous owner changes nothing: the workflow's validator refuses it (no history, no claim change).
    expect(await updateRejection(c.executeUpdate(handOverAccountUpdate, { args: [{ from: `${first.customerRef}x`, reason: 'returning customer' }] }))).toMatch(
      new RegExp(`from must be ${first.customerRef}`),
    );
    expect(await updateRejection(c.executeUpdate(handOverAccountUpdate, { args: [{ from: null, reason: 'returning customer' }] }))).toMatch(/from must be/);
    expect(await ownerOf(first.customer.email)).toBe(a.workflowId);

    await c.executeUpdate(handOverAccountUpdate, { args: [{ from: first.customerRef, reason: 'returning customer' }] });
    const resumed = await waitForState(c, parkedInKyc, { what: 'the returning customer in kyc' });
    expect(resumed.authId).toBe(owned.authId);
    expect(await ownerOf(first.customer.email)).toBe(c.workflowId);
    // Its own opening balance and its own KYC session, on the one account.
    expect(await countEffects(rig.vobiz, first.customer.email, owned.authId)).toMatchObject({ accounts: 1, transfers: 2, kycSessions: 2 });
    await offboard(c);
  });

  it('an account made outside this service is never adopted by chance; an operator can hand it over without a previous owner', async () => {
    const request = onboardingRequest();
    const made = await rig.vobiz.createAccount({
      name: request.customer.name,
      email: request.customer.email,
      phone: request.customer.phone,
      password: 'Other-Pass1!',
      country: 'IN',
    });
    const b = await start(request);
    const blocked = await waitForState(b, (s) => s.stage === 'blocked', { what: 'blocked on an account nobody here owns' });
    expect(blocked.blocked).toMatchObject({ type: 'EmailInUse', owner: { authId: made.auth_id } });
    expect(blocked.blocked?.owner?.customerRef).toBeUndefined();
    expect(blocked.blocked?.reason).toMatch(/no customer of this service owns/);
    expect(await ownerOf(request.customer.email)).toBeUndefined();

    await b.executeUpdate(handOverAccountUpdate, { args: [{ from: null, reason: 'customer signed up directly' }] });
    const resumed = await waitForState(b, parkedInKyc, { what: 'in kyc on the handed-over account' });
    expect(resumed.authId).toBe(made.auth_id);
    expect(await ownerOf(request.customer.email)).toBe(b.workflowId);
    await offboard(b);
  });

  it('a claim whose account Vobiz refused for good is given up: the e-mail is free for a corrected onboarding', async () => {
    const refused = onboardingRequest();
    refused.customer.country = 'ZZ'; // passes the workflow's structure check; the sandbox refuses it (422)
    const x = await start(refused);
    const blocked = await waitForState(x, (s) => s.stage === 'blocked', { what: 'blocked on the refused country' });
    expect(blocked.blocked?.type).not.toBe('EmailInUse');
    expect(await ownerOf(refused.customer.email)).toBeUndefined();

    const corrected = samePerson(refused);
    corrected.customer.country = 'IN';
    const y = await start(corrected);
    await waitForState(y, parkedInKyc, { what: 'the corrected onboarding in kyc' });
    expect(await ownerOf(refused.customer.email)).toBe(y.workflowId);
    // The first one, retried with the right country, now finds the e-mail claimed by the second.
    await x.executeUpdate(retryUpdate, { args: [{ customer: { country: 'IN' } }] });
    const nowInUse = await waitForState(x, (s) => s.stage === 'blocked' && s.blocked?.type === 'EmailInUse', { what: 'EmailInUse after the retry' });
    expect(nowInUse.blocked?.owner?.customerRef).toBe(corrected.customerRef);
    await Promise.all([offboard(x), offboard(y)]);
  });
});

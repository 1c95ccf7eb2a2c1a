// Releasing one number (the releaseNumber update) on the real workflow against the sandbox: refused with its reason
// before anything reaches history, exactly once when Vobiz's answer is lost, and raced with offboarding without a
// number left owned; then the same action through the bridge, the typed client and the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, NotAllowedError, OnboardingClient } from '../../src/client/index.js';
import type { RunningBridge } from '../../src/bridge/server.js';
import { offboardUpdate, purchaseNumberUpdate, releaseNumberUpdate, statusQuery } from '../../src/workflows/messages.js';
import { runCli } from '../support/cli.js';
import { startActiveCustomer, startLifecycleRig, type LifecycleRig } from '../support/lifecycle.js';
import { RIG_API_TOKEN, RIG_READ_TOKEN, rigCliEnv, startRigBridge } from '../support/rig-bridge.js';
import { updateRejection } from '../support/temporal.js';

const RELEASE_ROUTE = 'DELETE /api/v1/Account/:id/numbers/:e164';
/** A number at onboarding, and a wallet for a second (each costs 400 in the sandbox). */
const WITH_NUMBER = { funding: { amount: 2000, currency: 'INR' }, telephony: { trunk: { name: 'Main' }, number: { country: 'IN' } } };

let rig: LifecycleRig;
let bridge: RunningBridge;

beforeAll(async () => {
  rig = await startLifecycleRig();
  await rig.startWorker();
  bridge = await startRigBridge(rig);
});
afterAll(async () => {
  await bridge?.close();
  await rig?.close();
});

/** The customer's numbers at Vobiz, by status. */
async function numbersAtVobiz(authId: string): Promise<Record<string, string>> {
  const customer = rig.vobiz.customer({ authId, authToken: (await rig.vobiz.getAccount(authId)).auth_token! });
  const out: Record<string, string> = {};
  for await (const n of customer.iterateNumbers()) out[n.e164] = n.status ?? '';
  return out;
}

/** DELETE requests for numbers the sandbox received since its meter was reset. */
async function releaseRequests(): Promise<number> {
  const report = await rig.sandbox.admin.requests();
  return Object.entries(report.byRoute)
    .filter(([route]) => route.startsWith('DELETE ') && route.includes('/numbers/'))
    .reduce((sum, [, n]) => sum + n, 0);
}

describe('releaseNumber (workflow update)', () => {
  it('is refused with its reason, releases exactly once when the answer is lost, and never twice', async () => {
    const { handle, state } = await startActiveCustomer(rig, WITH_NUMBER);
    const [number] = state.telephony.numbers;
    expect(number).toMatch(/^\+91/);
    const before = (await handle.fetchHistory()).events?.length;

    expect(await updateRejection(handle.executeUpdate(releaseNumberUpdate, { args: [{ e164: '+918000000001' }] }))).toBe(
      "+918000000001 is not one of this customer's numbers",
    );
    expect((await handle.fetchHistory()).events?.length).toBe(before); // a refused update writes nothing

    // Vobiz commits the release and the answer is lost: the activity's retry finds it released and adopts that.
    await rig.sandbox.admin.resetRequests();
    await rig.sandbox.admin.addFault({ route: RELEASE_ROUTE, mode: 'commit_then_drop', count: 1 });
    const released = await handle.executeUpdate(releaseNumberUpdate, { args: [{ e164: number! }] });
    expect(released).toEqual({ e164: number, alreadyReleased: true });
    expect(await releaseRequests()).toBe(1);
    expect((await numbersAtVobiz(state.authId!))[number!]).toBe('pending_release');
    expect((await handle.query(statusQuery)).telephony.releasedNumbers).toEqual([number]);

    expect(await updateRejection(handle.executeUpdate(releaseNumberUpdate, { args: [{ e164: number! }] }))).toBe(`${number} is already released`);
    expect(await releaseRequests()).toBe(1);

    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    expect((await handle.result()).numbersReleased).toEqual([number]);
    expect(await releaseRequests()).toBe(1); // offboarding does not release it again
  });

  it('raced with offboarding: each number released once, none left owned; a release after the offboard request is refused', async () => {
    const { handle, state } = await startActiveCustomer(rig, WITH_NUMBER);
    const { e164: second } = await handle.executeUpdate(purchaseNumberUpdate, { args: [{ country: 'IN' }] });
    const numbers = [...state.telephony.numbers, second];
    await rig.sandbox.admin.resetRequests();

    // The release is in flight at Vobiz (held 1.5 s) when the offboard request arrives.
    await rig.sandbox.admin.addFault({ route: RELEASE_ROUTE, mode: 'latency', latencyMs: 1500, count: 1 });
    const release = handle.executeUpdate(releaseNumberUpdate, { args: [{ e164: second }] });
    await new Promise((r) => setTimeout(r, 500));
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'raced' }] });
    expect(await updateRejection(handle.executeUpdate(releaseNumberUpdate, { args: [{ e164: numbers[0]! }] }))).toMatch(
      /releaseNumber is not allowed: the customer is being offboarded/,
    );
    expect(await release).toEqual({ e164: second, alreadyReleased: false });

    const summary = await handle.result();
    expect(summary.stage).toBe('offboarded');
    expect([...summary.numbersReleased].sort()).toEqual([...numbers].sort());
    expect(await releaseRequests()).toBe(2);
    const atVobiz = await numbersAtVobiz(state.authId!);
    expect(Object.values(atVobiz).filter((status) => status === 'active')).toEqual([]);
    expect(Object.keys(atVobiz).sort()).toEqual([...numbers].sort());
  });
});

describe('release-number through the bridge, the typed client and the CLI', () => {
  it('POST /onboardings/{ref}/release-number and `release-number <ref> <e164>`; a read token may not act', async () => {
    const { request, handle } = await startActiveCustomer(rig, WITH_NUMBER);
    const { e164: second } = await handle.executeUpdate(purchaseNumberUpdate, { args: [{ country: 'IN' }] });
    const [first] = (await handle.query(statusQuery)).telephony.numbers;
    const api = new OnboardingClient({ baseUrl: bridge.url, token: RIG_API_TOKEN });
    const reader = new OnboardingClient({ baseUrl: bridge.url, token: RIG_READ_TOKEN });

    await expect(reader.releaseNumber(request.customerRef, first!)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(api.releaseNumber(request.customerRef, '918071387100')).rejects.toMatchObject({ status: 400, field: 'e164' });
    await expect(api.releaseNumber(request.customerRef, '+918000000002')).rejects.toBeInstanceOf(NotAllowedError);

    const viaApi = await api.releaseNumber(request.customerRef, first!, { idempotencyKey: 'release-1' });
    expect(viaApi).toMatchObject({ action: 'release-number', result: { e164: first, alreadyReleased: false } });
    // A retried request with the same key attaches to the first update: no second release.
    expect(await api.releaseNumber(request.customerRef, first!, { idempotencyKey: 'release-1' })).toEqual(viaApi);

    const env = rigCliEnv(rig);
    const bad = await runCli(['release-number', request.customerRef, 'not-a-number'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('<e164> must be E.164');
    const again = await runCli(['release-number', request.customerRef, first!], env);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain(`${first} is already released`);
    const viaCli = await runCli(['release-number', request.customerRef, second, '--json'], env);
    expect(viaCli.code).toBe(0);
    expect(JSON.parse(viaCli.stdout)).toMatchObject({ action: 'release-number', result: { e164: second, alreadyReleased: false } });

    expect((await handle.query(statusQuery)).telephony.releasedNumbers).toEqual([first, second]);
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'test over' }] });
    expect((await handle.result()).numbersReleased).toEqual([first, second]);
  });
});

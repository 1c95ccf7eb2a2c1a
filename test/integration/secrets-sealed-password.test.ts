// Issue 15 end to end on the real dev server and sandbox: the customer's password is sealed at the edge, the
// whole history decoded through the codec server (as the Web UI does) holds no password, the sandbox confirms the
// account got the right one, a key rotation keeps older customers creatable, and a plain password started by hand
// creates nothing and is never echoed.
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { startCodecServer, type CodecServer } from '../../src/codec/server.js';
import { createLogger } from '../../src/logging.js';
import { DEVELOPMENT_SECRETS_KEY, newSecretsKeyLines, parseUnsealingKeys, sealingKeyOf, sealSecret, type UnsealingKey } from '../../src/secrets/index.js';
import { workflowIdFor, type OnboardingRequest } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { kycEventSignal, offboardUpdate, statusQuery } from '../../src/workflows/messages.js';
import { atStage, onboardingRequest, sealedPassword, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

const UI_ORIGIN = 'http://localhost:8233';
const OLD_CUSTOMER_PASSWORD = `Old#Key-${Date.now()}`;
const NEW_CUSTOMER_PASSWORD = `New#Key-${Date.now()}`;
const PLAIN_PASSWORD = `Plain#ByHand-${Date.now()}`;

type JsonPayload = { metadata: Record<string, string>; data: string };

/** Every payload in a history (inputs, results, signals, updates, queries, memo, failure attributes), as the UI sends them. */
function payloadsIn(value: unknown, found: JsonPayload[] = []): JsonPayload[] {
  if (!value || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    for (const v of value) payloadsIn(v, found);
    return found;
  }
  const obj = value as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
  if (obj.metadata && typeof obj.metadata === 'object' && 'encoding' in obj.metadata) {
    found.push({
      metadata: Object.fromEntries(Object.entries(obj.metadata).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(obj.data ?? []).toString('base64'),
    });
    return found;
  }
  for (const v of Object.values(obj)) payloadsIn(v, found);
  return found;
}

describe('the customer password is sealed end to end', () => {
  let rig: LifecycleRig;
  let codecServer: CodecServer;
  // The rotation: a new pair prepended to the worker's SECRETS_KEYS, the development pair (the "old" key) kept.
  const { privateLine } = newSecretsKeyLines('it-secrets-2026-12');
  const newKey: UnsealingKey = parseUnsealingKeys(privateLine, 'list', 'SECRETS_KEYS').keys[0]!;

  // Sealed under the old key, and started before the worker with the rotated keys exists.
  const oldCustomer = onboardingRequest();
  oldCustomer.customer.password = sealedPassword(OLD_CUSTOMER_PASSWORD);
  // Sealed under the new key, as edges do once SECRETS_PUBLIC_KEY is the new one.
  const newCustomer = onboardingRequest();
  newCustomer.customer.password = sealSecret(NEW_CUSTOMER_PASSWORD, sealingKeyOf(newKey), 'customer.password');

  const start = (request: OnboardingRequest) =>
    rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId: workflowIdFor(request.customerRef), args: [request] });

  beforeAll(async () => {
    rig = await startLifecycleRig();
    codecServer = await startCodecServer({
      host: '127.0.0.1',
      port: 0,
      keys: [DEVELOPMENT_KEY], // the codec key only: the codec server never holds a secrets key
      corsOrigins: [UI_ORIGIN],
      logger: createLogger({ level: 'silent' }),
    });
  }, 60_000);
  afterAll(async () => {
    await codecServer?.close();
    await rig?.close();
  });

  it('rotation: a customer sealed under the old key is still created after the new key is prepended, and so is one under the new key', async () => {
    const oldHandle = await start(oldCustomer); // no worker yet: the input waits in history, sealed under the old key
    await rig.startWorker({ unsealingKeys: [newKey, DEVELOPMENT_SECRETS_KEY] });
    const newHandle = await start(newCustomer);
    const [oldState, newState] = await Promise.all([
      waitForState(oldHandle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1),
      waitForState(newHandle, (s) => Boolean(s.authId)),
    ]);
    expect(await rig.sandbox.admin.passwordMatches(oldState.authId!, OLD_CUSTOMER_PASSWORD)).toBe(true);
    expect(await rig.sandbox.admin.passwordMatches(newState.authId!, NEW_CUSTOMER_PASSWORD)).toBe(true);
    // The check can fail: another password does not match.
    expect(await rig.sandbox.admin.passwordMatches(oldState.authId!, NEW_CUSTOMER_PASSWORD)).toBe(false);
    await newHandle.terminate('rotation check done');
  }, 120_000);

  it("the whole history, decoded through the codec server as the Web UI does, shows the password only sealed", async () => {
    const handle = rig.client.workflow.getHandle(workflowIdFor(oldCustomer.customerRef));
    const kyc = await handle.query(statusQuery);
    const sessionId = kyc.kyc.attempts[0]!.sessionId;
    await rig.sandbox.admin.completeKyc(sessionId);
    await handle.signal(kycEventSignal, { eventKey: 'sealed-1', event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
    const active = await waitForState(handle, atStage('active'));
    expect(JSON.stringify(active)).not.toMatch(/sealed:v1|Old#Key/); // the status query carries no password at all
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'sealed password test done' }] });
    await handle.result();

    const payloads = payloadsIn((await handle.fetchHistory()).events);
    expect(payloads.length).toBeGreaterThan(10);
    const res = await fetch(`${codecServer.url}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': rig.server.namespace, origin: UI_ORIGIN },
      body: JSON.stringify({ payloads }),
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    const decoded = (JSON.parse(body) as { payloads: JsonPayload[] }).payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
    // Controls: this really is the decoded history, input included, and the sealed value is what it shows.
    expect(decoded).toContain(oldCustomer.customer.email);
    expect(decoded).toContain(oldCustomer.customer.password);
    expect(decoded).toMatch(/"password":"sealed:v1:insecure-dev-secrets-key:/);
    for (const text of [decoded, body]) expect(text).not.toContain(OLD_CUSTOMER_PASSWORD);
  }, 120_000);

  it('a plain password started by hand creates no account and is never echoed', async () => {
    const byHand = onboardingRequest();
    byHand.customer.password = PLAIN_PASSWORD;
    const handle = await start(byHand);
    // Refused at start by the workflow's own check, before any activity runs; the message names the field only.
    const chain = (err: unknown) => {
      const messages: string[] = [];
      for (let e: unknown = err; e instanceof Error; e = e.cause) messages.push(e.message);
      return messages.join(' | ');
    };
    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(chain(failure)).toMatch(/customer\.password must be sealed/);
    expect(chain(failure)).not.toContain(PLAIN_PASSWORD);
    const accounts = [];
    for await (const account of rig.vobiz.iterateAccounts({ search: byHand.customer.email })) accounts.push(account);
    expect(accounts).toEqual([]);
  }, 120_000);
});

// Invariant 3 of docs/architecture.md, proven on one whole onboarding against the sandbox: no personal data or
// secret in raw history, workflow IDs, search attributes, memo or log lines; the customer's auth token and KYC
// documents not even in the decrypted history.
import { Writable } from 'node:stream';
import proto from '@temporalio/proto';
import { Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../../src/codec/encryption-codec.js';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { createLogger, TemporalPinoLogger } from '../../src/logging.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { kycEventSignal, offboardUpdate } from '../../src/workflows/messages.js';
import { atStage, onboardingRequest, sealedPassword, startLifecycleRig, waitForState, type LifecycleRig } from '../support/lifecycle.js';

const { History } = proto.temporal.api.history.v1;
const PAN = 'ABCPE1234F';

// Every log line of this process: SDK, worker, workflow (through the sink) and activity logs.
const logLines: string[] = [];
Runtime.install({
  logger: new TemporalPinoLogger(
    createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    }),
  ),
});

describe('secrets and personal data stay out of history, visibility and logs', () => {
  let rig: LifecycleRig;
  const PASSWORD = 'Unique#Pass9921';
  // Sealed as every edge seals it: the plain password is what must appear nowhere, not even decrypted.
  const request = onboardingRequest({ customer: { name: 'Priya Hygiene', email: `priya.hygiene.${Date.now()}@example.com`, phone: '+919812345678', password: sealedPassword(PASSWORD), country: 'IN', company: 'Hygiene Traders' } });
  const workflowId = workflowIdFor(request.customerRef);
  let customerToken = '';
  let rawHistory: Buffer;
  let decodedPayloads: string[] = [];

  beforeAll(async () => {
    rig = await startLifecycleRig();
    await rig.startWorker();
    const handle = await rig.client.workflow.start(customerLifecycle, { taskQueue: rig.taskQueue, workflowId, args: [request] });
    const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1);
    customerToken = (await rig.vobiz.getAccount(kyc.authId!)).auth_token!;
    const sessionId = kyc.kyc.attempts[0]!.sessionId;
    await rig.sandbox.admin.completeKyc(sessionId, { pan: PAN });
    await handle.signal(kycEventSignal, { eventKey: 'k1', event: 'kyc.completed', sessionId, receivedAt: new Date().toISOString() });
    await waitForState(handle, atStage('active'));
    await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'hygiene test done' }] });
    await handle.result();

    const history = await handle.fetchHistory();
    rawHistory = Buffer.from(History.encode(history).finish());
    const codec = new EncryptionCodec([DEVELOPMENT_KEY]);
    const payloads: proto.temporal.api.common.v1.IPayload[] = [];
    const visit = (value: unknown): void => {
      if (!value || typeof value !== 'object') return;
      if (Array.isArray(value)) return value.forEach(visit);
      const obj = value as Record<string, unknown>;
      if (Array.isArray(obj.payloads)) payloads.push(...(obj.payloads as proto.temporal.api.common.v1.IPayload[]));
      else Object.values(obj).forEach(visit);
    };
    visit(history.events);
    decodedPayloads = (await codec.decode(payloads)).map((p) => Buffer.from(p.data ?? []).toString('utf8'));
  }, 120_000);
  afterAll(() => rig?.close());

  const personal = () => [request.customer.name, request.customer.email, request.customer.phone, PASSWORD, request.customer.password, request.customer.company!];

  it('raw history, read without the codec, holds no personal data, password, token or PAN', () => {
    for (const secret of [...personal(), customerToken, PAN, 'test-partner-token']) {
      expect(rawHistory.includes(Buffer.from(secret)), `raw history contains ${secret.slice(0, 3)}…`).toBe(false);
    }
    // And the history really was decodable: the check above is not vacuous.
    expect(decodedPayloads.some((p) => p.includes(request.customer.email))).toBe(true);
  });

  it('the customer auth token, the plain password and KYC documents never enter history, even encrypted', () => {
    const decoded = decodedPayloads.join('\n');
    expect(decoded).toContain(request.customer.password); // only the sealed value
    expect(decoded).not.toContain(PASSWORD);
    expect(customerToken).toMatch(/.{16,}/);
    expect(decoded).not.toContain(customerToken);
    expect(decoded).not.toContain(PAN);
    expect(decoded).not.toMatch(/verified_data|masked_aadhaar|aadhaar_name|gstin/i);
  });

  it('workflow ID, search attributes and memo carry no personal data', async () => {
    const description = await rig.client.workflow.getHandle(workflowId).describe();
    const visible = JSON.stringify({ workflowId, sa: description.searchAttributes, memo: description.memo ?? {} });
    for (const value of personal()) expect(visible).not.toContain(value);
    expect(visible).not.toContain(customerToken);
    expect(description.searchAttributes).toMatchObject({ VobizStage: ['offboarded'] });
  });

  it('no log line carries personal data, passwords or tokens', () => {
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(1000); // the capture saw the onboarding's logs
    expect(logs).toContain(workflowId);
    for (const secret of [...personal(), customerToken, PAN, 'test-partner-token']) {
      expect(logs.includes(secret), `logs contain ${secret.slice(0, 3)}…`).toBe(false);
    }
  });
});

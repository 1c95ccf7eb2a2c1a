// The typed client seals customer.password in the caller's process (against a mocked bridge, undici MockAgent):
// what goes over the wire is sealed and opens to the caller's password; a plain password it cannot seal is refused
// before anything is sent.
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, OnboardingClient } from '../../src/client/index.js';
import { DEVELOPMENT_SEALING_KEY, DEVELOPMENT_SECRETS_KEY, isSealedSecret, unsealSecret } from '../../src/secrets/index.js';

const BASE = 'http://bridge.test:8787';
const PLAIN = 'Client#Secret4471';
const PUBLIC_LINE = `${DEVELOPMENT_SEALING_KEY.id}:${DEVELOPMENT_SEALING_KEY.publicKey.toString('base64')}`;
const request = { customerRef: 'acme-0001', customer: { name: 'A', email: 'a@example.com', phone: '+919800000001', password: PLAIN, country: 'IN' } };
let agent: MockAgent;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});
afterEach(async () => {
  await agent.close();
});

describe('OnboardingClient and the password', () => {
  it('seals a plain password before sending; the bridge sees only the sealed value, which opens to it', async () => {
    let body = '';
    agent
      .get(BASE)
      .intercept({ path: '/onboardings', method: 'POST' })
      .reply(201, (opts) => {
        body = opts.body as string;
        return { workflowId: 'customer-acme-0001', runId: 'r', customerRef: 'acme-0001', status: 'started', webUiUrl: 'u' };
      });
    const client = new OnboardingClient({ baseUrl: BASE, token: 't', dispatcher: agent, secretsPublicKey: PUBLIC_LINE });
    await client.start(request as never);
    expect(body).not.toContain(PLAIN);
    const sent = (JSON.parse(body) as typeof request).customer.password;
    expect(isSealedSecret(sent)).toBe(true);
    expect(unsealSecret(sent, [DEVELOPMENT_SECRETS_KEY], 'customer.password')).toBe(PLAIN);
    expect(request.customer.password).toBe(PLAIN); // the caller's object is left alone
  });

  it('refuses a plain password without a key, and a weak one, before sending and without echoing it', async () => {
    // disableNetConnect + no intercept: any request would fail with a network error, not InvalidRequestError.
    const noKey = new OnboardingClient({ baseUrl: BASE, token: 't', dispatcher: agent });
    const err = await noKey.start(request as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_input', field: 'customer.password' });
    expect((err as InvalidRequestError).rule).toMatch(/must be sealed/);
    expect(JSON.stringify(err) + (err as Error).message).not.toContain(PLAIN);

    const withKey = new OnboardingClient({ baseUrl: BASE, token: 't', dispatcher: agent, secretsPublicKey: PUBLIC_LINE });
    const weak = await withKey.start({ ...request, customer: { ...request.customer, password: 'weakpass' } } as never).catch((e: unknown) => e);
    expect(weak).toMatchObject({ field: 'customer.password' });
    expect((weak as InvalidRequestError).rule).toMatch(/at least 8 characters/);
    expect((weak as Error).message).not.toContain('weakpass');
  });

  it('refuses a malformed public key when constructed', () => {
    expect(() => new OnboardingClient({ baseUrl: BASE, token: 't', secretsPublicKey: 'k:bm90LWEta2V5' })).toThrow(/secretsPublicKey: key "k" must be base64 of exactly 32 bytes/);
  });
});

// The OpenAPI document: the committed copy is what the zod schemas generate, and the typed client's every call
// is an operation of it, with a body its request schema accepts (undici MockAgent records the calls).
import { readFileSync } from 'node:fs';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/bridge/openapi.js';
import { OnboardingClient } from '../../src/client/index.js';
import { committedOpenApi, componentValidator, operationFor } from '../support/openapi.js';

const example = JSON.parse(readFileSync(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as never;

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1, and the committed docs/openapi.json is up to date (npm run openapi)', () => {
    const generated = buildOpenApiDocument();
    expect(generated.openapi).toBe('3.1.0');
    expect(committedOpenApi()).toEqual(JSON.parse(JSON.stringify(generated)));
  });

  it('describes the example request as valid and a request without telephony as invalid', () => {
    const request = componentValidator(committedOpenApi(), '#/components/schemas/OnboardingRequest');
    expect(request.safeParse(example).success).toBe(true);
    const { telephony: _t, ...withoutTelephony } = example as Record<string, unknown>;
    expect(request.safeParse(withoutTelephony).success).toBe(false);
  });

  it('has an operation for every call of the typed client, accepting the body it sends', async () => {
    const doc = committedOpenApi();
    const agent = new MockAgent();
    agent.disableNetConnect();
    const calls: { method: string; path: string; body: unknown }[] = [];
    agent
      .get('http://bridge.test')
      .intercept({ path: () => true, method: () => true })
      .reply(200, (opts) => {
        calls.push({ method: opts.method, path: opts.path, body: typeof opts.body === 'string' ? (JSON.parse(opts.body) as unknown) : undefined });
        return {};
      })
      .persist();
    const client = new OnboardingClient({ baseUrl: 'http://bridge.test', token: 't', dispatcher: agent });
    await client.start(example);
    await client.list({ stage: 'kyc', kycStatus: 'kyc_pending', pageSize: 10, pageToken: 'abc' });
    await client.getStatus('acme-0001');
    await client.resendKyc('acme-0001');
    await client.revokeKyc('acme-0001', 'customer asked');
    await client.restartKyc('acme-0001');
    await client.offboard('acme-0001', 'contract ended');
    await client.purchaseNumber('acme-0001', { country: 'IN', search: '9180' });
    await client.releaseNumber('acme-0001', '+918071387100');
    await client.retry('acme-0001', { customer: { email: 'fixed@example.com' }, trunk: { transport: 'tcp' } });
    await client.handOverAccount('acme-0002', { from: 'acme-0001', reason: 'returning customer' });
    await client.handOverAccount('acme-0003', { from: null, reason: 'signed up with Vobiz directly' });
    await client.transactions('acme-0001', { transactionType: 'transfer', fromDate: '2026-01-01', perPage: 50 });
    await client.cdrs('acme-0001', { status: 'answered', minDuration: 10, perPage: 100 });
    await client.partnerCdrs({ callDirection: 'inbound', page: 2 });
    await client.numbers('acme-0001');
    await client.inventory({ country: 'IN', exclude: ['9180', '9122'] });
    await client.balance('acme-0001');
    await client.partner();
    await client.dashboard();
    await agent.close();

    expect(calls).toHaveLength(20);
    const templates = new Set<string>();
    for (const call of calls) {
      const found = operationFor(doc, call.method, call.path);
      expect(found, `${call.method} ${call.path}`).toBeDefined();
      templates.add(`${call.method} ${found!.template}`);
      // Each query parameter the client sends is one the operation declares.
      const declared = new Set((found!.operation.parameters ?? []).map((p) => p.name));
      for (const name of new URL(call.path, 'http://bridge.test').searchParams.keys()) expect(declared, `${call.method} ${call.path}: ${name}`).toContain(name);
      const requestRef = found!.operation.requestBody?.content['application/json']?.schema.$ref;
      if (requestRef) expect(componentValidator(doc, requestRef).safeParse(call.body).success, `${call.method} ${call.path} body`).toBe(true);
    }
    // …and every operation of the document is reachable from the client.
    const documented = Object.entries(doc.paths).flatMap(([template, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${template}`));
    expect([...templates].sort()).toEqual(documented.sort());
  });
});

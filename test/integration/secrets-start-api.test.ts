// The start API is an edge: a plain customer.password is refused over raw HTTP (no typed client to seal it), by
// field and rule, without echoing it, logging it or starting anything; a sealed one starts the onboarding.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnboardingRequest } from '../../src/client/index.js';
import { API_TOKEN, startBridgeHarness, type BridgeHarness } from '../fixtures/bridge-harness.js';

const example = JSON.parse(readFileSync(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as OnboardingRequest;
const PLAIN = `Plain#Http-${randomBytes(4).toString('hex')}`;
let h: BridgeHarness;

beforeAll(async () => {
  h = await startBridgeHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const post = (body: unknown) =>
  fetch(`${h.bridge.url}/onboardings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('POST /onboardings and the password', () => {
  it('refuses a plain password: 400 naming customer.password, never echoed or logged, nothing started', async () => {
    const customerRef = `plain-${randomBytes(4).toString('hex')}`;
    const res = await post({ ...example, customerRef, customer: { ...example.customer, password: PLAIN } });
    const text = await res.text();
    expect(res.status).toBe(400);
    const body = JSON.parse(text) as { error: string; problems: { field: string; rule: string }[] };
    expect(body.error).toBe('invalid_input');
    expect(body.problems.map((p) => p.field)).toEqual(['customer.password']);
    expect(body.problems[0]!.rule).toMatch(/must be sealed/);
    expect(text).not.toContain(PLAIN);
    expect(h.logLines.join('\n')).not.toContain(PLAIN);
    const status = await fetch(`${h.bridge.url}/onboardings/${customerRef}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(status.status).toBe(404);
  });

  it('accepts the sealed example password', async () => {
    const res = await post({ ...example, customerRef: `sealed-${randomBytes(4).toString('hex')}` });
    expect(res.status).toBe(201);
  });
});

// The start API's pure parts: the example input is valid, fingerprints ignore spelling but not substance, and
// operator-action bodies are validated with field + rule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson, inputFingerprint, webUiLink } from '../../src/onboarding/start.js';
import { parseOperatorAction } from '../../src/onboarding/operator-actions.js';
import { DEVELOPMENT_SEALING_KEY, sealSecret } from '../../src/secrets/index.js';
import { parseOnboardingInput, type OnboardingInput } from '../../src/workflows/input.js';

const example = JSON.parse(readFileSync(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function parse(raw: unknown): OnboardingInput {
  const result = parseOnboardingInput(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.input;
}

describe('examples/onboarding.json', () => {
  it('is a valid onboarding input with clearly fake personal data', () => {
    const input = parse(example);
    expect(input.customerRef).toBe('acme-0001');
    expect(input.customer.email).toMatch(/@example\.com$/);
    expect(input.funding).toMatchObject({ amount: '500.00000', currency: 'INR' });
  });
});

describe('inputFingerprint', () => {
  it('is the same for the same input however it is spelled (key order, amount format, omitted defaults)', () => {
    const reordered = Object.fromEntries(Object.entries(example).reverse());
    const amountAsString = { ...example, funding: { ...(example.funding as object), amount: '500.00' } };
    const defaultsOmitted = { ...example, kyc: undefined, monitoring: undefined };
    const fp = inputFingerprint(parse(example));
    expect(fp).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const variant of [reordered, amountAsString, defaultsOmitted]) expect(inputFingerprint(parse(variant))).toBe(fp);
  });

  it('differs when anything of substance differs', () => {
    const fp = inputFingerprint(parse(example));
    const more = { ...example, funding: { ...(example.funding as object), amount: 600 } };
    const otherEmail = { ...example, customer: { ...(example.customer as object), email: 'other@example.com' } };
    expect(inputFingerprint(parse(more))).not.toBe(fp);
    expect(inputFingerprint(parse(otherEmail))).not.toBe(fp);
  });

  it('leaves out the sealed password: sealing the same password again (a retried start) gives the same fingerprint', () => {
    const resealed = { ...example, customer: { ...(example.customer as object), password: sealSecret('Example-Passw0rd!', DEVELOPMENT_SEALING_KEY, 'customer.password') } };
    expect(resealed.customer.password).not.toBe((example.customer as { password: string }).password);
    expect(inputFingerprint(parse(resealed))).toBe(inputFingerprint(parse(example)));
  });

  it('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe('operator actions', () => {
  it('require a reason for revoke-kyc and offboard, a country for purchase-number', () => {
    expect(parseOperatorAction('revoke-kyc', {})).toMatchObject({ ok: false, problems: [{ field: 'reason' }] });
    expect(parseOperatorAction('offboard', { reason: '  ' })).toMatchObject({ ok: false, problems: [{ field: 'reason' }] });
    expect(parseOperatorAction('offboard', { reason: ' moved away ' })).toEqual({ ok: true, action: { name: 'offboard', args: { reason: 'moved away' } } });
    expect(parseOperatorAction('purchase-number', { country: 'india' })).toMatchObject({ ok: false, problems: [{ field: 'country' }] });
    expect(parseOperatorAction('purchase-number', { country: 'IN', search: '+9180' })).toEqual({
      ok: true,
      action: { name: 'purchase-number', args: { country: 'IN', search: '+9180' } },
    });
    expect(parseOperatorAction('resend-kyc', undefined)).toEqual({ ok: true, action: { name: 'resend-kyc' } });
  });
});

it('links to the workflow in the Web UI', () => {
  expect(webUiLink('http://localhost:8233/', 'default', 'customer-acme-0001', 'run-1')).toBe('http://localhost:8233/namespaces/default/workflows/customer-acme-0001/run-1/history');
});

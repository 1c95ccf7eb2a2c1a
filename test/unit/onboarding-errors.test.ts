// What people read when input is wrong or an action is refused: "field rule" for every input problem (never zod's
// own wording), and the failure type and message from inside the update → activity → application failure chain.
import { readFileSync } from 'node:fs';
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { loadCliConfig } from '../../src/config/cli.js';
import { parseCustomerRef, parseOnboardingRequest } from '../../src/onboarding/input.js';
import { parseOperatorAction } from '../../src/onboarding/operator-actions.js';
import { isVobizCountry } from '../../src/vobiz/countries.js';
import { describeRefusal } from '../../src/onboarding/refusals.js';

const example = JSON.parse(readFileSync(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const policy = loadCliConfig({}).onboarding;
const problemsOf = async (raw: unknown) => {
  const parsed = await parseOnboardingRequest(raw, policy);
  if (parsed.ok) throw new Error('expected problems');
  return parsed.problems;
};

describe('input problems read "field rule"', () => {
  it('a missing section is "is required", not zod\'s "expected object, received undefined"', async () => {
    const { telephony: _t, funding: _f, ...rest } = example;
    expect(await problemsOf(rest)).toEqual([
      { field: 'funding', rule: 'is required' },
      { field: 'telephony', rule: 'is required' },
    ]);
  });

  it('a value of the wrong type says which type it must be', async () => {
    const problems = await problemsOf({ ...example, funding: 'lots', kyc: { maxAttempts: 'three' }, customer: { ...(example.customer as object), password: 12345678 } });
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'funding', rule: 'must be an object' },
        { field: 'kyc.maxAttempts', rule: 'must be a number' },
        { field: 'customer.password', rule: 'must be a string' },
      ]),
    );
    for (const p of problems) expect(p.rule).not.toMatch(/Invalid input|received/);
  });

  it('the whole body missing or not an object names the input', async () => {
    expect(await problemsOf(undefined)).toEqual([{ field: '(input)', rule: 'is required' }]);
    expect(await problemsOf([1])).toEqual([{ field: '(input)', rule: 'must be an object' }]);
  });

  it('keeps the schema\'s own rules', async () => {
    expect(await problemsOf({ ...example, customer: { ...(example.customer as object), country: 'India' } })).toEqual([
      { field: 'customer.country', rule: 'must be an ISO 3166-1 alpha-2 code, e.g. IN' },
    ]);
    const ref = parseCustomerRef('9876543210');
    expect(ref.ok ? [] : ref.problems).toEqual([{ field: 'customerRef', rule: 'must not be a phone number (it becomes the workflow ID)' }]);
  });

  it('a country Vobiz does not accept is refused at the edge, by field: onboarding, retry corrections and buy-number alike', async () => {
    expect(await problemsOf({ ...example, customer: { ...(example.customer as object), country: 'ZZ' } })).toEqual([
      { field: 'customer.country', rule: 'must be an ISO 3166-1 alpha-2 country code (upper case), e.g. IN' },
    ]);
    const retry = parseOperatorAction('retry', { customer: { country: 'ZZ' } });
    expect(retry.ok ? [] : retry.problems).toEqual([{ field: 'customer.country', rule: 'must be an ISO 3166-1 alpha-2 country code (upper case), e.g. IN' }]);
    expect(parseOperatorAction('retry', { customer: { country: 'NP' } }).ok).toBe(true);
    expect(await parseOnboardingRequest({ ...example, customer: { ...(example.customer as object), country: 'KE' } }, policy)).toMatchObject({ ok: true });
  });

  it('buy-number: a code that names no country is an invalid field, not "no number available"', () => {
    expect(isVobizCountry('IN')).toBe(true);
    expect(isVobizCountry('XX')).toBe(false);
    expect(isVobizCountry('ZZ')).toBe(false);
    expect(isVobizCountry('in')).toBe(false);
    expect(isVobizCountry('IND')).toBe(false);
    const xx = parseOperatorAction('purchase-number', { country: 'XX' });
    expect(xx.ok ? [] : xx.problems).toEqual([{ field: 'country', rule: 'must be an ISO 3166-1 alpha-2 country code (upper case), e.g. IN' }]);
    const lower = parseOperatorAction('purchase-number', { country: 'in' });
    expect(lower.ok ? [] : lower.problems).toEqual([{ field: 'country', rule: 'must be an ISO 3166-1 alpha-2 code, e.g. IN' }]);
    const missing = parseOperatorAction('purchase-number', {});
    expect(missing.ok ? [] : missing.problems).toEqual([{ field: 'country', rule: 'is required' }]);
    expect(parseOperatorAction('purchase-number', { country: 'NP' }).ok).toBe(true);
  });

  it('hand-over-account names the previous owner (a customerRef, or null) and a reason; anything else is refused by field', () => {
    expect(parseOperatorAction('hand-over-account', { from: 'acme-0001', reason: 'returning customer' })).toEqual({
      ok: true,
      action: { name: 'hand-over-account', args: { from: 'acme-0001', reason: 'returning customer' } },
    });
    expect(parseOperatorAction('hand-over-account', { from: null, reason: 'signed up directly' }).ok).toBe(true);
    const missing = parseOperatorAction('hand-over-account', { reason: 'x' });
    expect(missing.ok ? [] : missing.problems.map((p) => p.field)).toEqual(['from']);
    const bad = parseOperatorAction('hand-over-account', { from: 'not a ref!', reason: '' });
    expect(bad.ok ? [] : bad.problems.map((p) => p.field).sort()).toEqual(['from', 'reason']);
  });
});

describe('refusals unwrap the cause chain', () => {
  const activity = (cause: Error) => new ActivityFailure('Activity task failed', 'resendKycEmail', '1', RetryState.NON_RETRYABLE_FAILURE, undefined, cause);

  it('KycResendCooldown inside ActivityFailure → try_later with the seconds to wait', () => {
    const cause = ApplicationFailure.create({
      type: 'KycResendCooldown',
      message: 'Vobiz sends at most one KYC e-mail per 30 minutes; try again in 1791 seconds',
      nonRetryable: true,
    });
    expect(describeRefusal(activity(cause))).toEqual({
      kind: 'try_later',
      type: 'KycResendCooldown',
      message: 'Vobiz sends at most one KYC e-mail per 30 minutes; try again in 1791 seconds',
      retryAfterSeconds: 1791,
    });
  });

  it('a validator\'s plain Error → not_allowed', () => {
    const validator = ApplicationFailure.create({ type: 'Error', message: 'restartKyc is allowed only in kyc_failed, kyc_expired, kyc_revoked; the stage is kyc' });
    expect(describeRefusal(validator)).toMatchObject({ kind: 'not_allowed', type: 'NotAllowed', message: expect.stringContaining('the stage is kyc') as string });
  });

  it('a typed refusal from the handler or from Vobiz → refused with its type', () => {
    const direct = ApplicationFailure.create({ type: 'NoNumberAvailable', message: 'No number available in inventory for country NP', nonRetryable: true });
    expect(describeRefusal(direct)).toMatchObject({ kind: 'refused', type: 'NoNumberAvailable' });
    const wallet = ApplicationFailure.create({ type: 'VobizInsufficientBalance', message: 'wallet too low', nonRetryable: true });
    expect(describeRefusal(activity(wallet))).toMatchObject({ kind: 'refused', type: 'VobizInsufficientBalance', message: 'wallet too low' });
  });

  it('Vobiz unreachable or a timeout → failed (retry later), never "not allowed"', () => {
    const down = ApplicationFailure.create({ type: 'VobizUnreachable', message: 'connect ECONNREFUSED', nonRetryable: true });
    expect(describeRefusal(activity(down))).toMatchObject({ kind: 'failed', type: 'VobizUnreachable' });
    expect(describeRefusal(activity(new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE)))).toMatchObject({ kind: 'failed', type: 'TimeoutFailure' });
  });
});

// What every failure means, end to end: the Temporal failure an activity raises for each Vobiz answer or error
// (its type and whether Temporal retries it), what a step failing with it means for the customer (the workflow's
// failure policy), and how an operator action failing with it is reported. Running customers' histories hold these
// failures, so the meaning of each is part of the replay contract.
import {
  ActivityFailure,
  ApplicationFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { accountGoneOr, ambiguousWrite, toFailure } from '../../src/activities/failures.js';
import { FAILURE_TYPES, answerType, isFailureType, type FailureType } from '../../src/failures/vocabulary.js';
import { describeRefusal } from '../../src/onboarding/refusals.js';
import {
  VobizNetworkError,
  VobizRequestError,
  VobizResponseError,
  VobizTimeoutError,
  parseApiError,
} from '../../src/vobiz/index.js';
import { classifyFailure } from '../../src/workflows/failure-policy.js';

const ctx = { method: 'POST', path: '/api/v1/accounts' };
const answer = (status: number, body: unknown = '') =>
  parseApiError(ctx, { status, headers: status === 429 ? { 'retry-after': '12' } : {}, bodyText: typeof body === 'string' ? body : JSON.stringify(body) });

const inActivity = (cause: Error) => new ActivityFailure('Activity task failed', 'createCustomerAccount', '1', RetryState.NON_RETRYABLE_FAILURE, undefined, cause);
const failure = (type: string, details?: unknown[], nonRetryable = true) => ApplicationFailure.create({ type, message: `${type} happened`, nonRetryable, ...(details ? { details } : {}) });
const kindOf = (cause: Error) => classifyFailure(inActivity(cause)).kind;

function* sourceFiles(dir: URL): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) yield* sourceFiles(new URL(`${entry.name}/`, dir));
    else if (entry.name.endsWith('.ts')) yield fileURLToPath(new URL(entry.name, dir));
  }
}

/** Every answer Vobiz can give, through the activities' `toFailure`, then through the workflow and the operator's report. */
const ANSWERS: [string, () => unknown, { type: string; retried: boolean; kind: string; report: string }][] = [
  ['400', () => answer(400), { type: 'VobizBadRequest', retried: false, kind: 'customer_data', report: 'refused' }],
  ['401', () => answer(401), { type: 'VobizUnauthorized', retried: false, kind: 'credentials', report: 'failed' }],
  ['402', () => answer(402), { type: 'VobizInsufficientBalance', retried: false, kind: 'customer_data', report: 'refused' }],
  ['403', () => answer(403), { type: 'VobizForbidden', retried: false, kind: 'credentials', report: 'refused' }],
  ['404', () => answer(404), { type: 'VobizNotFound', retried: false, kind: 'customer_data', report: 'refused' }],
  ['409', () => answer(409), { type: 'VobizConflict', retried: false, kind: 'customer_data', report: 'refused' }],
  ['422', () => answer(422), { type: 'VobizValidationError', retried: false, kind: 'customer_data', report: 'refused' }],
  ['429', () => answer(429), { type: 'VobizRateLimited', retried: true, kind: 'vobiz_unavailable', report: 'try_later' }],
  ['500', () => answer(500), { type: 'VobizServerError', retried: true, kind: 'vobiz_unavailable', report: 'failed' }],
  ['502 from a proxy', () => answer(502, '<html>Bad gateway</html>'), { type: 'VobizServerError', retried: true, kind: 'vobiz_unavailable', report: 'failed' }],
  ['503', () => answer(503), { type: 'VobizServerError', retried: true, kind: 'vobiz_unavailable', report: 'failed' }],
  ['400 insufficient_balance', () => answer(400, { error: 'insufficient_balance', current_balance: 1 }), { type: 'VobizInsufficientBalance', retried: false, kind: 'customer_data', report: 'refused' }],
  ['400 invalid_token', () => answer(400, { error: 'invalid_token' }), { type: 'VobizUnauthorized', retried: false, kind: 'credentials', report: 'failed' }],
  ['409 sentence', () => answer(409, { error: 'Username already exists', code: 409 }), { type: 'VobizConflict', retried: false, kind: 'customer_data', report: 'refused' }],
  ['422 ValidationError', () => answer(422, { error: 'ValidationError', details: [{ loc: ['body', 'email'], msg: 'bad' }] }), { type: 'VobizValidationError', retried: false, kind: 'customer_data', report: 'refused' }],
  ['500 internal_server_error', () => answer(500, { error: 'internal_server_error' }), { type: 'VobizServerError', retried: true, kind: 'vobiz_unavailable', report: 'failed' }],
  ['a request the client refused to send', () => new VobizRequestError(ctx, [{ field: 'email', rule: 'must be an e-mail address' }]), { type: 'VobizRequestInvalid', retried: false, kind: 'customer_data', report: 'refused' }],
  ['a response that broke the contract', () => new VobizResponseError(ctx, 200, [{ path: 'auth_id', code: 'invalid_type', expected: 'string' }]), { type: 'VobizContractBroken', retried: false, kind: 'unexpected', report: 'failed' }],
  ['connection refused', () => new VobizNetworkError('connect ECONNREFUSED', ctx, { mayHaveCommitted: false, errorCode: 'ECONNREFUSED' }), { type: 'VobizUnreachable', retried: true, kind: 'vobiz_unavailable', report: 'failed' }],
  ['a timeout', () => new VobizTimeoutError('headers timeout', ctx, { phase: 'headers', mayHaveCommitted: true }), { type: 'VobizUnreachable', retried: true, kind: 'vobiz_unavailable', report: 'failed' }],
];

describe('a Vobiz answer → the activity failure → its meaning', () => {
  it.each(ANSWERS)('%s', (_name, make, expected) => {
    const raised = toFailure(make());
    expect(raised).toBeInstanceOf(ApplicationFailure);
    const f = raised as ApplicationFailure;
    expect({ type: f.type, retried: !f.nonRetryable, kind: kindOf(f), report: describeRefusal(inActivity(f)).kind }).toEqual(expected);
  });

  it('an API answer carries its status and code in the details (the workflow and people read them)', () => {
    expect((toFailure(answer(404)) as ApplicationFailure).details).toEqual([{ status: 404, code: 'not_found', fieldErrors: [] }]);
    expect((toFailure(new VobizRequestError(ctx, [{ field: 'email', rule: 'bad' }])) as ApplicationFailure).details).toEqual([{ fieldErrors: [{ field: 'email', rule: 'bad' }] }]);
  });

  it('a 429 retries after the wait Vobiz asked for', () => {
    expect((toFailure(answer(429)) as ApplicationFailure).nextRetryDelay).toBe(12_000);
  });

  it('anything that is not a Vobiz error passes through untouched', () => {
    const bug = new TypeError('x is undefined');
    expect(toFailure(bug)).toBe(bug);
    const own = failure('EmailInUse');
    expect(toFailure(own)).toBe(own);
  });
});

/**
 * Answers whose status or code has no name of its own are named by what they mean: the vocabulary's type for their
 * status (a code Vobiz invents stays in the details and the message). Their kind and retry are the status's.
 */
const UNNAMED_ANSWERS: [string, () => unknown, { type: string; retried: boolean; kind: string; report: string }][] = [
  ['408', () => answer(408), { type: 'VobizServerError', retried: true, kind: 'vobiz_unavailable', report: 'failed' }],
  ['410', () => answer(410), { type: 'VobizBadRequest', retried: false, kind: 'customer_data', report: 'refused' }],
  ['302', () => answer(302), { type: 'VobizContractBroken', retried: false, kind: 'unexpected', report: 'failed' }],
  ['400 did_cool_off_in_effect', () => answer(400, { error: 'did_cool_off_in_effect' }), { type: 'VobizBadRequest', retried: false, kind: 'customer_data', report: 'refused' }],
  ['401 token_revoked', () => answer(401, { error: 'token_revoked' }), { type: 'VobizUnauthorized', retried: false, kind: 'credentials', report: 'failed' }],
  ['503 database_locked', () => answer(503, { error: 'database_locked' }), { type: 'VobizServerError', retried: true, kind: 'vobiz_unavailable', report: 'failed' }],
];

describe('a Vobiz answer with no name of its own', () => {
  it.each(UNNAMED_ANSWERS)('%s', (_name, make, expected) => {
    const f = toFailure(make()) as ApplicationFailure;
    expect({ type: f.type, retried: !f.nonRetryable, kind: kindOf(f), report: describeRefusal(inActivity(f)).kind }).toEqual(expected);
  });

  it('keeps Vobiz\'s own code in the details and the message', () => {
    const f = toFailure(answer(400, { error: 'did_cool_off_in_effect', message: 'number in cool-off' })) as ApplicationFailure;
    expect(f.details).toEqual([{ status: 400, code: 'did_cool_off_in_effect', fieldErrors: [] }]);
    expect(f.message).toContain('did_cool_off_in_effect');
  });

  it.each([
    // A code that names refused credentials wins over any status; one that names Vobiz unavailable over a 4xx; a
    // customer-data code counts for a 4xx only.
    [403, 'unauthorized', 'VobizUnauthorized'],
    [500, 'unauthorized', 'VobizUnauthorized'],
    [401, 'forbidden', 'VobizForbidden'],
    [401, 'server_error', 'VobizUnauthorized'],
    [400, 'rate_limited', 'VobizRateLimited'],
    [400, 'server_error', 'VobizServerError'],
    [503, 'insufficient_balance', 'VobizServerError'],
    [404, 'conflict', 'VobizConflict'],
    [302, 'not_found', 'VobizContractBroken'],
    [404, 'constructor', 'VobizNotFound'],
  ] as const)('%i with code %s → %s', (status, code, type) => {
    expect(answerType(status, code)).toBe(type);
  });
});

describe('an effect whose write may have landed waits the settle delay', () => {
  it.each<[string, () => Error, string, unknown[]]>([
    ['a 5xx', () => answer(503), 'VobizServerError', [{ status: 503, code: 'server_error' }]],
    ['no answer after the request was sent', () => new VobizNetworkError('socket closed', ctx, { mayHaveCommitted: true }), 'VobizUnreachable', []],
    ['a timeout after the request was sent', () => new VobizTimeoutError('body timeout', ctx, { phase: 'body', mayHaveCommitted: true }), 'VobizUnreachable', []],
  ])('%s → %s, retried after the delay', (_name, make, type, details) => {
    const f = ambiguousWrite(make(), 45_000) as ApplicationFailure;
    expect({ type: f.type, nonRetryable: f.nonRetryable, nextRetryDelay: Number(f.nextRetryDelay), details: f.details }).toEqual({ type, nonRetryable: false, nextRetryDelay: 45_000, details });
    expect(kindOf(f)).toBe('vobiz_unavailable');
  });

  it("a 404 on the account's own read is VobizAccountGone; any other error passes", () => {
    const gone = accountGoneOr(answer(404), 'MA_GONE0001') as ApplicationFailure;
    expect({ type: gone.type, nonRetryable: gone.nonRetryable, details: gone.details }).toEqual({
      type: 'VobizAccountGone',
      nonRetryable: true,
      details: [{ status: 404, code: 'not_found', authId: 'MA_GONE0001' }],
    });
    expect(gone.message).toContain('MA_GONE0001 does not exist');
    const down = answer(503);
    expect(accountGoneOr(down, 'MA_GONE0001')).toBe(down);
  });

  it('a write that cannot have landed is left to toFailure', () => {
    for (const err of [answer(404), answer(429), new VobizNetworkError('connect ECONNREFUSED', ctx, { mayHaveCommitted: false })]) {
      expect(ambiguousWrite(err, 45_000)).toBe(err);
    }
  });
});

/**
 * The failures the activities raise themselves, with the details they carry, and what each means. The workflow's
 * own failures (NoNumberAvailable, NotAllowed, InvariantViolation) reach operators only.
 */
const RAISED: [string, unknown[] | undefined, boolean, string, string][] = [
  // type, details, retried, kind, report
  ['EmailInUse', [{ ownerCustomerRef: 'acme-0001' }], false, 'customer_data', 'refused'],
  ['VobizAccountGone', [{ status: 404, code: 'not_found', authId: 'MA_GONE0001' }], false, 'customer_data', 'refused'],
  ['TransferMismatch', undefined, false, 'customer_data', 'refused'],
  ['OpeningBalanceOverCap', [{ amount: '60000', cap: '50000', currency: 'INR' }], false, 'customer_data', 'refused'],
  ['PartnerBalanceInsufficient', [{ status: 400, code: 'insufficient_balance' }], false, 'partner_balance', 'refused'],
  ['VobizLedgerLagging', undefined, true, 'unexpected', 'refused'],
  ['PasswordNotSealed', undefined, false, 'unexpected', 'refused'],
  ['SealedPasswordUnreadable', undefined, false, 'unexpected', 'refused'],
  ['HandOverRefused', undefined, false, 'unexpected', 'refused'],
  ['KycResendCooldown', [{ status: 429, retryAfterSeconds: 1791 }], false, 'vobiz_unavailable', 'try_later'],
  ['NumberPurchaseFailed', undefined, false, 'unexpected', 'refused'],
  ['AlertWebhookRefused', undefined, false, 'unexpected', 'refused'],
  ['NoCustomerAccount', undefined, false, 'unexpected', 'refused'],
  ['NoNumberAvailable', undefined, false, 'unexpected', 'refused'],
  ['NotAllowed', undefined, false, 'unexpected', 'refused'],
  ['InvariantViolation', undefined, false, 'unexpected', 'failed'],
  ['InvalidInput', undefined, false, 'unexpected', 'refused'],
  ['LifecycleFailed', undefined, false, 'unexpected', 'refused'],
  ['KycEventDuplicate', undefined, false, 'unexpected', 'refused'],
  ['KycEventOtherAccount', undefined, false, 'unexpected', 'refused'],
  ['KycEventNotWaiting', undefined, false, 'unexpected', 'refused'],
  ['KycEventInvalid', undefined, false, 'unexpected', 'refused'],
];

describe('failures the activities and the workflow raise themselves', () => {
  it.each(RAISED)('%s', (type, details, retried, kind, report) => {
    expect({ kind: kindOf(failure(type, details, !retried)), report: describeRefusal(inActivity(failure(type, details, !retried))).kind }).toEqual({ kind, report });
  });

  it('EmailInUse names the owner of the e-mail', () => {
    expect(classifyFailure(inActivity(failure('EmailInUse', [{ ownerCustomerRef: 'acme-0001', authId: 'MA_OWNER001' }])))).toEqual({
      kind: 'customer_data',
      type: 'EmailInUse',
      message: 'EmailInUse happened',
      owner: { customerRef: 'acme-0001', authId: 'MA_OWNER001' },
    });
  });
});

describe('the vocabulary', () => {
  it('is what the tables above cover: every type in it, each meaning there what it means here', () => {
    const covered = new Map<string, { kind: string; retried: boolean; report: string }>();
    for (const [, make, { type, retried, kind, report }] of [...ANSWERS, ...UNNAMED_ANSWERS]) {
      expect(type).toBe((toFailure(make()) as ApplicationFailure).type);
      covered.set(type, { kind, retried, report });
    }
    for (const [type, , retried, kind, report] of RAISED) covered.set(type, { kind, retried, report });
    expect([...covered.keys()].sort()).toEqual(Object.keys(FAILURE_TYPES).sort());
    for (const [type, meaning] of covered) expect({ type, ...meaning }).toEqual({ type, ...FAILURE_TYPES[type as FailureType] });
  });

  it('names every failure src/ raises', () => {
    const raised = new Set<string>();
    const patterns = [/ApplicationFailure\.create\(\{\s*type:\s*'(\w+)'/g, /ApplicationFailure\.nonRetryable\([^;]*?,\s*'(\w+)'\)/g, /\bfailure\(\s*'(\w+)'/g];
    for (const file of sourceFiles(new URL('../../src/', import.meta.url))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns) for (const match of text.matchAll(pattern)) raised.add(match[1]!);
    }
    expect(raised.size).toBeGreaterThan(10);
    expect([...raised].filter((type) => !isFailureType(type))).toEqual([]);
  });
});

describe('types outside the vocabulary mean what their status means (running customers\' histories hold some)', () => {
  it.each([
    // Named after Vobiz's own code, with the status in the details.
    ['VobizHttp_408', [{ status: 408, code: 'http_408' }], 'vobiz_unavailable'],
    ['VobizHttp_410', [{ status: 410, code: 'http_410' }], 'customer_data'],
    ['VobizHttp_302', [{ status: 302, code: 'http_302' }], 'unexpected'],
    ['VobizDidCoolOffInEffect', [{ status: 400, code: 'did_cool_off_in_effect' }], 'customer_data'],
    ['VobizTokenRevoked', [{ status: 401, code: 'token_revoked' }], 'credentials'],
    ['VobizAccessRestricted', [{ status: 403, code: 'access_restricted' }], 'credentials'],
    ['VobizDatabaseLocked', [{ status: 503, code: 'database_locked' }], 'vobiz_unavailable'],
    ['VobizSlowDown', [{ status: 429, code: 'slow_down' }], 'vobiz_unavailable'],
    // A type nobody here raises (a bug in an activity).
    ['TypeError', undefined, 'unexpected'],
    ['Error', undefined, 'unexpected'],
  ])('%s %j → %s', (type, details, kind) => {
    expect(classifyFailure(inActivity(failure(type, details)))).toMatchObject({ kind, type, message: `${type} happened` });
  });

  it('a timeout (the worker died or hung past every attempt) is Vobiz or our worker away', () => {
    const timeout = new TimeoutFailure('activity StartToClose timeout', undefined, TimeoutType.START_TO_CLOSE);
    expect(classifyFailure(inActivity(timeout))).toEqual({ kind: 'vobiz_unavailable', type: 'TimeoutFailure', message: 'activity StartToClose timeout' });
  });
});

describe('how an operator action that failed is reported', () => {
  it('a validator refusing (a plain Error, not wrapped) is not allowed', () => {
    expect(describeRefusal(failure('Error'))).toMatchObject({ kind: 'not_allowed', type: 'NotAllowed' });
    expect(describeRefusal(failure('TypeError'))).toMatchObject({ kind: 'not_allowed', type: 'NotAllowed' });
  });

  it('a bug inside an activity, and a type nobody raises, are refused with their type', () => {
    expect(describeRefusal(inActivity(failure('TypeError')))).toMatchObject({ kind: 'refused', type: 'TypeError' });
    expect(describeRefusal(inActivity(failure('VobizDidCoolOffInEffect')))).toMatchObject({ kind: 'refused', type: 'VobizDidCoolOffInEffect' });
  });

  it('a Temporal failure (a timeout) could not be carried out', () => {
    expect(describeRefusal(inActivity(new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE)))).toMatchObject({ kind: 'failed', type: 'TimeoutFailure' });
  });
});

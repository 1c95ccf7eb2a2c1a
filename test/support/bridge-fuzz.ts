/**
 * The bridge fuzzer, shared by the property tests (test/integration/bridge-fuzz.test.ts) and the long run
 * (`npm run fuzz:bridge`, bench/fuzz-bridge.ts): fast-check arbitraries for KYC webhook deliveries and start-API
 * bodies, each carrying what the bridge must do with it, and the checks that compare the bridge's answers and the
 * signals the fixture workflows received against those expectations.
 *
 * The oracle is the generator, not the bridge's own code: a delivery is "justified" only when it was built from a
 * genuine event, signed with a configured secret over the exact bytes sent, with a fresh event time, for a running
 * workflow. Its event is taken in by the workflow exactly once, however often it is delivered (the kycEvent Update,
 * deduplicated by event key). One naming another account reaches the workflow, which refuses it (the bridge does not
 * look the workflow up). Everything else (forged, re-signed with another key, truncated, oversized, stale, unknown
 * events, hostile headers) must be answered 4xx and deliver nothing.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { kycEventKey } from '../../src/bridge/kyc-webhook.js';
import { KYC_EVENTS, type KycEventSignal } from '../../src/workflows/messages.js';
import { DEFAULT_MAX_OPENING_BALANCE } from '../../src/config/onboarding-limits.js';
import type { OnboardingRequest } from '../../src/workflows/input.js';

export const KYC_WEBHOOK_PATH = '/webhooks/vobiz/kyc';

/** A running fixture workflow a delivery can aim at. */
export interface FuzzTarget {
  customerRef: string;
  workflowId: string;
  authId: string;
}

interface FuzzSecrets {
  /** Secrets the bridge accepts (BRIDGE_WEBHOOK_SECRETS). */
  accepted: readonly string[];
  /** The bridge's body limit (BRIDGE_MAX_BODY_BYTES). */
  maxBodyBytes: number;
}

/**
 * - signal: 200 `{ok:true}` (delivered) or `{ok:true, ignored:"duplicate"}` (taken in before), and the workflow takes
 *   the event in (`workflowId`, `eventKey`, `accountAuthId`) exactly once over the whole run;
 * - refused: an event the workflow must refuse (another account's): 200 `ignored` (`other_account`, or `duplicate`
 *   when its key was taken in already), and nothing taken in with its account;
 * - ignored: 200 with `ignored`, nothing delivered;
 * - reject: 4xx, nothing delivered;
 * - either: 4xx and nothing delivered, or 200 and at most one event taken in for `sessionId` (bodies whose bytes a
 *   reasonable parser may read either way, e.g. Latin-1 text in a JSON string).
 * Any of them may also be answered 429 (the customer's rate limit) or 503 (Temporal too slow): Vobiz retries, and an
 * Update sent before a 503 may still have landed.
 */
export type Expectation =
  | { kind: 'signal'; workflowId: string; sessionId: string; eventKey: string; event: string; accountAuthId?: string }
  | { kind: 'refused'; workflowId: string; eventKey: string; accountAuthId: string }
  | { kind: 'ignored' }
  | { kind: 'reject' }
  | { kind: 'either'; workflowId: string; sessionId: string };

export interface Delivery {
  label: string;
  body: Buffer;
  headers: Record<string, string | string[]>;
  expect: Expectation;
}

export interface Answer {
  status: number;
  body: unknown;
}

const sign = (body: Buffer | string, secret: string, format: SignatureFormat = 'prefixed-hex') => {
  const digest = createHmac('sha256', secret).update(body).digest();
  switch (format) {
    case 'prefixed-hex':
      return `sha256=${digest.toString('hex')}`;
    case 'upper-hex':
      return `SHA256=${digest.toString('hex').toUpperCase()}`;
    case 'bare-hex':
      return digest.toString('hex');
    case 'base64':
      return digest.toString('base64');
    case 'prefixed-base64':
      return `sha256=${digest.toString('base64')}`;
  }
};
type SignatureFormat = 'prefixed-hex' | 'upper-hex' | 'bare-hex' | 'base64' | 'prefixed-base64';
const signatureFormat = fc.constantFrom<SignatureFormat>('prefixed-hex', 'upper-hex', 'bare-hex', 'base64', 'prefixed-base64');

const RELEVANT_STATUS: Record<(typeof KYC_EVENTS)[number], string> = {
  'kyc.completed': 'kyc_completed',
  'kyc.failed': 'failed',
  'kyc.session_revoked': 'revoked',
  'kyc.session_expired': 'expired',
};

const HOUR_MS = 3_600_000;
/**
 * A fresh event time: up to 23 hours old or 4 minutes ahead (the bridge accepts 24 hours and 5 minutes), as an
 * offset drawn now and applied when the delivery is built, so a long run's deliveries stay fresh.
 */
const freshOffsetMs = fc.integer({ min: -23 * HOUR_MS, max: 4 * 60_000 });
/** A stale one: more than 25 hours old (up to years), or more than 10 minutes ahead. */
const staleOffsetMs = fc.oneof(fc.integer({ min: -3 * 365 * 24 * HOUR_MS, max: -25 * HOUR_MS }), fc.integer({ min: 10 * 60_000, max: 365 * 24 * HOUR_MS }));
const isoTimeAt = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const sessionId = fc.uuid();
/** Personal data Vobiz sends and the bridge must drop: varied, including non-ASCII names. */
const personal = fc.record({
  customer_email: fc.emailAddress(),
  kyc_type: fc.constantFrom('individual', 'company'),
  verified_data: fc.record({ pan_number: fc.constant('ABCPE1234F'), aadhaar_name: fc.constantFrom('Asha Tester', 'आशा परीक्षक', 'Zoë Ñúñez', '测试') }),
});

interface GenuineEvent {
  payload: Record<string, unknown>;
  target: FuzzTarget;
  event: (typeof KYC_EVENTS)[number];
  sessionId: string;
  status?: string;
  occurredAt?: string;
}

/** A genuine relevant event, as Vobiz would send it: either documented shape, optional extra fields, any key order. */
function genuineEvent(targets: readonly FuzzTarget[], offsetMs: fc.Arbitrary<number> = freshOffsetMs): fc.Arbitrary<GenuineEvent> {
  return fc
    .record({
      target: fc.constantFrom(...targets),
      event: fc.constantFrom(...KYC_EVENTS),
      sessionId,
      time: offsetMs.map(isoTimeAt),
      shape: fc.constantFrom('status', 'session_status', 'both'),
      timeField: fc.constantFrom('timestamp', 'updated_at', 'both'),
      personal,
      extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !KNOWN_FIELDS.has(k)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      reverseKeys: fc.boolean(),
    })
    .map(({ target, event, sessionId, time, shape, timeField, personal, extra, reverseKeys }) => {
      const status = RELEVANT_STATUS[event];
      const entries: [string, unknown][] = [
        ...Object.entries(extra),
        ['event', event],
        ['session_id', sessionId],
        ['account_auth_id', target.authId],
        ...(shape !== 'session_status' ? [['status', status] as [string, unknown]] : []),
        ...(shape !== 'status' ? [['session_status', status] as [string, unknown]] : []),
        ...(timeField !== 'updated_at' ? [['timestamp', time] as [string, unknown]] : []),
        ...(timeField !== 'timestamp' ? [['updated_at', time] as [string, unknown]] : []),
        ['metadata', { workflowId: target.workflowId, attempt: 1 }],
        ...Object.entries(personal),
      ];
      const payload = Object.fromEntries(reverseKeys ? entries.reverse() : entries);
      return { payload, target, event, sessionId, status, occurredAt: time };
    });
}

const KNOWN_FIELDS = new Set(['event', 'session_id', 'account_auth_id', 'status', 'session_status', 'timestamp', 'updated_at', 'metadata', '__proto__', 'constructor']);

const jsonHeaders = (signature: string | string[], contentType = 'application/json'): Record<string, string | string[]> => ({
  'content-type': contentType,
  'x-vobiz-signature': signature,
});

function justified(e: GenuineEvent, accountAuthId = e.target.authId): Expectation {
  return {
    kind: 'signal',
    workflowId: e.target.workflowId,
    sessionId: e.sessionId,
    event: e.event,
    accountAuthId,
    eventKey: kycEventKey({ event: e.event, sessionId: e.sessionId, ...(e.status ? { status: e.status } : {}), ...(e.occurredAt ? { occurredAt: e.occurredAt } : {}) }),
  };
}

/**
 * One delivery of every kind the issue lists. `targets` are running workflows; `ghost` is a customer with no
 * workflow (its deliveries are acknowledged and ignored).
 */
function deliveryArbitrary(targets: readonly FuzzTarget[], ghost: FuzzTarget, secrets: FuzzSecrets): fc.Arbitrary<Delivery> {
  const secret = fc.constantFrom(...secrets.accepted);
  const otherKey = fc.string({ minLength: 1, maxLength: 40 }).filter((k) => !secrets.accepted.includes(k));
  const event = genuineEvent(targets);
  const serialise = (p: unknown, indent: number) => Buffer.from(JSON.stringify(p, null, indent), 'utf8');
  const indent = fc.constantFrom(0, 0, 2);

  const valid = fc.record({ e: event, secret, format: signatureFormat, indent, charset: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON ; charset=UTF-8') }).map(
    ({ e, secret, format, indent, charset }): Delivery => {
      const body = serialise(e.payload, indent);
      return { label: 'valid', body, headers: jsonHeaders(sign(body, secret, format), charset), expect: justified(e) };
    },
  );
  const forged = fc.record({ e: event, digest: fc.uint8Array({ minLength: 32, maxLength: 32 }), format: fc.constantFrom('hex', 'base64') }).map(
    ({ e, digest, format }): Delivery => {
      const body = serialise(e.payload, 0);
      const fake = Buffer.from(digest).toString(format);
      return { label: 'forged', body, headers: jsonHeaders(format === 'hex' ? `sha256=${fake}` : fake), expect: { kind: 'reject' } };
    },
  );
  const resigned = fc.record({ e: event, key: otherKey, format: signatureFormat }).map(({ e, key, format }): Delivery => {
    const body = serialise(e.payload, 0);
    return { label: 're-signed with another key', body, headers: jsonHeaders(sign(body, key, format)), expect: { kind: 'reject' } };
  });
  const truncated = fc.record({ e: event, secret, cut: fc.double({ min: 0, max: 0.999, noNaN: true }), resign: fc.boolean() }).map(
    ({ e, secret, cut, resign }): Delivery => {
      const full = serialise(e.payload, 0);
      const body = full.subarray(0, Math.floor(full.length * cut));
      // Signed over the whole body (the signature no longer matches) or re-signed over the stump (not JSON).
      return { label: 'truncated', body, headers: jsonHeaders(sign(resign ? body : full, secret)), expect: { kind: 'reject' } };
    },
  );
  const oversized = fc.record({ e: event, secret, extra: fc.integer({ min: 1, max: 4096 }) }).map(({ e, secret, extra }): Delivery => {
    const padded = { ...e.payload, padding: 'x'.repeat(secrets.maxBodyBytes + extra) };
    const body = serialise(padded, 0);
    return { label: 'oversized', body, headers: jsonHeaders(sign(body, secret)), expect: { kind: 'reject' } };
  });
  const tampered = fc.record({ e: event, secret, other: fc.constantFrom(...targets, ghost) }).map(({ e, secret, other }): Delivery => {
    const original = serialise(e.payload, 0);
    const body = serialise({ ...e.payload, account_auth_id: other.authId, metadata: { workflowId: other.workflowId } }, 0);
    return { label: 'tampered after signing', body, headers: jsonHeaders(sign(original, secret)), expect: original.equals(body) ? justified(e) : { kind: 'reject' } };
  });
  const wrongAccount = fc.record({ e: event, secret, authId: fc.stringMatching(/^MA_[A-Z0-9]{8}$/) }).map(({ e, secret, authId }): Delivery => {
    const body = serialise({ ...e.payload, account_auth_id: authId }, 0);
    // Passed on as it is: the workflow, not the bridge, refuses an event naming another account.
    const { eventKey, workflowId } = justified(e) as Extract<Expectation, { kind: 'signal' }>;
    const expectation: Expectation = authId === e.target.authId ? justified(e) : { kind: 'refused', workflowId, eventKey, accountAuthId: authId };
    return { label: 'account does not own the workflow', body, headers: jsonHeaders(sign(body, secret)), expect: expectation };
  });
  const stale = fc.record({ e: genuineEvent(targets, staleOffsetMs), secret }).map(({ e, secret }): Delivery => {
    const body = serialise(e.payload, 0);
    return { label: 'stale event time', body, headers: jsonHeaders(sign(body, secret)), expect: { kind: 'reject' } };
  });
  const foreignWorkflow = fc.record({ e: event, secret, workflowId: fc.oneof(fc.string({ maxLength: 120 }), fc.constantFrom('customer-', 'customer-../x', 'billing-7', 'customer-a b', 'customer-' + 'a'.repeat(70))) }).map(
    ({ e, secret, workflowId }): Delivery => {
      const body = serialise({ ...e.payload, metadata: { workflowId } }, 0);
      const same = workflowId === e.target.workflowId;
      return { label: 'metadata names another workflow', body, headers: jsonHeaders(sign(body, secret)), expect: same ? justified(e) : { kind: 'reject' } };
    },
  );
  const ghostWorkflow = fc.record({ e: event, secret }).map(({ e, secret }): Delivery => {
    const body = serialise({ ...e.payload, account_auth_id: ghost.authId, metadata: { workflowId: ghost.workflowId } }, 0);
    return { label: 'workflow not running', body, headers: jsonHeaders(sign(body, secret)), expect: { kind: 'ignored' } };
  });
  const knownEvents = new Set<string>([...KYC_EVENTS, 'kyc.initiated', 'kyc.submitted']);
  const unknownName = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('kyc.exploded', 'KYC.COMPLETED', 'kyc.completed ', 'kyc.*')).filter((n) => !knownEvents.has(n));
  const unknownEvent = fc.record({ e: event, secret, name: unknownName }).map(
    ({ e, secret, name }): Delivery => {
      const body = serialise({ ...e.payload, event: name }, 0);
      return { label: 'unknown event', body, headers: jsonHeaders(sign(body, secret)), expect: { kind: 'reject' } };
    },
  );
  const ignoredEvent = fc.record({ e: event, secret, name: fc.constantFrom('kyc.initiated', 'kyc.submitted') }).map(({ e, secret, name }): Delivery => {
    const body = serialise({ ...e.payload, event: name }, 0);
    return { label: 'known, irrelevant event', body, headers: jsonHeaders(sign(body, secret)), expect: { kind: 'ignored' } };
  });
  // Each field broken against its rule. A null status or time is allowed (both are nullish) and only changes the key.
  const noTrim = (min: number, max: number) => fc.string({ minLength: min, maxLength: max }).map((x) => `x${x}x`);
  const garbled = fc
    .record({
      e: event,
      secret,
      field: fc.constantFrom('session_id', 'account_auth_id', 'metadata', 'status', 'timestamp'),
      requiredValue: fc.oneof(fc.constant(null), fc.integer(), fc.constant(''), fc.constant('   '), fc.array(fc.integer(), { maxLength: 2 }), noTrim(101, 200)),
      optionalValue: fc.oneof(fc.constant(null), fc.integer(), fc.array(fc.integer(), { maxLength: 2 }), noTrim(65, 120)),
    })
    .map(({ e, secret, field, requiredValue, optionalValue }): Delivery => {
      const optional = field === 'status' || field === 'timestamp';
      const value = optional ? optionalValue : requiredValue;
      const twin = field === 'status' ? 'session_status' : field === 'timestamp' ? 'updated_at' : undefined;
      const body = serialise({ ...e.payload, [field]: value, ...(twin ? { [twin]: value } : {}) }, 0);
      const allowed = optional && value === null;
      const e2: GenuineEvent = field === 'status' ? { ...e, status: undefined } : { ...e, occurredAt: undefined };
      return { label: `garbled ${field}`, body, headers: jsonHeaders(sign(body, secret)), expect: allowed ? justified(e2) : { kind: 'reject' } };
    });
  const notAnObject = fc.record({ value: fc.jsonValue({ maxDepth: 3 }), secret }).map(({ value, secret }): Delivery => {
    const body = Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
    return { label: 'arbitrary JSON', body, headers: jsonHeaders(sign(body, secret)), expect: { kind: 'reject' } };
  });
  const randomBytes = fc.record({ bytes: fc.uint8Array({ maxLength: 512 }), secret }).map(({ bytes, secret }): Delivery => {
    const body = Buffer.from(bytes);
    return { label: 'random bytes', body, headers: jsonHeaders(sign(body, secret)), expect: { kind: 'reject' } };
  });
  const encodings = fc.record({ e: event, secret, encoding: fc.constantFrom('utf16le', 'bom', 'latin1') }).map(({ e, secret, encoding }): Delivery => {
    const text = JSON.stringify({ ...e.payload, note: 'Zoë — ₹500 ✓' });
    const body =
      encoding === 'utf16le' ? Buffer.from(text, 'utf16le') : encoding === 'bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]) : Buffer.from(text, 'latin1');
    // UTF-16 and a BOM are not JSON text the bridge reads; Latin-1 only garbles a free-text field it drops.
    const expectation: Expectation = encoding === 'latin1' ? { kind: 'either', workflowId: e.target.workflowId, sessionId: e.sessionId } : { kind: 'reject' };
    return { label: `encoding ${encoding}`, body, headers: jsonHeaders(sign(body, secret)), expect: expectation };
  });
  const hostileHeaders = fc
    .record({
      e: event,
      secret,
      variant: fc.constantFrom('two signatures', 'huge signature', 'unicode signature', 'no signature', 'text/plain', 'no content type', 'form content type', 'json-ish content type', 'empty signature'),
    })
    .map(({ e, secret, variant }): Delivery => {
      const body = serialise(e.payload, 0);
      const good = sign(body, secret);
      const headers: Record<string, string | string[]> = (() => {
        switch (variant) {
          case 'two signatures':
            return jsonHeaders([good, good]);
          case 'huge signature':
            return jsonHeaders(`${good}${'0'.repeat(6000)}`);
          case 'unicode signature':
            return jsonHeaders(encodeURIComponent(`sha256=${'é'.repeat(64)}`));
          case 'no signature':
            return { 'content-type': 'application/json' };
          case 'text/plain':
            return jsonHeaders(good, 'text/plain');
          case 'no content type':
            return { 'x-vobiz-signature': good };
          case 'form content type':
            return jsonHeaders(good, 'application/x-www-form-urlencoded');
          case 'json-ish content type':
            return jsonHeaders(good, 'application/jsonp');
          default:
            return jsonHeaders('');
        }
      })();
      return { label: `hostile headers: ${variant}`, body, headers, expect: { kind: 'reject' } };
    });

  return fc.oneof(
    { arbitrary: valid, weight: 6 },
    { arbitrary: forged, weight: 1 },
    { arbitrary: resigned, weight: 1 },
    { arbitrary: truncated, weight: 1 },
    { arbitrary: oversized, weight: 1 },
    { arbitrary: tampered, weight: 1 },
    { arbitrary: wrongAccount, weight: 1 },
    { arbitrary: stale, weight: 1 },
    { arbitrary: foreignWorkflow, weight: 1 },
    { arbitrary: ghostWorkflow, weight: 1 },
    { arbitrary: unknownEvent, weight: 1 },
    { arbitrary: ignoredEvent, weight: 1 },
    { arbitrary: garbled, weight: 1 },
    { arbitrary: notAnObject, weight: 1 },
    { arbitrary: randomBytes, weight: 1 },
    { arbitrary: encodings, weight: 1 },
    { arbitrary: hostileHeaders, weight: 1 },
  );
}

/**
 * A batch as Vobiz's retries produce it: deliveries, some repeated (duplicates), in any order (reordered).
 */
export function deliveryBatchArbitrary(targets: readonly FuzzTarget[], ghost: FuzzTarget, secrets: FuzzSecrets, maxLength = 30): fc.Arbitrary<Delivery[]> {
  return fc
    .array(fc.tuple(deliveryArbitrary(targets, ghost, secrets), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength })
    .map((items) => items.flatMap(([d, times]) => Array.from({ length: times }, () => d)))
    .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));
}

const isAnswer = (a: Answer, status: number, ignored?: readonly (string | undefined)[]) => {
  const body = (a.body ?? {}) as Record<string, unknown>;
  return a.status === status && (status !== 200 || (body.ok === true && (ignored ?? [undefined]).includes(body.ignored as string | undefined)));
};
/** Answers that say the event reached the workflow (or had already). */
const TAKEN = [undefined, 'duplicate'] as const;
/** Answers Vobiz retries, after which nothing may be known about the delivery. */
const retried = (a: Answer) => a.status === 503 || a.status === 429;

/** Problems with one answer, judged on its own: a 5xx other than 503, or a status its expectation forbids. */
export function answerProblems(d: Delivery, a: Answer): string[] {
  const problems: string[] = [];
  const body = (a.body ?? {}) as Record<string, unknown>;
  if (a.status >= 500 && a.status !== 503) problems.push(`${d.label}: HTTP ${a.status} (a crash: only the documented 503 may be 5xx)`);
  const got = `${a.status} ${JSON.stringify(a.body).slice(0, 200)}`;
  switch (d.expect.kind) {
    case 'signal':
      if (!isAnswer(a, 200, TAKEN) && !retried(a)) problems.push(`${d.label}: expected 200 delivered or duplicate, got ${got}`);
      break;
    case 'refused':
      // `{ok:true}` too: a copy with the key of an event already taken in attaches to that event's Update.
      if (!isAnswer(a, 200, ['other_account', 'duplicate', undefined]) && !retried(a)) problems.push(`${d.label}: expected 200 other_account, got ${got}`);
      break;
    case 'ignored':
      if (!(a.status === 200 && body.ignored !== undefined) && a.status !== 503) problems.push(`${d.label}: expected 200 ignored, got ${got}`);
      break;
    case 'reject':
      if (!(a.status >= 400 && a.status < 500)) problems.push(`${d.label}: expected a 4xx, got ${got}`);
      break;
    case 'either':
      if (!isAnswer(a, 200, TAKEN) && !(a.status >= 400 && a.status < 500)) problems.push(`${d.label}: expected 4xx or 200 delivered, got ${a.status}`);
      break;
  }
  return problems;
}

/** True when the answer says this delivery's event was handed to the workflow now (not a duplicate, not refused). */
export function wasDelivered(a: Answer): boolean {
  return isAnswer(a, 200);
}

const accountPart = (accountAuthId: string | undefined) => (accountAuthId === undefined ? '' : `@${accountAuthId}`);
const takenKey = (workflowId: string, eventKey: string) => `${workflowId}/${eventKey}`;

/**
 * What the workflows took in against what the deliveries justify. `received` holds, per workflow, the events taken
 * in since the exchanges began; `takenBefore` the `workflowId/eventKey` of events taken in earlier (it is updated).
 * - every event taken in matches a justified delivery of the exchanges (session, event, key and account), answered
 *   delivered, or 503/429 (an Update sent before the deadline may still land);
 * - no event key is taken in twice, now or across exchanges;
 * - every justified delivery answered delivered or duplicate has its key taken in, now or before;
 * - a delivery that justifies nothing was never answered as delivered, unless its key was taken in (a copy with the
 *   same key, e.g. another account's, attaches to that event's Update).
 */
export function signalProblems(
  exchanges: readonly { d: Delivery; a: Answer }[],
  received: ReadonlyMap<string, readonly KycEventSignal[]>,
  takenBefore: Set<string> = new Set(),
): string[] {
  const problems: string[] = [];
  const justifying = new Set<string>();
  const loose = new Set<string>();
  for (const { d, a } of exchanges) {
    if (d.expect.kind === 'signal' && (isAnswer(a, 200) || retried(a))) {
      const e = d.expect;
      justifying.add(`${e.workflowId}/${e.sessionId}/${e.event}/${e.eventKey}${accountPart(e.accountAuthId)}`);
    }
    if (d.expect.kind === 'either' && (isAnswer(a, 200) || retried(a))) loose.add(`${d.expect.workflowId}/${d.expect.sessionId}`);
  }
  const takenNow = new Set<string>();
  for (const [workflowId, events] of received) {
    for (const s of events) {
      const key = takenKey(workflowId, s.eventKey);
      if (takenBefore.has(key) || takenNow.has(key)) problems.push(`${workflowId}: the ${s.event} event ${s.eventKey.slice(0, 12)}… for session ${s.sessionId} was taken in twice`);
      takenNow.add(key);
      const exact = `${workflowId}/${s.sessionId}/${s.event}/${s.eventKey}${accountPart(s.accountAuthId)}`;
      if (!justifying.has(exact) && !loose.has(`${workflowId}/${s.sessionId}`)) {
        problems.push(`${workflowId}: took in a ${s.event} event for session ${s.sessionId}${accountPart(s.accountAuthId)} that no delivery justifies`);
      }
    }
  }
  const taken = (workflowId: string, eventKey: string) => takenBefore.has(takenKey(workflowId, eventKey)) || takenNow.has(takenKey(workflowId, eventKey));
  for (const { d, a } of exchanges) {
    if (d.expect.kind === 'signal' && isAnswer(a, 200, TAKEN) && !taken(d.expect.workflowId, d.expect.eventKey)) {
      problems.push(`${d.expect.workflowId}: a delivery answered ${JSON.stringify(a.body)} (${d.expect.sessionId}/${d.expect.event}) was never taken in`);
    }
    if (d.expect.kind === 'refused' && isAnswer(a, 200) && !taken(d.expect.workflowId, d.expect.eventKey)) {
      problems.push(`${d.label}: answered as delivered, but the workflow must refuse it`);
    }
    if ((d.expect.kind === 'reject' || d.expect.kind === 'ignored') && isAnswer(a, 200)) problems.push(`${d.label}: answered as delivered but the delivery justifies nothing`);
  }
  for (const key of takenNow) takenBefore.add(key);
  return problems;
}

// ---- start API bodies ----

/** A valid start-API request for `customerRef`; short intervals are within the edge's bounds. */
function validOnboardingRequest(customerRef: string, overrides: { amount?: number; number?: boolean } = {}): OnboardingRequest {
  return {
    customerRef,
    customer: { name: 'Fuzz Customer', email: `${customerRef}@example.com`, phone: '+919800000001', password: 'Fuzz-Passw0rd!', country: 'IN' },
    funding: { amount: overrides.amount ?? 500, currency: 'INR' },
    kyc: { pollInterval: '5 minutes' },
    telephony: { trunk: { name: 'Fuzz trunk' }, ...(overrides.number ? { number: { country: 'IN' } } : {}) },
  };
}

/** Field-level breakages, each against one documented rule of the start API. */
const BREAKAGES: readonly { field: string; value: unknown }[] = [
  { field: 'customer.email', value: 'not-an-email' },
  { field: 'customer.phone', value: '9800000001' },
  { field: 'customer.password', value: 'short' },
  { field: 'customer.password', value: 'longenoughbutnodigit!' },
  { field: 'customer.country', value: 'in' },
  { field: 'customer.name', value: '' },
  { field: 'customer.name', value: 'Asha\u001b]0;pwned\u0007' },
  { field: 'customer.name', value: 'Asha \u202egnp.exe' },
  { field: 'customer.company', value: 'Acme\u0085Ltd' },
  { field: 'customer', value: undefined },
  { field: 'funding.amount', value: 0 },
  { field: 'funding.amount', value: -5 },
  { field: 'funding.amount', value: '1.123456' },
  { field: 'funding.amount', value: 'five hundred' },
  { field: 'funding.amount', value: Number(DEFAULT_MAX_OPENING_BALANCE) + 0.01 },
  { field: 'funding.amount', value: 999_999_999_999 },
  { field: 'funding.description', value: 'Opening\u001b[2J balance' },
  { field: 'funding.currency', value: 'inr' },
  { field: 'kyc.maxAttempts', value: 0 },
  { field: 'kyc.maxAttempts', value: 11 },
  { field: 'kyc.pollInterval', value: '1 minute' },
  { field: 'kyc.expiresInDays', value: 1.5 },
  { field: 'kyc.reminderSchedule', value: [{ trigger: 'days_before_expiry', value: 400 }] },
  { field: 'telephony', value: undefined },
  { field: 'telephony.trunk.name', value: '' },
  { field: 'telephony.trunk.transport', value: 'carrier-pigeon' },
  { field: 'telephony.trunk.name', value: 'Trunk\u2066' },
  { field: 'telephony.number.country', value: 'India' },
  { field: 'monitoring.failedCallJump', value: 2 },
  { field: 'monitoring.alertWebhookUrl', value: 'ftp://example.com' },
  { field: 'monitoring.alertWebhookUrl', value: 'http://127.0.0.1:8787/internal-admin' },
  { field: 'monitoring.alertWebhookUrl', value: 'http://169.254.169.254/latest/meta-data/' },
  { field: 'monitoring.alertWebhookUrl', value: 'http://2130706433/' },
  { field: 'monitoring.alertWebhookUrl', value: 'http://[::ffff:10.0.0.1]/' },
  { field: 'monitoring.alertWebhookUrl', value: 'http://metadata.google.internal/computeMetadata/v1/' },
  { field: 'monitoring.alertWebhookUrl', value: 'http://localhost:8787/' },
  { field: 'advanced.effectSettleDelay', value: '10 ms' },
  { field: 'advanced.effectStartToCloseTimeout', value: '1 second' },
  { field: 'inputVersion', value: 99 },
];

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

interface StartBody {
  label: string;
  /** The body sent for a fresh customerRef (the runner picks a new one per request, so shrinking never reuses one). */
  render(customerRef: string): string;
  contentType: string;
  valid: boolean;
}

/**
 * Start-API bodies: valid ones (which must start exactly one workflow), one to three documented rules broken, a
 * bad customerRef, arbitrary JSON, and non-JSON text. `toRequestBody` turns a request into what is sent (one
 * place to adapt when the API's body format changes, e.g. a sealed password).
 */
export function startBodyArbitrary(toRequestBody: (request: OnboardingRequest) => unknown): fc.Arbitrary<StartBody> {
  const json = (label: string, valid: boolean, make: (ref: string) => unknown): StartBody => ({ label, valid, contentType: 'application/json', render: (ref) => JSON.stringify(make(ref)) ?? 'null' });
  // Within the bridge's cap on one opening balance (the default: the fuzzed bridge runs with development settings).
  const valid = fc.record({ amount: fc.integer({ min: 1, max: Number(DEFAULT_MAX_OPENING_BALANCE) }), number: fc.boolean() }).map(({ amount, number }) => json('valid', true, (ref) => toRequestBody(validOnboardingRequest(ref, { amount, number }))));
  const broken = fc.subarray([...BREAKAGES], { minLength: 1, maxLength: 3 }).map((breaks) =>
    json(`broken ${breaks.map((b) => b.field).join(', ')}`, false, (ref) => {
      const request = structuredClone(toRequestBody(validOnboardingRequest(ref, { number: true }))) as Record<string, unknown>;
      for (const b of breaks) setPath(request, b.field, b.value);
      return request;
    }),
  );
  const badRef = fc.oneof(fc.constantFrom<unknown>('', ' ', '-lead', 'a/b', '9876543210', 'x'.repeat(65), 'ref with space', 'é', null), fc.integer()).map((bad) =>
    json(`bad customerRef ${JSON.stringify(bad)}`, false, (ref) => ({ ...(toRequestBody(validOnboardingRequest(ref)) as Record<string, unknown>), customerRef: bad })),
  );
  const arbitrary = fc.jsonValue({ maxDepth: 3 }).map((value) => json('arbitrary JSON', false, () => value));
  const text = fc.record({ text: fc.string({ maxLength: 200 }), contentType: fc.constantFrom('text/plain', 'application/json', 'application/x-www-form-urlencoded') }).map(
    ({ text, contentType }): StartBody => ({ label: `text as ${contentType}`, valid: false, contentType, render: () => (contentType === 'application/json' ? `${text}{` : text) }),
  );
  return fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: broken, weight: 4 }, badRef, arbitrary, text);
}

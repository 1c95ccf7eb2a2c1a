/**
 * Vobiz KYC webhooks (doc §5.11) → the `kycEvent` signal. The payload is a union of two documented shapes (`status`
 * on the partner page, `session_status` on the sub-account pages); we accept both. Only what the workflow needs
 * leaves this module: verified_data, customer_email, names and every other personal field are dropped here.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describeInputProblems } from '../onboarding/input.js';
import { CustomerRefSchema, workflowIdFor, type FieldProblem } from '../workflows/input.js';
import { KYC_EVENTS, type KycEventSignal, type KycEventType } from '../workflows/messages.js';

/**
 * Events Vobiz sends that mean nothing to the workflow (the session was created or documents submitted: the outcome
 * comes later). Acknowledged with 200 so Vobiz does not retry them; anything else unrecognised is a 400, so a
 * new or garbled event type is loud instead of silently swallowed.
 */
const IGNORED_KYC_EVENTS = ['kyc.initiated', 'kyc.submitted'] as const;

const shortString = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const optionalText = z.string().max(64, 'must be at most 64 characters').nullish();

const EnvelopeSchema = z.object({ event: z.string({ error: 'is required' }).min(1, 'is required') }, { error: 'must be a JSON object' });

const KycWebhookSchema = z.object(
  {
    event: z.enum(KYC_EVENTS),
    session_id: shortString(100),
    account_auth_id: shortString(64),
    status: optionalText,
    session_status: optionalText,
    timestamp: optionalText,
    updated_at: optionalText,
    metadata: z.object(
      { workflowId: z.string({ error: 'is required (set by the workflow when it opened the session)' }).max(100) },
      { error: 'must be an object carrying workflowId (set by the workflow when it opened the session)' },
    ),
  },
  { error: 'must be a JSON object' },
);

export interface RelevantKycWebhook {
  event: KycEventType;
  sessionId: string;
  accountAuthId: string;
  workflowId: string;
  status?: string;
  /** Vobiz's time of the event, when the payload has one: part of the dedupe key, and checked for staleness. */
  occurredAt?: string;
  /** The payload field `occurredAt` came from (named when it is refused). */
  occurredAtField?: 'timestamp' | 'updated_at';
}

type ClassifiedWebhook =
  | { kind: 'relevant'; webhook: RelevantKycWebhook }
  | { kind: 'ignored'; event: string }
  | { kind: 'unknown_event'; event: string }
  | { kind: 'invalid'; problems: FieldProblem[] };

export function classifyKycWebhook(body: unknown): ClassifiedWebhook {
  const envelope = EnvelopeSchema.safeParse(body, { reportInput: true });
  if (!envelope.success) return { kind: 'invalid', problems: describeInputProblems(envelope.error) };
  const { event } = envelope.data;
  if ((IGNORED_KYC_EVENTS as readonly string[]).includes(event)) return { kind: 'ignored', event };
  if (!(KYC_EVENTS as readonly string[]).includes(event)) return { kind: 'unknown_event', event };
  const parsed = KycWebhookSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { kind: 'invalid', problems: describeInputProblems(parsed.error) };
  const p = parsed.data;
  const status = p.status ?? p.session_status ?? undefined;
  const occurredAt = p.timestamp ?? p.updated_at ?? undefined;
  const occurredAtField = p.timestamp ? 'timestamp' : 'updated_at';
  return {
    kind: 'relevant',
    webhook: {
      event: p.event,
      sessionId: p.session_id,
      accountAuthId: p.account_auth_id,
      workflowId: p.metadata.workflowId,
      ...(status ? { status } : {}),
      ...(occurredAt ? { occurredAt, occurredAtField } : {}),
    },
  };
}

/** True when `workflowId` is one this service creates (`customer-<customerRef>`), so metadata cannot aim elsewhere. */
export function isCustomerWorkflowId(workflowId: string): boolean {
  const prefix = workflowIdFor('');
  if (!workflowId.startsWith(prefix)) return false;
  const ref = workflowId.slice(prefix.length);
  return CustomerRefSchema.safeParse(ref).success && workflowIdFor(ref) === workflowId;
}

/**
 * The dedupe key: Vobiz has no event id, and a retried delivery repeats the same event, session, status and time;
 * two different events differ in at least one of them.
 */
export function kycEventKey(w: Pick<RelevantKycWebhook, 'event' | 'sessionId' | 'status' | 'occurredAt'>): string {
  const material = JSON.stringify([w.event, w.sessionId, w.status ?? '', w.occurredAt ?? '']);
  return createHash('sha256').update(material).digest('hex');
}

export function toKycEventSignal(w: RelevantKycWebhook, receivedAt: Date): KycEventSignal {
  return {
    eventKey: kycEventKey(w),
    event: w.event,
    sessionId: w.sessionId,
    accountAuthId: w.accountAuthId,
    ...(w.status ? { status: w.status } : {}),
    receivedAt: receivedAt.toISOString(),
  };
}

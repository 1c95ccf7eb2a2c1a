/**
 * The operator actions (workflow updates) by the names the HTTP routes and the CLI use, with their bodies
 * validated at the edge so a bad request gets `{field, rule}` before Temporal is called. The workflow's own
 * validators still decide whether the action is allowed in the current stage.
 */
import { createHash } from 'node:crypto';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { z } from 'zod';
import { UNSAFE_TEXT_RULE, hasUnsafeCharacters } from '../text/unsafe-characters.js';
import { CustomerRefSchema, CustomerSchema, E164, NumberRequestSchema, TrunkSettingsSchema, workflowIdFor, type FieldProblem } from '../workflows/input.js';
import {
  handOverAccountUpdate,
  offboardUpdate,
  purchaseNumberUpdate,
  releaseNumberUpdate,
  restartKycUpdate,
  resendKycUpdate,
  retryUpdate,
  revokeKycUpdate,
  type HandOverAccountArgs,
  type NumberPurchaseArgs,
  type OffboardArgs,
  type ReasonArgs,
  type ReleaseNumberArgs,
  type RetryArgs,
} from '../workflows/messages.js';
import { describeInputProblems, vobizCountry } from './input.js';

export const OPERATOR_ACTIONS = ['resend-kyc', 'revoke-kyc', 'restart-kyc', 'offboard', 'purchase-number', 'release-number', 'retry', 'hand-over-account'] as const;
export type OperatorActionName = (typeof OPERATOR_ACTIONS)[number];

type OperatorAction =
  | { name: 'resend-kyc' }
  | { name: 'revoke-kyc'; args: ReasonArgs }
  | { name: 'restart-kyc' }
  | { name: 'offboard'; args: OffboardArgs }
  | { name: 'purchase-number'; args: NumberPurchaseArgs }
  | { name: 'release-number'; args: ReleaseNumberArgs }
  | { name: 'retry'; args: RetryArgs }
  | { name: 'hand-over-account'; args: HandOverAccountArgs };

// The same rule as the workflow's validator, so the edge never accepts what the workflow would reject as malformed.
const ReasonSchema = z.object(
  {
    reason: z
      .string({ error: 'is required' })
      .trim()
      .min(1, 'is required: a non-empty string of at most 500 characters')
      .max(500, 'must be at most 500 characters')
      .refine((v) => !hasUnsafeCharacters(v), UNSAFE_TEXT_RULE),
  },
  { error: 'must be a JSON object' },
);
// A typo is reported as "country must be …" instead of "no number available".
const NumberBodySchema = z.object(
  {
    ...NumberRequestSchema.shape,
    country: vobizCountry(NumberRequestSchema.shape.country),
  },
  { error: 'must be a JSON object' },
);

/** `release-number`: which of the customer's numbers, as E.164 (the workflow says whether it is the customer's). */
export const ReleaseNumberBodySchema = z.object(
  { e164: z.string({ error: 'is required' }).regex(E164, 'must be E.164, e.g. +918071387100') },
  { error: 'must be a JSON object' },
);

/**
 * `offboard`: a reason, and `force` to end an offboarding that cannot finish (a step Vobiz keeps refusing): what fails
 * once more is left at Vobiz and recorded (docs/operations.md, "First week in production").
 */
const OffboardBodySchema = ReasonSchema.extend({ force: z.boolean({ error: 'must be true or false' }).optional() });

/**
 * `hand-over-account`: `from` is the customerRef that owns the account (as the block names it), or null for an
 * account no customer of this service owns; a reason is required (it is kept in the account claim's history).
 */
export const HandOverBodySchema = z.object(
  {
    from: CustomerRefSchema.nullable().refine((v) => v !== undefined, 'is required: the previous owner\'s customerRef, or null'),
    reason: ReasonSchema.shape.reason,
  },
  { error: 'must be a JSON object' },
);

type ParsedAction = { ok: true; action: OperatorAction } | { ok: false; problems: FieldProblem[] };

/**
 * `retry` of a blocked step, with optional corrections: the customer's details (not the password: it is sealed at
 * the edge) or trunk settings, each checked with the start rules. Only the fields sent are corrected, so no default
 * is filled in.
 */
const withoutDefault = (schema: z.ZodType): z.ZodType => (schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema);
export const RetryBodySchema = z.object(
  {
    customer: z.strictObject(CustomerSchema.omit({ password: true }).extend({ country: vobizCountry(CustomerSchema.shape.country) }).partial().shape).optional(),
    trunk: z
      .strictObject(Object.fromEntries(Object.entries(TrunkSettingsSchema.shape).map(([key, schema]) => [key, withoutDefault(schema).optional()])))
      .optional(),
  },
  { error: 'must be a JSON object' },
);

/** Validates the body of an action; actions without arguments ignore the body. */
export function parseOperatorAction(name: OperatorActionName, body: unknown): ParsedAction {
  const withArgs = <T,>(schema: z.ZodType<T>, make: (args: T) => OperatorAction): ParsedAction => {
    const parsed = schema.safeParse(body ?? {}, { reportInput: true });
    return parsed.success ? { ok: true, action: make(parsed.data) } : { ok: false, problems: describeInputProblems(parsed.error) };
  };
  switch (name) {
    case 'resend-kyc':
    case 'restart-kyc':
      return { ok: true, action: { name } };
    case 'revoke-kyc':
      return withArgs(ReasonSchema, (args) => ({ name, args }));
    case 'offboard':
      return withArgs(OffboardBodySchema, (args) => ({ name, args: { reason: args.reason, ...(args.force ? { force: true } : {}) } }));
    case 'purchase-number':
      return withArgs(NumberBodySchema, (args) => ({ name, args: { country: args.country, ...(args.search ? { search: args.search } : {}) } }));
    case 'release-number':
      return withArgs(ReleaseNumberBodySchema, (args) => ({ name, args: { e164: args.e164 } }));
    case 'retry':
      return withArgs(RetryBodySchema, (args) => ({ name, args: args }));
    case 'hand-over-account':
      return withArgs(HandOverBodySchema, (args) => ({ name, args: { from: args.from, reason: args.reason } }));
  }
}

/** What a caller's Idempotency-Key may be: printable ASCII, as HTTP header values are read reliably. */
export const IDEMPOTENCY_KEY_RULE = 'must be 1-200 printable ASCII characters';
export function isValidIdempotencyKey(key: string): boolean {
  return /^[\x21-\x7e][\x20-\x7e]{0,199}$/.test(key);
}

/**
 * The update ID for a caller's Idempotency-Key: scoped by the action (the workflow scopes it by customer), so a key
 * reused for another action can never stand for the first action's result; hashed, so the caller's text never
 * reaches Temporal's unencrypted event metadata.
 */
function updateIdFor(action: OperatorActionName, idempotencyKey: string): string {
  return `${action}:${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;
}

/** The key was already used on this customer for another action: neither that action's result nor a second act. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly usedFor: OperatorActionName) {
    super(`this Idempotency-Key was already used for ${usedFor} on this customer`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** gRPC NOT_FOUND: no update with this ID (or no such workflow; the update itself then says so). */
const GRPC_NOT_FOUND = 5;
const ADMITTED = proto.temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED;

/** Whether the workflow has (or had, in this run) an update with this ID: one quick RPC, NOT_FOUND when not. */
async function updateExists(client: Client, workflowId: string, updateId: string): Promise<boolean> {
  try {
    await client.workflowService.pollWorkflowExecutionUpdate({
      namespace: client.options.namespace,
      updateRef: { workflowExecution: { workflowId }, updateId },
      identity: client.options.identity,
      waitPolicy: { lifecycleStage: ADMITTED },
    });
    return true;
  } catch (err) {
    if (isGrpcServiceError(err) && Number(err.code) === GRPC_NOT_FOUND) return false;
    throw err;
  }
}

/**
 * Refuses a key this customer's workflow already saw with another action. Two requests racing with one key for
 * two different actions can both pass this check; a client's retry (the case keys exist for) reuses its action.
 */
async function refuseKeyOfAnotherAction(client: Client, workflowId: string, action: OperatorActionName, idempotencyKey: string): Promise<void> {
  const others = OPERATOR_ACTIONS.filter((other) => other !== action);
  const used = await Promise.all(others.map((other) => updateExists(client, workflowId, updateIdFor(other, idempotencyKey))));
  const usedFor = others.find((_, i) => used[i]);
  if (usedFor) throw new IdempotencyKeyReusedError(usedFor);
}

/**
 * Runs an operator update and waits for its result. An `idempotencyKey` (the caller's Idempotency-Key) makes a
 * retried request attach to the first one instead of acting twice; used before for another action on this
 * customer, it is refused with IdempotencyKeyReusedError.
 */
export async function runOperatorAction(client: Client, customerRef: string, action: OperatorAction, idempotencyKey?: string): Promise<unknown> {
  const workflowId = workflowIdFor(customerRef);
  const handle = client.workflow.getHandle(workflowId);
  if (idempotencyKey !== undefined) await refuseKeyOfAnotherAction(client, workflowId, action.name, idempotencyKey);
  const options = idempotencyKey !== undefined ? { updateId: updateIdFor(action.name, idempotencyKey) } : {};
  switch (action.name) {
    case 'resend-kyc':
      return handle.executeUpdate(resendKycUpdate, { ...options, args: [] });
    case 'revoke-kyc':
      return handle.executeUpdate(revokeKycUpdate, { ...options, args: [action.args] });
    case 'restart-kyc':
      return handle.executeUpdate(restartKycUpdate, { ...options, args: [] });
    case 'offboard':
      return handle.executeUpdate(offboardUpdate, { ...options, args: [action.args] });
    case 'purchase-number':
      return handle.executeUpdate(purchaseNumberUpdate, { ...options, args: [action.args] });
    case 'release-number':
      return handle.executeUpdate(releaseNumberUpdate, { ...options, args: [action.args] });
    case 'retry':
      return handle.executeUpdate(retryUpdate, { ...options, args: [action.args] });
    case 'hand-over-account':
      return handle.executeUpdate(handOverAccountUpdate, { ...options, args: [action.args] });
  }
}

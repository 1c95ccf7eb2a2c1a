/**
 * The start API's answers as zod schemas: the source of the OpenAPI document (openapi.ts) next to the request
 * schemas the routes validate with. Each mirrors a TypeScript type the code already uses; the `Same<>` checks at
 * the bottom fail the build when one drifts from its type, so the published contract cannot fall behind the code.
 */
import { z } from 'zod';
import { STALL_KINDS } from '../failures/vocabulary.js';
import { OnboardingPageSchema } from '../onboarding/customers.js';
import { HandOverBodySchema as HandOverBody, ReleaseNumberBodySchema as ReleaseNumberBody, RetryBodySchema as RetryBody } from '../onboarding/operator-actions.js';
import type { StartOutcome } from '../onboarding/start.js';
import { STAGES, type LifecycleState } from '../workflows/messages.js';

const isoTime = z.string().describe('ISO 8601 time');

export const StartOutcomeSchema = z
  .object({
    workflowId: z.string().describe('customer-<customerRef>'),
    runId: z.string(),
    customerRef: z.string(),
    status: z.enum(['started', 'existing']).describe('started: this request created the workflow; existing: it joined the running one'),
    webUiUrl: z.string().describe('the run in the Temporal Web UI'),
  })
  .meta({ id: 'StartOutcome' });

const UsageWindowSchema = z.object({
  calls: z.number(),
  answered: z.number(),
  byStatus: z.record(z.string(), z.number()),
  byHangupCause: z.record(z.string(), z.number()),
  answerRate: z.number(),
  failedShare: z.number(),
  billableMinutes: z.number(),
  cost: z.string(),
  lastCallAt: isoTime.optional(),
});

const UsageTotalsSchema = z.object({ calls: z.number(), answered: z.number(), billableMinutes: z.number(), cost: z.string() });

export const LifecycleStateSchema = z
  .object({
    workflowId: z.string(),
    customerRef: z.string(),
    stage: z.enum(STAGES),
    reason: z.string().optional().describe('why the workflow is in a failure or waiting stage, or why it was offboarded'),
    authId: z.string().optional().describe("the customer's Vobiz account ID"),
    funding: z
      .object({ transactionId: z.string(), transferId: z.string().optional(), amount: z.string(), currency: z.string(), adopted: z.boolean() })
      .optional(),
    blocked: z
      .object({
        step: z.enum(STAGES),
        type: z.string(),
        reason: z.string(),
        since: isoTime,
        owner: z
          .object({ customerRef: z.string().optional(), authId: z.string().optional() })
          .optional()
          .describe('for EmailInUse: the customer that owns the e-mail\'s Vobiz account, and the account (hand-over-account names it)'),
      })
      .optional()
      .describe("a step Vobiz refused for this customer's data: waiting for an operator's retry or offboard"),
    stall: z
      .object({
        step: z.string(),
        kind: z.enum(STALL_KINDS),
        type: z.string(),
        reason: z.string(),
        since: isoTime,
        rounds: z.number(),
      })
      .optional()
      .describe('a step being retried by itself (credentials refused, Vobiz down, a bug): what, why, since when'),
    kyc: z.object({
      attemptsAllowed: z.number().describe('attempts the workflow makes without an operator; a restart adds one'),
      attempts: z.array(
        z.object({
          attempt: z.number(),
          sessionId: z.string(),
          expiresAt: isoTime,
          openedAt: isoTime,
          outcome: z.enum(['completed', 'failed', 'expired', 'revoked']).optional(),
          endedAt: isoTime.optional(),
          adopted: z.boolean(),
        }),
      ),
      status: z.string().optional(),
      remindersSent: z.array(
        z.object({
          attempt: z.number(),
          daysBeforeExpiry: z.number(),
          result: z.enum(['sent', 'recent_email', 'skipped_session_closed']),
          at: isoTime,
        }),
      ),
      eventsSeen: z.number(),
      lastEventAt: isoTime.optional(),
    }),
    telephony: z.object({
      trunkId: z.string().optional(),
      trunkDomain: z.string().optional(),
      numbers: z.array(z.string()),
      releasedNumbers: z.array(z.string()),
      trunkDisabled: z.boolean().optional(),
    }),
    usage: z
      .object({
        last: z
          .object({
            polledAt: isoTime,
            checkpoint: isoTime,
            lastCdrId: z.number(),
            window: UsageWindowSchema,
            balance: z.string(),
            currency: z.string(),
          })
          .optional(),
        totals: UsageTotalsSchema,
        alerts: z.array(z.object({ kind: z.enum(['low_balance', 'failed_calls_jump', 'stalled', 'blocked']), at: isoTime, detail: z.string() })),
        runs: z.number(),
      })
      .optional(),
    offboarding: z
      .object({
        reason: z.string(),
        requestedAt: isoTime,
        completedAt: isoTime.optional(),
        balanceAtOffboarding: z.string().optional(),
        accountGone: z.boolean().optional().describe('the Vobiz account answered 404: the steps that needed it ended as done'),
        forced: z.object({ reason: z.string(), at: isoTime }).optional().describe('an operator ended the offboarding with force'),
        left: z
          .object({
            numbers: z.array(z.string()).optional(),
            trunkId: z.string().optional(),
            kycSessionId: z.string().optional(),
            balanceUnknown: z.boolean().optional(),
          })
          .optional()
          .describe('what the forced end left at Vobiz: numbers not released, trunk not disabled, session not revoked, balance unknown'),
      })
      .optional(),
    startedAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'LifecycleState' });

export const FieldProblemSchema = z.object({ field: z.string(), rule: z.string() }).meta({ id: 'FieldProblem' });

export const ErrorBodySchema = z
  .object({
    error: z
      .string()
      .describe(
        'invalid_input, invalid_json, unauthorized, payload_too_large, unsupported_media_type, not_found, conflict, already_closed, ' +
          'not_allowed, action_refused, idempotency_key_reused, try_later, action_failed, temporal_unavailable, …',
      ),
    message: z.string(),
    field: z.string().optional(),
    rule: z.string().optional(),
    problems: z.array(FieldProblemSchema).optional().describe('every field and rule, for invalid_input'),
    type: z.string().optional().describe("the workflow's or Vobiz's failure type for a refused or failed action (e.g. KycResendCooldown)"),
    retryAfterSeconds: z.number().optional().describe('for try_later: when the same request can succeed (also the Retry-After header)'),
  })
  .meta({ id: 'Error' });

export const ReasonBodySchema = z.object({ reason: z.string().min(1).max(500) }).meta({ id: 'ReasonBody' });
export const OffboardBodySchema = z
  .object({
    reason: z.string().min(1).max(500),
    force: z.boolean().optional().describe('end an offboarding that cannot finish: each step still to do is tried once more, and what fails is left and recorded'),
  })
  .meta({ id: 'OffboardBody' });
export const NumberBodySchema = z
  .object({
    country: z.string().regex(/^[A-Z]{2}$/).describe('ISO 3166-1 alpha-2, e.g. IN'),
    search: z.string().regex(/^\+?\d{1,15}$/).optional().describe('digits the number should contain'),
  })
  .meta({ id: 'NumberBody' });

export const ReleaseNumberBodySchema = ReleaseNumberBody.meta({ id: 'ReleaseNumberBody', description: "one of the customer's numbers" });

export const RetryBodySchema = RetryBody.meta({
  id: 'RetryBody',
  description: "corrections for the blocked step: the customer's details (before the account exists) or trunk settings; only the fields sent change",
});

export const HandOverBodySchema = HandOverBody.meta({
  id: 'HandOverBody',
  description: "the account's current owner as the block names it (null when no customer owns it), and why",
});

const actionResult = <T extends z.ZodType>(id: string, result: T) =>
  z.object({ workflowId: z.string(), customerRef: z.string(), action: z.string(), result }).meta({ id });

export const ACTION_RESULT_SCHEMAS = {
  'resend-kyc': actionResult('ResendKycResult', z.object({ result: z.enum(['sent', 'recent_email', 'skipped_session_closed']) })),
  'revoke-kyc': actionResult('RevokeKycResult', z.object({ stage: z.enum(STAGES) })),
  'restart-kyc': actionResult('RestartKycResult', z.object({ stage: z.enum(STAGES) })),
  offboard: actionResult('OffboardResult', z.object({ stage: z.enum(STAGES) })),
  'purchase-number': actionResult('PurchaseNumberResult', z.object({ e164: z.string() })),
  'release-number': actionResult(
    'ReleaseNumberResult',
    z.object({ e164: z.string(), alreadyReleased: z.boolean().describe('Vobiz had released it before this request (a retry after a lost answer)') }),
  ),
  retry: actionResult('RetryResult', z.object({ stage: z.enum(STAGES).describe('the step being tried again') })),
  'hand-over-account': actionResult('HandOverAccountResult', z.object({ stage: z.enum(STAGES).describe('the account step, run again to adopt the account') })),
} as const;

export const OnboardingListSchema = OnboardingPageSchema.meta({ id: 'OnboardingPage' });

// ---- drift checks: a compile error here means a schema no longer matches the type the code uses.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const checks: [Same<z.infer<typeof StartOutcomeSchema>, StartOutcome>, Same<z.infer<typeof LifecycleStateSchema>, LifecycleState>] = [true, true];
void checks;

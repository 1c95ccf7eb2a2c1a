/**
 * The onboarding input's rules: what another service may send to start one customer's lifecycle.
 *
 * Enforced with zod at the edges (start API, CLI, typed client); every problem names its field and rule. The
 * workflow does not import this module at run time: it checks structure only (input-structure.ts), so a rule
 * tightened here later never breaks the replay of a customer started under the old one. Defaults come from
 * defaults.ts, shared with the workflow.
 */
import { z } from 'zod';
import { SEALED_RULE, isSealedSecret } from '../secrets/sealed-format.js';
import { UNSAFE_TEXT_RULE, hasUnsafeCharacters } from '../text/unsafe-characters.js';
import { EDGE_DEFAULTS, INPUT_DEFAULTS, INPUT_VERSION } from './defaults.js';
import { canonicalAmount } from './input-structure.js';
import { DURATION_PATTERN, durationMs } from './duration.js';
import type { FieldProblem, OnboardingInput as WorkflowInput } from './input-types.js';

export type { FieldProblem } from './input-types.js';

/** E.164: a plus, a non-zero digit, then 7–14 more digits. */
export const E164 = /^\+[1-9]\d{7,14}$/;
/** Vobiz's password policy: at least 8 characters with a number and a special character. */
export const PASSWORD_RULE = 'must be at least 8 characters with a number and a special character';

/**
 * Vobiz's policy for the plain password: checked where it is sealed (src/secrets/seal-password.ts), the last place
 * that can read it. Edges receive it sealed, so they check that instead.
 */
export function meetsPasswordPolicy(plain: string): boolean {
  return plain.length >= 8 && /\d/.test(plain) && /[^A-Za-z0-9]/.test(plain);
}
/** Decimal amounts with at most 5 places, the precision Vobiz's ledgers keep. */
const AMOUNT = /^\d{1,12}(\.\d{1,5})?$/;

/**
 * Free text a person typed (names, descriptions, reasons): trimmed, bounded, and free of control and bidi
 * characters, which would rewrite an operator's terminal or disguise one name as another (text/unsafe-characters.ts).
 */
const freeText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !hasUnsafeCharacters(v), UNSAFE_TEXT_RULE);

const amount = (rule: string) =>
  z
    .union([z.number(), z.string()], { error: `must be ${rule}` })
    .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
    .refine((v) => AMOUNT.test(v), { message: `must be ${rule} with at most 5 decimal places` })
    .transform(canonicalAmount);

/**
 * A duration within bounds. Lower bounds keep each customer's history and Vobiz traffic small (a poll every few
 * seconds for a year would be millions of events); upper bounds keep a mistyped unit from parking a customer.
 */
const duration = (fallback: string, min: string, max: string) =>
  z
    .string()
    .trim()
    .regex(DURATION_PATTERN, 'must be a duration such as "30 minutes", "1 hour", "4h", "1 day"')
    .refine((v) => !DURATION_PATTERN.test(v) || (durationMs(v) >= durationMs(min) && durationMs(v) <= durationMs(max)), {
      message: `must be between ${min} and ${max}`,
    })
    .default(fallback);

export const CustomerRefSchema = z
  .string({ error: 'is required' })
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1-64 letters, digits, ".", "_" or "-" (your own customer id; it becomes the workflow ID, so no e-mail or phone)',
  )
  .refine((v) => !/^\d{10,}$/.test(v), 'must not be a phone number (it becomes the workflow ID)');

export const CustomerSchema = z.object({
  name: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(200, 'must be at most 200 characters')
    .refine((v) => !hasUnsafeCharacters(v), UNSAFE_TEXT_RULE),
  email: z.email('must be an e-mail address'),
  phone: z.string({ error: 'is required' }).regex(E164, 'must be E.164, e.g. +919876543210'),
  // Sealed only (docs/codec.md, "Sealed secrets"), so a plain password never reaches Temporal; never echoed.
  password: z.string({ error: 'is required' }).refine(isSealedSecret, SEALED_RULE),
  company: freeText(200).optional(),
  country: z.string({ error: 'is required' }).regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code, e.g. IN'),
});

export const FundingSchema = z.object({
  amount: amount('an amount greater than 0').refine((v) => v !== '0.00000', 'must be greater than 0'),
  currency: z.string({ error: 'is required' }).regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. INR'),
  description: freeText(200).optional(),
});

const ReminderPointSchema = z.object({
  trigger: z.literal('days_before_expiry', { error: 'must be "days_before_expiry"' }),
  value: z.number().int('must be a whole number of days').min(1, 'must be at least 1 day').max(364, 'must be at most 364'),
});

const KycSettingsSchema = z
  .object({
    expiresInDays: z.number().int('must be a whole number').min(1, 'must be 1-365').max(365, 'must be 1-365').default(INPUT_DEFAULTS.kyc.expiresInDays),
    reminderSchedule: z
      .array(ReminderPointSchema)
      .max(10, 'must have at most 10 reminder points')
      .default(INPUT_DEFAULTS.kyc.reminderSchedule),
    maxAttempts: z.number().int('must be a whole number').min(1, 'must be 1-10').max(10, 'must be 1-10').default(INPUT_DEFAULTS.kyc.maxAttempts),
    /** How often a customer confirms its own session when no webhook arrives: the last resort behind the KYC sweep. */
    pollInterval: duration(EDGE_DEFAULTS.kyc.pollInterval, '5 minutes', '7 days'),
    /** Confirmations per workflow run before continue-as-new (sooner if Temporal suggests it): bounds each history. */
    pollsPerRun: z.number().int('must be a whole number').min(10, 'must be 10-1000').max(1000, 'must be 10-1000').default(INPUT_DEFAULTS.kyc.pollsPerRun),
  })
  .superRefine((kyc, ctx) => {
    kyc.reminderSchedule.forEach((point, i) => {
      if (point.value >= kyc.expiresInDays) {
        ctx.addIssue({ code: 'custom', path: ['reminderSchedule', i, 'value'], message: 'must be fewer days than expiresInDays' });
      }
    });
  });

export const TrunkSettingsSchema = z.object({
  name: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(100, 'must be at most 100 characters')
    .refine((v) => !hasUnsafeCharacters(v), UNSAFE_TEXT_RULE),
  trunk_status: z.enum(['enabled', 'disabled'], { error: 'must be enabled or disabled' }).default(INPUT_DEFAULTS.trunk.trunk_status),
  secure: z.boolean({ error: 'must be true or false' }).default(INPUT_DEFAULTS.trunk.secure),
  trunk_direction: z.enum(['inbound', 'outbound'], { error: 'must be inbound or outbound' }).default(INPUT_DEFAULTS.trunk.trunk_direction),
  concurrent_calls_limit: z.number().int().min(0, 'must be 0-1000').max(1000, 'must be 0-1000').default(INPUT_DEFAULTS.trunk.concurrent_calls_limit),
  cps_limit: z.number().int().min(0, 'must be 0-100').max(100, 'must be 0-100').default(INPUT_DEFAULTS.trunk.cps_limit),
  transport: z.enum(['udp', 'tcp', 'tls'], { error: 'must be udp, tcp or tls' }).default(INPUT_DEFAULTS.trunk.transport),
});

export const NumberRequestSchema = z.object({
  country: z.string({ error: 'is required' }).regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code, e.g. IN'),
  search: z.string().regex(/^\+?\d{1,15}$/, 'must be digits of the number to look for').optional(),
});

const TelephonySchema = z.object({
  trunk: TrunkSettingsSchema,
  number: NumberRequestSchema.optional(),
});

export const MonitoringFields = z.object({
  cdrPollInterval: duration(INPUT_DEFAULTS.monitoring.cdrPollInterval, '1 minute', '7 days'),
  lowBalanceThreshold: amount('an amount').prefault(INPUT_DEFAULTS.monitoring.lowBalanceThreshold),
  /** Alert when the failed-call share rises by at least this much (0-1) between two polls. */
  failedCallJump: z.number().min(0.01, 'must be 0.01-1').max(1, 'must be 0.01-1').default(INPUT_DEFAULTS.monitoring.failedCallJump),
  /** Polls per workflow run before continue-as-new (sooner if Temporal suggests it): keeps each history small. */
  pollsPerRun: z.number().int('must be a whole number').min(1, 'must be 1-1000').max(1000, 'must be 1-1000').default(INPUT_DEFAULTS.monitoring.pollsPerRun),
  alertWebhookUrl: z.url('must be an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
});
const MonitoringSchema = MonitoringFields.prefault({});

export const AdvancedFields = z.object({
  /**
   * How long an effect (account, transfer, KYC session, trunk, number) waits before its first retry, so that a
   * request whose response was lost has landed before the retry looks for it. Lower it only for a local sandbox:
   * in production the edge refuses less than one minute (src/onboarding/input.ts, docs/design.md §2).
   */
  effectSettleDelay: duration(INPUT_DEFAULTS.advanced.effectSettleDelay, '1 second', '10 minutes'),
  /**
   * How long one attempt of an effect may run before Temporal gives up on it: also how long a worker that died
   * mid-call holds the effect before another worker retries it. Keep it above the HTTP client's worst case (35 s)
   * plus the reconcile reads, so the retry's lookup sees a request the dead worker left in flight. Lower it only
   * for a local sandbox (the crash tests do, so a killed worker's activity is retried in seconds); in production
   * the edge refuses less than one minute.
   */
  effectStartToCloseTimeout: duration(INPUT_DEFAULTS.advanced.effectStartToCloseTimeout, '5 seconds', '10 minutes'),
});
const AdvancedSchema = AdvancedFields.prefault({});

export const OnboardingInputSchema = z.object({
  inputVersion: z.literal(INPUT_VERSION, { error: `must be ${INPUT_VERSION}` }).default(INPUT_VERSION),
  customerRef: CustomerRefSchema,
  customer: CustomerSchema,
  funding: FundingSchema,
  // prefault: an omitted section is parsed as {} so each field's own default applies.
  kyc: KycSettingsSchema.prefault({}),
  telephony: TelephonySchema,
  monitoring: MonitoringSchema,
  advanced: AdvancedSchema,
});

/** What callers send (defaults optional). */
export type OnboardingRequest = z.input<typeof OnboardingInputSchema>;
/** What the workflow runs on (defaults applied, amounts canonical). */
export type OnboardingInput = z.output<typeof OnboardingInputSchema>;

// The edge's output must be a valid workflow input: checked here at compile time.
const _edgeOutputIsWorkflowInput = (v: OnboardingInput): WorkflowInput => v;
void _edgeOutputIsWorkflowInput;

/** zod issues → `{field, rule}` with dotted field paths (`customer.phone`, `kyc.reminderSchedule.0.value`). */
function describeProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(input)', rule: issue.message }));
}

export type ParseResult = { ok: true; input: OnboardingInput } | { ok: false; problems: FieldProblem[] };

export function parseOnboardingInput(raw: unknown): ParseResult {
  const parsed = OnboardingInputSchema.safeParse(raw);
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, problems: describeProblems(parsed.error) };
}

export { customerRefOf, workflowIdFor } from './workflow-ids.js';

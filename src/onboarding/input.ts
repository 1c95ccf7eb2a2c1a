/**
 * The edge's reading of what a person or service sent: every problem as "field rule" (`telephony is required`,
 * `kyc.maxAttempts must be a number`), never zod's own wording ("Invalid input: expected object, received
 * undefined"). The workflow checks the structure again; the rules live here and in src/workflows/input.ts.
 *
 * Some rules depend on where the edge runs, so the caller passes its policy (the bridge's and the CLI's
 * `config.onboarding`): the cap on the opening balance, https-only alert webhooks and the floors of the `advanced`
 * settings in production, and whether loopback alert receivers are allowed (development only).
 */
import { z } from 'zod';
import { resolvedProblem, urlProblem, type OutboundTargetPolicy, type ResolveHost } from '../net/outbound-target.js';
import { COUNTRY_RULE, isVobizCountry } from '../vobiz/countries.js';
import { compareAmounts } from '../workflows/amounts.js';
import { durationMs } from '../workflows/duration.js';
import { INPUT_DEFAULTS } from '../workflows/defaults.js';
import {
  AdvancedFields,
  CustomerRefSchema,
  CustomerSchema,
  FundingSchema,
  MonitoringFields,
  OnboardingInputSchema,
  type FieldProblem,
  type ParseResult,
} from '../workflows/input.js';

export interface OnboardingPolicy {
  /** NODE_ENV=production: alert webhooks must be https and `advanced.*` may not go below their safe floors. */
  production: boolean;
  /** The largest opening balance one customer may be given (a decimal such as "50000.00000"). */
  maxOpeningBalance: string;
  /** Alert webhooks may point at loopback receivers (development and tests only; production refuses it). */
  allowLoopbackAlertWebhooks: boolean;
  /** How alert webhook host names are resolved here (the system resolver unless a test names another). */
  resolveHost?: ResolveHost;
}

/**
 * The floor of `advanced.effectSettleDelay` and `advanced.effectStartToCloseTimeout` in production. docs/design.md §2
 * derives it: the HTTP client abandons a request after at most 35 s and the reconcile lookups need a few seconds
 * more, so a retry that looks sooner than a minute may miss a write still in flight and make it twice.
 */
const PRODUCTION_EFFECT_FLOOR = '1 minute';
/** How long the edge waits for DNS before leaving a host name to the worker's own check at send time. */
const EDGE_RESOLVE_TIMEOUT_MS = 2_000;

/** "50000.00000" → "50000", "2500.50000" → "2500.5": amounts as people write them. */
function displayAmount(amount: string): string {
  return amount.includes('.') ? amount.replace(/0+$/, '').replace(/\.$/, '') : amount;
}

function outboundPolicyOf(policy: Pick<OnboardingPolicy, 'production' | 'allowLoopbackAlertWebhooks'>): OutboundTargetPolicy {
  return { httpsOnly: policy.production, allowLoopback: policy.allowLoopbackAlertWebhooks };
}

/**
 * The alert webhook's target, checked as the worker will check it at send time (src/net/outbound-target.ts). A host
 * name is resolved once here too; when DNS gives no answer in time the name is accepted, because a name's
 * addresses can change anyway and the worker checks them again on every send, where it counts.
 */
async function alertTargetProblem(url: string, policy: OnboardingPolicy): Promise<string | undefined> {
  const target = outboundPolicyOf(policy);
  const problem = urlProblem(url, target);
  if (problem) return problem;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), EDGE_RESOLVE_TIMEOUT_MS)));
  try {
    return await Promise.race([resolvedProblem(url, target, policy.resolveHost).catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function atLeastInProduction(fallback: string, field: z.ZodDefault<z.ZodType<string>>, policy: OnboardingPolicy, why: string) {
  if (!policy.production) return field;
  return field
    .unwrap()
    .refine((v) => durationMs(v) >= durationMs(PRODUCTION_EFFECT_FLOOR), `must be at least ${PRODUCTION_EFFECT_FLOOR} in production (${why})`)
    .default(fallback);
}

/**
 * The workflow's input checks a country's shape (two capitals); every edge also refuses a code that names no country
 * Vobiz accepts (src/vobiz/countries.ts), so `ZZ` is told here, by field, instead of blocking the customer at Vobiz.
 */
export function vobizCountry(shape: z.ZodString): z.ZodType<string> {
  return shape.refine((code) => !/^[A-Z]{2}$/.test(code) || isVobizCountry(code), COUNTRY_RULE);
}

/** The start rules with this edge's policy applied to the fields it governs. */
function policySchema(policy: OnboardingPolicy) {
  const cap = displayAmount(policy.maxOpeningBalance);
  const advanced = AdvancedFields.shape;
  return OnboardingInputSchema.extend({
    customer: CustomerSchema.extend({ country: vobizCountry(CustomerSchema.shape.country) }),
    funding: FundingSchema.extend({
      amount: FundingSchema.shape.amount.refine(
        (amount) => compareAmounts(amount, policy.maxOpeningBalance) <= 0,
        `must be at most ${cap} (the cap on one customer's opening balance, ONBOARDING_MAX_OPENING_BALANCE)`,
      ),
    }),
    monitoring: MonitoringFields.extend({
      // Replaces the plain http(s) rule: the target rules say that too, once.
      alertWebhookUrl: z
        .string({ error: 'must be an http(s) URL' })
        .superRefine(async (url, ctx) => {
          const problem = await alertTargetProblem(url, policy);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .optional(),
    }).prefault({}),
    advanced: AdvancedFields.extend({
      effectSettleDelay: atLeastInProduction(INPUT_DEFAULTS.advanced.effectSettleDelay, advanced.effectSettleDelay, policy, 'docs/design.md §2: a retry must not look for a lost write before it has landed'),
      effectStartToCloseTimeout: atLeastInProduction(
        INPUT_DEFAULTS.advanced.effectStartToCloseTimeout,
        advanced.effectStartToCloseTimeout,
        policy,
        "docs/design.md §2: above the HTTP client's 35 s worst case plus the reconcile lookups",
      ),
    }).prefault({}),
  });
}

const schemas = new WeakMap<OnboardingPolicy, ReturnType<typeof policySchema>>();
function schemaFor(policy: OnboardingPolicy) {
  let schema = schemas.get(policy);
  if (!schema) schemas.set(policy, (schema = policySchema(policy)));
  return schema;
}

const ARTICLE: Record<string, string> = { object: 'an object', array: 'an array', string: 'a string', number: 'a number', boolean: 'true or false', int: 'a whole number' };

function ruleOf(issue: z.core.$ZodIssue): string {
  const missing = !('input' in issue) || issue.input === undefined;
  if (issue.code === 'invalid_type') {
    if (missing) return 'is required';
    // The schema's own message, unless it is zod's default or says "is required" of a value that is present.
    if (issue.message.startsWith('Invalid input') || issue.message === 'is required') return `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid')) return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_union' && issue.message.startsWith('Invalid')) return missing ? 'is required' : 'has an unsupported type';
  if (issue.code === 'invalid_format' && issue.message.startsWith('Invalid')) return `must be a valid ${issue.format}`;
  if (issue.code === 'unrecognized_keys') return `has no field ${issue.keys.join(', ')} that can be set here`;
  return issue.message;
}

/** zod issues → `{field, rule}` with dotted field paths (`customer.phone`, `kyc.reminderSchedule.0.value`). */
export function describeInputProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(input)', rule: ruleOf(issue) }));
}

/**
 * The one place the start API and the CLI (single and bulk) turn a request into the workflow's input, under the
 * caller's policy. `reportInput` only lets the wording tell "missing" from "wrong type"; inputs never leave this
 * function. Asynchronous because an alert webhook's host name is resolved.
 */
export async function parseOnboardingRequest(raw: unknown, policy: OnboardingPolicy): Promise<ParseResult> {
  const parsed = await schemaFor(policy).safeParseAsync(raw, { reportInput: true });
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, problems: describeInputProblems(parsed.error) };
}

type CustomerRefResult = { ok: true; customerRef: string } | { ok: false; problems: FieldProblem[] };

export function parseCustomerRef(value: unknown): CustomerRefResult {
  const parsed = CustomerRefSchema.safeParse(value, { reportInput: true });
  if (parsed.success) return { ok: true, customerRef: parsed.data };
  return { ok: false, problems: describeInputProblems(parsed.error).map((p) => ({ ...p, field: 'customerRef' })) };
}

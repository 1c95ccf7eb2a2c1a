/**
 * The one step every edge that holds a plain password runs before anything leaves its process (the typed client's
 * `start`, the CLI's `seal-password`, the demo): check Vobiz's password policy, the last place that can, then seal
 * `customer.password` with the secrets public key. Problems name the field and the rule, never the value.
 */
import { meetsPasswordPolicy, parseOnboardingInput, PASSWORD_RULE, type FieldProblem } from '../workflows/input.js';
import type { SealingKey } from './keys.js';
import { sealSecret } from './seal.js';
import { isSealedSecret } from './sealed-format.js';

const PASSWORD_FIELD = 'customer.password';

type SealResult = { ok: true; sealed: string } | { ok: false; problems: FieldProblem[] };

/** Seals one plain password after checking the policy; a value that is already sealed is returned as it is. */
export function sealPassword(password: string, key: SealingKey | undefined): SealResult {
  if (isSealedSecret(password)) return { ok: true, sealed: password };
  if (!meetsPasswordPolicy(password)) return { ok: false, problems: [{ field: PASSWORD_FIELD, rule: PASSWORD_RULE }] };
  if (!key) {
    return {
      ok: false,
      problems: [{ field: PASSWORD_FIELD, rule: 'must be sealed, and no secrets public key (SECRETS_PUBLIC_KEY) is configured here to seal it' }],
    };
  }
  return { ok: true, sealed: sealSecret(password, key, 'customer.password') };
}

/**
 * The onboarding request with `customer.password` sealed. Anything else about the request (a missing customer, a
 * password that is not a string) is left for the input schema to report with every other problem.
 */
export function sealCustomerPassword<T>(request: T, key: SealingKey | undefined): { ok: true; request: T } | { ok: false; problems: FieldProblem[] } {
  const customer = (request as { customer?: unknown } | undefined)?.customer;
  if (!customer || typeof customer !== 'object') return { ok: true, request };
  const password = (customer as { password?: unknown }).password;
  if (typeof password !== 'string') return { ok: true, request };
  const result = sealPassword(password, key);
  // Refused here, so name every other problem too, as the start API would have: one round of fixes, not two.
  if (!result.ok) return { ok: false, problems: [...result.problems, ...problemsBesidesPassword(request)] };
  return { ok: true, request: { ...request, customer: { ...customer, password: result.sealed } } };
}

function problemsBesidesPassword(request: unknown): FieldProblem[] {
  const parsed = parseOnboardingInput(request);
  return parsed.ok ? [] : parsed.problems.filter((p) => p.field !== PASSWORD_FIELD);
}

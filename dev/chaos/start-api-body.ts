/**
 * The one place a start-API request body is built from an onboarding request, for the chaos runner and the bridge
 * fuzzer: the customer's password is sealed with the secrets public key, as every edge must (docs/codec.md, "Sealed
 * secrets"). The default is the development key pair, which the pieces the chaos runner starts use. A password
 * that breaks the policy is left as it is, for the start API to refuse (the fuzzer sends such bodies on purpose).
 */
import { DEVELOPMENT_SEALING_KEY, type SealingKey } from '../../src/secrets/keys.js';
import { sealCustomerPassword } from '../../src/secrets/seal-password.js';
import type { OnboardingRequest } from '../../src/workflows/input.js';

export function startApiBody(request: OnboardingRequest, key: SealingKey = DEVELOPMENT_SEALING_KEY): unknown {
  const sealed = sealCustomerPassword(request, key);
  return sealed.ok ? sealed.request : request;
}

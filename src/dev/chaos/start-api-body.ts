/**
 * The one place a start-API request body is built from an onboarding request, for the chaos runner and the bridge
 * fuzzer. Today the API takes the request as JSON; when the body format changes (a sealed password), only this
 * function changes.
 */
import type { OnboardingRequest } from '../../workflows/input.js';

export function startApiBody(request: OnboardingRequest): unknown {
  return request;
}

// The typed start-API client for other services. Types only from the workflow contract: no Temporal dependency.
export { OnboardingClient, type ActionOptions, type ActionResult, type OnboardingClientOptions, type StartOutcome } from './onboarding-client.js';
export {
  ActionFailedError,
  ActionRefusedError,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotAllowedError,
  NotFoundError,
  OnboardingApiError,
  ServiceUnavailableError,
  TryLaterError,
  UnauthorizedError,
} from './errors.js';
export type { OnboardingPage, OnboardingSummary, ListOnboardingsQuery } from '../onboarding/customers.js';
export type { OnboardingRequest, FieldProblem } from '../workflows/input.js';
export type { LifecycleState, Stage } from '../workflows/messages.js';

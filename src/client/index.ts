// The typed start-API client for other services. Types only from the workflow contract: no Temporal dependency.
export {
  OnboardingClient,
  type ActionOptions,
  type ActionResult,
  type Balance,
  type CdrList,
  type CdrQuery,
  type DashboardView,
  type InventoryQuery,
  type NumberList,
  type NumberQuery,
  type OnboardingClientOptions,
  type PartnerProfileView,
  type StartOutcome,
  type TransactionList,
  type TransactionQuery,
} from './onboarding-client.js';
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

/**
 * The patches in force: workflows started before each change keep their old path on replay (docs/design.md §6).
 * Each `patched(id)` call stays where it was first written, relative to the commands it guards: moving one before or
 * after another command changes what a running customer replays.
 */
export const PATCH = {
  /** Step failures block or stall the customer instead of failing the workflow. */
  failurePolicy: 'failure-policy-v1',
  /** A bounded operator wait that runs out offboards the customer instead of closing with resources live. */
  offboardAfterOperatorWait: 'offboard-after-operator-wait',
  /** Offboarding records the balance left in the customer's wallet (to reclaim through Vobiz support). */
  offboardReadsBalance: 'offboard-reads-balance',
  /** restartKyc keeps the attempts the input allowed instead of granting only one more. */
  restartKeepsBudget: 'restart-kyc-keeps-budget',
  /** A plain (unsealed) customer password is refused at start. */
  sealedPassword: 'sealed-password-required',
  /** A kycEvent signal naming another Vobiz account than the customer's is ignored: the bridge signals without looking. */
  kycEventAccountCheck: 'kyc-event-account-check',
  /** KYC and usage polls are spread by a jitter of ±10% of their interval, so customers parked together poll apart. */
  pollJitter: 'poll-jitter',
  /**
   * Every wait also wakes when the run's history passes its bound and continues-as-new (bounded-wait.ts), operator
   * waits included, whose deadline is then absolute (`state.operatorWaitUntil`) and resumed by the next run.
   */
  boundedWaits: 'bounded-waits',
  /** Account creation claims the e-mail first: a second customer for one person is refused, never handed the account. */
  accountClaim: 'account-ownership-claim',
  /**
   * Offboarding always ends: a step whose account is gone at Vobiz (`VobizAccountGone`) is done instead of stalling
   * for ever. Asked on each such failure, so a customer already stalled there when this deploys takes it too.
   */
  offboardingEnds: 'offboarding-always-ends',
  /** A block sends one `blocked` alert with its reason (Vobiz's field and rule), as a stall sends `stalled`. */
  blockedAlert: 'blocked-alert',
} as const;

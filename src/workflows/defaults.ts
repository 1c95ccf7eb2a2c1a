/**
 * The onboarding input's defaults, in one place: the edge schema (input.ts) applies them, and the workflow applies
 * the same ones to a hand-started input that left a field out (input-structure.ts). Pure data.
 *
 * A default is part of the input contract of every workflow started without that field: changing one changes the
 * behaviour of running customers on replay. Add a new input version instead (INPUT_VERSION) and keep these.
 */
export const INPUT_VERSION = 1;

export const INPUT_DEFAULTS = {
  kyc: {
    expiresInDays: 14,
    reminderSchedule: [
      { trigger: 'days_before_expiry' as const, value: 3 },
      { trigger: 'days_before_expiry' as const, value: 1 },
    ],
    maxAttempts: 3,
    pollInterval: '4 hours',
    /** Confirmations per workflow run while a session is open, before continue-as-new (sooner if Temporal suggests). */
    pollsPerRun: 250,
  },
  trunk: {
    trunk_status: 'enabled' as const,
    secure: false,
    trunk_direction: 'outbound' as const,
    concurrent_calls_limit: 10,
    cps_limit: 5,
    transport: 'udp' as const,
  },
  monitoring: {
    cdrPollInterval: '1 hour',
    lowBalanceThreshold: '100.00000',
    failedCallJump: 0.2,
    pollsPerRun: 500,
  },
  advanced: {
    effectSettleDelay: '1 minute',
    effectStartToCloseTimeout: '1 minute',
  },
};

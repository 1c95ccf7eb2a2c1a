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

/**
 * Defaults the edge schema (input.ts) writes into *new* onboardings where they differ from the frozen INPUT_DEFAULTS
 * above. The edge always writes the field into the input, so such a default changes only customers started after
 * it; the workflow's own fallback (INPUT_DEFAULTS, for a hand-started input without the field) stays as it was, so
 * no running customer's replay changes.
 *
 * - `kyc.pollInterval`: 48 hours (was 4, then 24). The partner-wide KYC sweep (kyc-sweep.ts) finds a lost webhook
 *   within `KYC_SWEEP_INTERVAL` at 4 calls per sweep whatever the fleet size; a customer's own poll is only the last
 *   resort (the sweep stopped). At 48 hours a parked customer costs 0.5 poll + 0.14–0.29 reminder + ~0.2 sweep calls
 *   a day at 10,000 parked: under the 1 call a day budget (docs/design.md, "What a parked customer costs").
 */
export const EDGE_DEFAULTS = {
  kyc: { pollInterval: '48 hours' },
};

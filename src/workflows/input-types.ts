/**
 * The onboarding input as the workflow runs on it (every default applied, amounts canonical). Plain types: the
 * edge schema (input.ts) produces values of these types, and the workflow checks the structure itself
 * (input-structure.ts).
 */
export interface CustomerDetails {
  name: string;
  email: string;
  phone: string;
  password: string;
  company?: string;
  country: string;
}

export interface ReminderPoint {
  trigger: 'days_before_expiry';
  value: number;
}

export interface TrunkSettings {
  name: string;
  trunk_status: 'enabled' | 'disabled';
  secure: boolean;
  trunk_direction: 'inbound' | 'outbound';
  concurrent_calls_limit: number;
  cps_limit: number;
  transport: 'udp' | 'tcp' | 'tls';
}

export interface NumberRequest {
  country: string;
  search?: string;
}

export interface OnboardingInput {
  /** The input contract's version; the workflow refuses one it does not know. */
  inputVersion: number;
  customerRef: string;
  /** Absent in runs after a continue-as-new once the account exists: the details (and password) are not carried. */
  customer?: CustomerDetails;
  funding: { amount: string; currency: string; description?: string };
  kyc: { expiresInDays: number; reminderSchedule: ReminderPoint[]; maxAttempts: number; pollInterval: string; pollsPerRun: number };
  telephony: { trunk: TrunkSettings; number?: NumberRequest };
  monitoring: {
    cdrPollInterval: string;
    lowBalanceThreshold: string;
    failedCallJump: number;
    pollsPerRun: number;
    alertWebhookUrl?: string;
  };
  advanced: { effectSettleDelay: string; effectStartToCloseTimeout: string };
}

export interface FieldProblem {
  field: string;
  rule: string;
}

/**
 * The chaos run's customers: a mix of scripts, each with the onboarding request it sends through the start API,
 * what it does with each KYC session (as the customer in the widget's HTML forms, or through the sandbox's admin
 * path), and what it should end as.
 */
import type { SandboxAdminClient } from '../../sandbox/admin-client.js';
import type { SealingKey } from '../../src/secrets/keys.js';
import type { OnboardingRequest } from '../../src/workflows/input.js';
import type { Stage } from '../../src/workflows/messages.js';
import { startApiBody } from './start-api-body.js';

/**
 * - admin: KYC completed through the sandbox's admin path;
 * - widget: completed in the widget as an individual (PAN, date of birth, Aadhaar OTP);
 * - number: asks for a phone number; KYC completed in the widget as a company (PAN, entity name, GSTIN);
 * - fail-first: the first KYC fails in the widget (OTP 000000), the second is completed by the admin path;
 * - gives-up: one KYC attempt allowed, failed by the admin path: the workflow waits in kyc_failed.
 */
const SCRIPTS = ['admin', 'widget', 'number', 'fail-first', 'admin', 'gives-up'] as const;
export type Script = (typeof SCRIPTS)[number];

export type KycAction = 'admin-complete' | 'admin-fail' | 'widget-individual' | 'widget-company' | 'widget-fail';

export interface ChaosCustomer {
  index: number;
  customerRef: string;
  workflowId: string;
  script: Script;
  request: OnboardingRequest;
  /** The opening transfer asked for, as a number of INR. */
  amount: number;
  wantsNumber: boolean;
  intendedStage: Stage;
  /** KYC sessions the script leads to (one per attempt). */
  expectedKycSessions: number;
  /** What the customer does with their n-th KYC session (0-based). */
  kycAction(attempt: number): KycAction;
  startedAt?: number;
  startAnswer?: number;
  activeAt?: number;
  stage?: Stage;
}

export function makeCustomers(runId: string, count: number, seed: number, advanced: { effectSettleDelay: string; effectStartToCloseTimeout: string }): ChaosCustomer[] {
  return Array.from({ length: count }, (_, index) => {
    const script = SCRIPTS[(index + seed) % SCRIPTS.length]!;
    const customerRef = `chaos-${runId}-${index}`;
    const wantsNumber = script === 'number';
    // Varied amounts with paise; a customer who buys a number needs its price (400) in the wallet.
    const amount = wantsNumber ? 1_000 : 100 + ((index * 37) % 900) + (index % 100) / 100;
    const request: OnboardingRequest = {
      customerRef,
      customer: {
        name: `Chaos Customer ${index}`,
        email: `${customerRef}@example.com`,
        phone: `+9198${String(10_000_000 + index).slice(-8)}`,
        password: 'Chaos-Passw0rd!',
        company: 'Chaos Test Pvt Ltd',
        country: 'IN',
      },
      funding: { amount, currency: 'INR', description: 'Opening balance' },
      kyc: { maxAttempts: script === 'gives-up' ? 1 : 3, pollInterval: '5 minutes' },
      telephony: { trunk: { name: 'Chaos trunk', trunk_direction: 'outbound' }, ...(wantsNumber ? { number: { country: 'IN' } } : {}) },
      monitoring: { cdrPollInterval: '30 minutes' },
      advanced,
    };
    const actions: Record<Script, KycAction[]> = {
      admin: ['admin-complete'],
      widget: ['widget-individual'],
      number: ['widget-company'],
      'fail-first': ['widget-fail', 'admin-complete'],
      'gives-up': ['admin-fail'],
    };
    return {
      index,
      customerRef,
      workflowId: `customer-${customerRef}`,
      script,
      request,
      amount,
      wantsNumber,
      intendedStage: script === 'gives-up' ? 'kyc_failed' : 'active',
      expectedKycSessions: actions[script].length,
      kycAction: (attempt: number) => actions[script][Math.min(attempt, actions[script].length - 1)]!,
    };
  });
}

/** The start-API request body for a customer (through the one helper that builds bodies: the password sealed). */
export function requestBody(customer: ChaosCustomer, key?: SealingKey): string {
  return JSON.stringify(startApiBody(customer.request, key));
}

const INDIVIDUAL_PAN = 'ABCPE1234K';
const COMPANY_PAN = 'AABCE1234K';

/** Does what the customer would do with a KYC session; throws when the sandbox did not answer as expected. */
export async function actOnKycSession(admin: SandboxAdminClient, sandboxUrl: string, sessionId: string, action: KycAction): Promise<void> {
  switch (action) {
    case 'admin-complete':
      await admin.completeKyc(sessionId, { kyc_type: 'individual' });
      return;
    case 'admin-fail':
      await admin.failKyc(sessionId, 'Document invalid (chaos run)');
      return;
    default:
      await completeInWidget(admin, sandboxUrl, sessionId, action);
  }
}

async function completeInWidget(admin: SandboxAdminClient, sandboxUrl: string, sessionId: string, action: 'widget-individual' | 'widget-company' | 'widget-fail'): Promise<void> {
  const link = new URL(await admin.widgetLink(sessionId));
  const token = link.searchParams.get('token');
  if (!token) throw new Error(`the KYC e-mail's link for session ${sessionId} has no token`);
  // The link names the sandbox's public URL; talk to the sandbox we know.
  const page = await fetch(`${sandboxUrl}/kyc/verify?token=${encodeURIComponent(token)}`);
  await expectPage(page, 'open the widget');
  const post = async (path: string, fields: Record<string, string>) => {
    const res = await fetch(`${sandboxUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, ...fields }).toString(),
    });
    return expectPage(res, path);
  };
  if (action === 'widget-company') {
    await post('/kyc/verify/pan', { pan: COMPANY_PAN, entity_name: 'Chaos Test Pvt Ltd' });
    await post('/kyc/verify/gstin', { gstin: `29${COMPANY_PAN}1Z5` });
    return;
  }
  await post('/kyc/verify/pan', { pan: INDIVIDUAL_PAN, dob: '1990-01-31' });
  await post('/kyc/verify/aadhaar', { aadhaar_number: '123412341234', otp: action === 'widget-fail' ? '000000' : '123456' });
}

async function expectPage(res: Response, what: string): Promise<string> {
  const html = await res.text();
  if (res.status !== 200) {
    const error = /id="error"[^>]*>([^<]*)</.exec(html)?.[1];
    throw new Error(`widget: ${what} answered ${res.status}${error ? ` (${error})` : ''}`);
  }
  return html;
}

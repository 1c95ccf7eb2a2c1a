import { describe, expect, it } from 'vitest';
import { parseOnboardingInput } from '../../src/workflows/input.js';
import { normalizeInput } from '../../src/workflows/input-structure.js';
import { DEVELOPMENT_SEALING_KEY } from '../../src/secrets/keys.js';
import { sealSecret } from '../../src/secrets/seal.js';

const minimal = {
  customerRef: 'poll-defaults-1',
  customer: { name: 'Asha', email: 'asha@example.com', phone: '+919876543210', password: sealSecret('SecurePass123!', DEVELOPMENT_SEALING_KEY, 'customer.password'), country: 'IN' },
  funding: { amount: '500', currency: 'INR' },
  telephony: { trunk: { name: 'Primary trunk' } },
};

describe('KYC poll interval defaults', () => {
  it('the edge writes 48 hours into new onboardings (the sweep finds lost webhooks; the poll is the last resort)', () => {
    const parsed = parseOnboardingInput(minimal);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.input.kyc.pollInterval).toBe('48 hours');
  });

  it('the workflow keeps its old fallback of 4 hours for inputs without the field, so running customers replay unchanged', () => {
    const checked = normalizeInput(minimal, { customerRequired: true });
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    expect(checked.value.kyc.pollInterval).toBe('4 hours');
  });
});

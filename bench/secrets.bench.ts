// Sealing the customer's password (once per onboarding start, in the caller's process) and opening it (once per
// account creation, in the worker), measured (never asserted in tests). Run: npm run bench.
import { bench, describe } from 'vitest';
import { DEVELOPMENT_SEALING_KEY, DEVELOPMENT_SECRETS_KEY, isSealedSecret, sealSecret, unsealSecret } from '../src/secrets/index.js';

const sealed = sealSecret('Example-Passw0rd!', DEVELOPMENT_SEALING_KEY, 'customer.password');

describe('sealed password (X25519 + HKDF + AES-256-GCM)', () => {
  bench('seal', () => {
    sealSecret('Example-Passw0rd!', DEVELOPMENT_SEALING_KEY, 'customer.password');
  });
  bench('unseal', () => {
    unsealSecret(sealed, [DEVELOPMENT_SECRETS_KEY], 'customer.password');
  });
  bench('isSealedSecret (the structural check)', () => {
    isSealedSecret(sealed);
  });
});

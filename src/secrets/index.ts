export {
  DEVELOPMENT_SEALING_KEY,
  DEVELOPMENT_SECRETS_KEY,
  newSecretsKeyLines,
  parseSealingKey,
  parseUnsealingKeys,
  sealingKeyOf,
  type UnsealingKey,
} from './keys.js';
export { SealedSecretError, sealSecret, unsealSecret, type SealPurpose } from './seal.js';
export { sealCustomerPassword, sealPassword } from './seal-password.js';
export { isSealedSecret } from './sealed-format.js';

export {
  DEVELOPMENT_SEALING_KEY,
  DEVELOPMENT_SECRETS_KEY,
  isDevelopmentKey,
  newSecretsKeyLines,
  parseSealingKey,
  parseUnsealingKeys,
  sealingKeyLine,
  sealingKeyOf,
  type SealingKey,
  type UnsealingKey,
} from './keys.js';
export { SealedSecretError, sealSecret, unsealSecret, type SealPurpose } from './seal.js';
export { PASSWORD_FIELD, sealCustomerPassword, sealPassword, type SealResult } from './seal-password.js';
export { isSealedSecret, SEALED_PREFIX, SEALED_RULE } from './sealed-format.js';

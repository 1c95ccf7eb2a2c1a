export { createDataConverter } from './data-converter.js';
export {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  METADATA_KEY_ID,
  PayloadDecryptionError,
  UnknownEncryptionKeyError,
} from './encryption-codec.js';
export { DEVELOPMENT_KEY, newKeyLine, parseKeyFile, parseKeyList, type CodecKey } from './keys.js';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './server.js';

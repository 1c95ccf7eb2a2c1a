/**
 * `npm run codec:new-key [keyId]`: prints a fresh `keyId:base64` line for CODEC_KEYS or a CODEC_KEYS_FILE.
 * Put the new line first (it then encrypts) and keep the old ones after it until no history needs them.
 */
import { newKeyLine } from './keys.js';

const id = process.argv[2] ?? `key-${new Date().toISOString().slice(0, 10)}`;
process.stdout.write(`${newKeyLine(id)}\n`);

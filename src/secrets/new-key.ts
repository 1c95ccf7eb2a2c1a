/**
 * `npm run secrets:new-key [keyId]`: prints a fresh X25519 key pair for sealed secrets as two lines. The private
 * line goes into the account-creating worker's SECRETS_KEYS (or SECRETS_KEYS_FILE) and nowhere else; the public
 * line is SECRETS_PUBLIC_KEY for the edges that seal (typed client, CLI, demo). Rotation: docs/codec.md.
 */
import { newSecretsKeyLines } from './keys.js';

const id = process.argv[2] ?? `secrets-${new Date().toISOString().slice(0, 10)}`;
const { privateLine, publicLine } = newSecretsKeyLines(id);
process.stdout.write(`# worker only (SECRETS_KEYS / SECRETS_KEYS_FILE):\n${privateLine}\n# edges (SECRETS_PUBLIC_KEY):\n${publicLine}\n`);

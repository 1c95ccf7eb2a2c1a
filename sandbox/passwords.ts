/**
 * A test-only record of each customer's password: a salted scrypt hash, never the password. It answers one question
 * through the admin API, "was this account created with this password?", so a test can prove the worker opened the
 * sealed password correctly without the password appearing anywhere. Real Vobiz has no such endpoint.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { SandboxContext } from './context.js';

/** Cheap on purpose (a local test stand-in created per test account); still a salted, slow-by-design hash. */
const SCRYPT = { N: 4096, r: 8, p: 1 } as const;
const HASH_BYTES = 32;

function hash(password: string, salt: Buffer): Buffer {
  return scryptSync(password, salt, HASH_BYTES, SCRYPT);
}

export function recordPasswordHash(ctx: SandboxContext, authId: string, password: string): void {
  const salt = randomBytes(16);
  ctx.db.run('INSERT OR REPLACE INTO password_hashes (auth_id, salt, hash) VALUES (?, ?, ?)', [
    authId,
    salt.toString('base64'),
    hash(password, salt).toString('base64'),
  ]);
}

/** undefined when the sandbox holds no record for the account (created before the record existed, or unknown). */
export function passwordMatches(ctx: SandboxContext, authId: string, candidate: string): boolean | undefined {
  const row = ctx.db.get<{ salt: string; hash: string }>('SELECT salt, hash FROM password_hashes WHERE auth_id = ?', [authId]);
  if (!row) return undefined;
  return timingSafeEqual(hash(candidate, Buffer.from(row.salt, 'base64')), Buffer.from(row.hash, 'base64'));
}

/**
 * Keeps credentials out of error messages.
 *
 * Error messages travel far: logs, Temporal failure payloads, the Web UI. Vobiz error bodies are echoed into our
 * messages, and some of them may echo input (a 422 `input` can be the password; a debug body can carry an
 * `auth_token`). So every text that becomes part of an error passes through `scrubSecrets`, which removes the exact
 * credential values used by the call and anything shaped like a secret key/value pair.
 */
const REDACTED = '[REDACTED]';

/** `"auth_token": "…"`, `X-Auth-Token: …`, `password=…`, `Authorization: Basic …` and similar pairs. */
const SECRET_PAIR =
  /((?:x[-_]?auth[-_]?token|auth[-_]?token|authtoken|access[-_]?token|refresh[-_]?token|password|passwd|secret|api[-_]?key|authorization)["']?\s*[:=]\s*["']?)(?:(?:basic|bearer)\s+)?[^"'\s,;&}]+/gi;

/** Values shorter than this are not scrubbed by value: replacing "1" everywhere would garble messages. */
const MIN_SECRET_LENGTH = 6;

export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  }
  return out.replace(SECRET_PAIR, `$1${REDACTED}`);
}

const SECRET_KEY = /(password|passwd|secret|token|apikey|authorization|cookie|signature)$/;

/** True for field names that hold secrets in any spelling (auth_token, authToken, X-Auth-Token, password…). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
}

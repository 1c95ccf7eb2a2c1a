/**
 * The Temporal connection, the same for a local dev server, a self-hosted cluster (mTLS) and Temporal Cloud (mTLS or
 * API key). Read by every process that talks to Temporal: worker, bridge, CLI, local orchestration.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { booleanFlag, nonEmpty, optionalString, port } from './fields.js';
import { readPrivateFile, readSecret } from './private-files.js';

export const TEMPORAL = {
  // Unset: the dev server `npm start` runs (127.0.0.1:TEMPORAL_DEV_PORT), so the bridge, CLI and worker find it.
  TEMPORAL_ADDRESS: nonEmpty('must be host:port of the Temporal frontend').optional(),
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_NAMESPACE: nonEmpty().default('default'),
  TEMPORAL_TASK_QUEUE: nonEmpty().default('vobiz-lifecycle'),
  TEMPORAL_TLS: booleanFlag(false),
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_API_KEY_FILE: optionalString,
};
type TemporalEnv = z.infer<z.ZodObject<typeof TEMPORAL>>;

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** TLS settings; `undefined` means plaintext (the local dev server). */
  tls?: { serverName?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  apiKey?: string;
}

export function temporal(e: TemporalEnv, problems: string[]): TemporalConfig {
  if (Boolean(e.TEMPORAL_TLS_CERT_PATH) !== Boolean(e.TEMPORAL_TLS_KEY_PATH)) {
    problems.push(
      `${e.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH'}: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together (mTLS client certificate)`,
    );
  }
  const readPublic = (name: string, path: string | undefined): Buffer | undefined => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      problems.push(`${name}: cannot read file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const crt = readPublic('TEMPORAL_TLS_CERT_PATH', e.TEMPORAL_TLS_CERT_PATH);
  const ca = readPublic('TEMPORAL_TLS_CA_PATH', e.TEMPORAL_TLS_CA_PATH);
  // The client certificate's private key is a secret like any other: its file must be private.
  const keyText = e.TEMPORAL_TLS_KEY_PATH ? readPrivateFile('TEMPORAL_TLS_KEY_PATH', e.TEMPORAL_TLS_KEY_PATH, problems) : undefined;
  const key = keyText === undefined ? undefined : Buffer.from(keyText);
  const apiKey = readSecret(e, 'TEMPORAL_API_KEY', problems);

  // Temporal Cloud with an API key, or any mTLS setting, implies TLS.
  const useTls = e.TEMPORAL_TLS || Boolean(crt) || Boolean(ca) || Boolean(apiKey);
  return {
    address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_DEV_PORT}`,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    tls: useTls
      ? {
          ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
          ...(ca ? { serverRootCACertificate: ca } : {}),
          ...(crt && key ? { clientCertPair: { crt, key } } : {}),
        }
      : undefined,
    ...(apiKey ? { apiKey } : {}),
  };
}

/**
 * The Vobiz sandbox's settings (`npm run sandbox`, the compose demo's `sandbox` service): where it listens, the
 * partner it accepts, its wallet, database and webhook retries. No codec keys, no Temporal, no real credentials.
 */
import { z } from 'zod';
import { nonEmpty, optionalHttpUrl, optionalString, parseEnvironment, positiveInt } from '../src/config/fields.js';
import { general, GENERAL, type GeneralConfig } from '../src/config/general.js';
import { SANDBOX_ADDRESS } from '../src/config/vobiz.js';

export const SANDBOX = {
  ...SANDBOX_ADDRESS,
  SANDBOX_PUBLIC_URL: optionalHttpUrl,
  SANDBOX_PARTNER_BALANCE: z.coerce.number({ error: 'must be an amount in INR' }).nonnegative('must be >= 0').default(100_000),
  SANDBOX_DB_PATH: optionalString,
  SANDBOX_WEBHOOK_MAX_ATTEMPTS: positiveInt(8),
  SANDBOX_WEBHOOK_INITIAL_BACKOFF_MS: positiveInt(500),
  // Vobiz documents max_accounts = 1000; a fleet benchmark raises it.
  SANDBOX_MAX_ACCOUNTS: positiveInt(1000),
  DATA_DIR: nonEmpty().default('.data'),
};

export interface SandboxConfig {
  host: string;
  port: number;
  publicUrl: string;
  partnerAuthId: string;
  partnerAuthToken: string;
  partnerBalance: number;
  dbPath: string;
  webhookMaxAttempts: number;
  webhookInitialBackoffMs: number;
  /** The partner's `max_accounts` (Vobiz documents 1000); raised for fleet benchmarks. */
  maxAccounts: number;
}

export function sandboxSection(e: z.infer<z.ZodObject<typeof SANDBOX>>): SandboxConfig {
  return {
    host: e.SANDBOX_HOST,
    port: e.SANDBOX_PORT,
    publicUrl: e.SANDBOX_PUBLIC_URL ?? `http://${e.SANDBOX_HOST}:${e.SANDBOX_PORT}`,
    partnerAuthId: e.SANDBOX_PARTNER_AUTH_ID,
    partnerAuthToken: e.SANDBOX_PARTNER_AUTH_TOKEN,
    partnerBalance: e.SANDBOX_PARTNER_BALANCE,
    dbPath: e.SANDBOX_DB_PATH ?? `${e.DATA_DIR}/sandbox.sqlite`,
    webhookMaxAttempts: e.SANDBOX_WEBHOOK_MAX_ATTEMPTS,
    webhookInitialBackoffMs: e.SANDBOX_WEBHOOK_INITIAL_BACKOFF_MS,
    maxAccounts: e.SANDBOX_MAX_ACCOUNTS,
  };
}

export const SANDBOX_PROCESS = { ...GENERAL, ...SANDBOX };

interface SandboxProcessConfig extends GeneralConfig {
  sandbox: SandboxConfig;
}

export function loadSandboxConfig(env: NodeJS.ProcessEnv = process.env): SandboxProcessConfig {
  return parseEnvironment(SANDBOX_PROCESS, env, (e) => ({ ...general(e), sandbox: sandboxSection(e) }));
}

/**
 * The Vobiz Partner API and the partner's credentials: read by the processes that call Vobiz (the worker, the CLI's
 * Vobiz commands, the local orchestration). Outside production, unset values fall back to the local sandbox's
 * address and credentials, so `npm start` needs no setup; production requires real ones over https.
 */
import { z } from 'zod';
import { nonEmpty, optionalHttpUrl, optionalString, port, positiveInt } from './fields.js';
import type { RunMode } from './general.js';
import { readSecret } from './private-files.js';

const SANDBOX_DEFAULT_PARTNER_AUTH_ID = 'PA_SANDBOX1';
export const SANDBOX_DEFAULT_PARTNER_AUTH_TOKEN = 'sandbox-partner-token-not-a-secret';

/** Where the local sandbox listens and whom it accepts: the sandbox's own settings, and Vobiz's defaults outside production. */
export const SANDBOX_ADDRESS = {
  SANDBOX_HOST: nonEmpty().default('127.0.0.1'),
  SANDBOX_PORT: port(4010),
  SANDBOX_PARTNER_AUTH_ID: nonEmpty().default(SANDBOX_DEFAULT_PARTNER_AUTH_ID),
  SANDBOX_PARTNER_AUTH_TOKEN: nonEmpty().default(SANDBOX_DEFAULT_PARTNER_AUTH_TOKEN),
};

export const VOBIZ = {
  ...SANDBOX_ADDRESS,
  // Unset: the sandbox `npm start` runs (http://SANDBOX_HOST:SANDBOX_PORT), so the CLI finds it on any port.
  VOBIZ_BASE_URL: optionalHttpUrl,
  VOBIZ_PARTNER_AUTH_ID: optionalString,
  VOBIZ_PARTNER_AUTH_TOKEN: optionalString,
  VOBIZ_PARTNER_AUTH_TOKEN_FILE: optionalString,
  VOBIZ_CUSTOMER_PATH_STYLE: z
    .enum(['Account', 'account'], { error: 'must be Account (reference docs) or account (partner flow page)' })
    .default('Account'),
  VOBIZ_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  VOBIZ_HEADERS_TIMEOUT_MS: positiveInt(15_000),
  VOBIZ_BODY_TIMEOUT_MS: positiveInt(15_000),
  VOBIZ_MAX_REQUESTS_PER_SECOND: positiveInt(10),
};
type VobizEnv = z.infer<z.ZodObject<typeof VOBIZ>> & { NODE_ENV: RunMode };

export interface VobizConfig {
  baseUrl: string;
  partnerAuthId: string;
  partnerAuthToken: string;
  /** `Account` (reference pages) or `account` (partner flow page) in customer API paths. */
  customerPathStyle: 'Account' | 'account';
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** The partner's rate budget to Vobiz: the Vobiz task queue's activity rate and each worker's request limit. */
  maxRequestsPerSecond?: number;
}

/**
 * The Vobiz settings one of `replicas` worker processes sends with: its even share of the partner's budget, so the
 * processes together send no more than the budget (Temporal's task-queue rate limit counts activity starts, and an
 * activity may make two or three requests).
 */
export function withRequestShare(config: VobizConfig, replicas: number): VobizConfig {
  if (!config.maxRequestsPerSecond || replicas <= 1) return config;
  return { ...config, maxRequestsPerSecond: config.maxRequestsPerSecond / replicas };
}

export function vobiz(e: VobizEnv, problems: string[]): VobizConfig {
  const partnerAuthToken = readSecret(e, 'VOBIZ_PARTNER_AUTH_TOKEN', problems);
  if (e.NODE_ENV === 'production') {
    if (!e.VOBIZ_PARTNER_AUTH_ID) problems.push('VOBIZ_PARTNER_AUTH_ID: is required when NODE_ENV=production');
    if (!partnerAuthToken && !e.VOBIZ_PARTNER_AUTH_TOKEN_FILE) {
      problems.push('VOBIZ_PARTNER_AUTH_TOKEN: is required when NODE_ENV=production (or set VOBIZ_PARTNER_AUTH_TOKEN_FILE)');
    }
    if (!e.VOBIZ_BASE_URL?.startsWith('https://')) problems.push('VOBIZ_BASE_URL: must be https:// when NODE_ENV=production');
  }
  const sandboxHost = e.SANDBOX_HOST === '0.0.0.0' ? '127.0.0.1' : e.SANDBOX_HOST;
  return {
    baseUrl: e.VOBIZ_BASE_URL ?? `http://${sandboxHost}:${e.SANDBOX_PORT}`,
    // Outside production, unset Vobiz credentials fall back to the sandbox's, so `npm start` needs no setup.
    partnerAuthId: e.VOBIZ_PARTNER_AUTH_ID ?? e.SANDBOX_PARTNER_AUTH_ID,
    partnerAuthToken: partnerAuthToken ?? e.SANDBOX_PARTNER_AUTH_TOKEN,
    customerPathStyle: e.VOBIZ_CUSTOMER_PATH_STYLE,
    connectTimeoutMs: e.VOBIZ_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: e.VOBIZ_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: e.VOBIZ_BODY_TIMEOUT_MS,
    maxRequestsPerSecond: e.VOBIZ_MAX_REQUESTS_PER_SECOND,
  };
}

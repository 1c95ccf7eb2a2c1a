/** What every process reads: the mode it runs in and how much it logs. */
import { z } from 'zod';

export const GENERAL = {
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { error: 'must be development, production or test' })
    .default('development'),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      error: 'must be one of trace, debug, info, warn, error, fatal, silent',
    })
    .default('info'),
};

export type RunMode = 'development' | 'production' | 'test';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface GeneralConfig {
  env: RunMode;
  logLevel: LogLevel;
}

export function general(e: { NODE_ENV: RunMode; LOG_LEVEL: LogLevel }): GeneralConfig {
  return { env: e.NODE_ENV, logLevel: e.LOG_LEVEL };
}

/** Production: a bearer token is at least 32 bytes (`openssl rand -hex 32` gives 64 characters). */
const MIN_PRODUCTION_TOKEN_BYTES = 32;

/** Production refuses short bearer tokens: a guessable token opens a door that moves money or decrypts payloads. */
export function checkProductionTokens(variable: string, tokens: readonly string[], problems: string[]): void {
  const short = tokens.filter((t) => Buffer.byteLength(t, 'utf8') < MIN_PRODUCTION_TOKEN_BYTES).length;
  if (short > 0) {
    problems.push(
      `${variable}: ${short === 1 && tokens.length === 1 ? 'the token is' : `${short} token(s) are`} shorter than ${MIN_PRODUCTION_TOKEN_BYTES} bytes; ` +
        `a token must be at least ${MIN_PRODUCTION_TOKEN_BYTES} bytes when NODE_ENV=production (e.g. openssl rand -hex 32)`,
    );
  }
}

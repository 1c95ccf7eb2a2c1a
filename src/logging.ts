/**
 * Structured JSON logs (pino) for every process, with secrets redacted before a line is written.
 *
 * Redaction is by key name at any depth, not by fixed paths: log metadata comes from many places (HTTP requests,
 * Vobiz errors, Temporal's own logs) and a fixed path list would miss a nested `auth_token` sooner or later.
 */
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

export type Logger = PinoLogger;

const REDACTED = '[REDACTED]';

/**
 * Keys whose values never reach a log line: passwords, auth tokens (any spelling: auth_token, authToken,
 * X-Auth-Token), API keys, auth headers, cookies, signatures and key material. Matched on the key with case, `-`
 * and `_` removed.
 */
const SECRET_KEY_SUFFIX = /(password|passwd|secret|token|apikey|authorization|cookie|signature|keymaterial|encryptionkey)$/;

function isSecretKey(key: string): boolean {
  return SECRET_KEY_SUFFIX.test(key.toLowerCase().replace(/[-_]/g, ''));
}

/** A copy of `value` with every secret-named field replaced by `[REDACTED]`, at any depth. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: value.message, stack: value.stack };
  }
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretKey(k) && v !== undefined && v !== null ? REDACTED : redactSecrets(v, depth + 1);
  }
  return out;
}

interface LoggerOptions {
  level?: LevelWithSilent;
  name?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to capture them. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      ...(options.name ? { name: options.name } : {}),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactSecrets(object) as Record<string, unknown>,
      },
      serializers: { err: (err: unknown) => redactSecrets(err) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

const TEMPORAL_TO_PINO: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Temporal's `Logger` interface on top of pino, for `Runtime.install({ logger })`: SDK, Core and workflow logs
 * (workflow `log.*` calls reach it through the default sink) come out as the same JSON lines as ours.
 */
export class TemporalPinoLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.logger[TEMPORAL_TO_PINO[level] ?? 'info'](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** The most verbose Temporal level that still passes our pino level, for the Core log filter. */
export function temporalLogLevel(level: LevelWithSilent): LogLevel {
  switch (level) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'info':
      return 'INFO';
    case 'warn':
      return 'WARN';
    default:
      return 'ERROR';
  }
}

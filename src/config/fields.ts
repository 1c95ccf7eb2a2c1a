/**
 * The building blocks every settings module uses: zod fields with the project's rules and messages, and
 * `parseEnvironment`, which checks one role's whole set of variables and reports every problem at once.
 */
import { z } from 'zod';
import { DURATION_PATTERN, DURATION_RULE, durationMs, isDuration } from '../workflows/duration.js';
import { ConfigError } from './problems.js';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** Unset and empty are the same: not given. */
export const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
export const nonEmpty = (rule = 'must not be empty') => z.string({ error: rule }).trim().min(1, rule);

const portNumber = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');
export const port = (fallback: number) => portNumber.default(fallback);
export const optionalPort = z.preprocess(emptyAsUndefined, portNumber.optional());

export const positiveInt = (fallback: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be > 0').default(fallback);

/** Unset or empty: not given (the caller derives a value); otherwise a whole number above 0. */
export const optionalPositiveInt = z.preprocess(
  emptyAsUndefined,
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be > 0').optional(),
);

/**
 * A duration in the grammar onboarding input uses too (src/workflows/duration.ts), optionally with a floor in the
 * same grammar; sections read it with durationMs.
 */
export const duration = (fallback: string, atLeast?: string) => {
  const field = z.string().trim().regex(DURATION_PATTERN, DURATION_RULE);
  if (!atLeast) return field.default(fallback);
  // The floor is checked only on a duration: the pattern has already named the problem of anything else.
  return field.refine((d) => !isDuration(d) || durationMs(d) >= durationMs(atLeast), `must be at least ${atLeast}`).default(fallback);
};

export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = (rule = 'must be an http(s) URL') =>
  z
    .string()
    .trim()
    .url(rule)
    .refine((u) => /^https?:\/\//.test(u), rule)
    .transform((u) => u.replace(/\/+$/, ''));
export const optionalHttpUrl = optionalString.pipe(httpUrl().optional());

/** host:port, as a listener address (`WORKER_METRICS_ADDRESS`, `BRIDGE_METRICS_ADDRESS`). */
export const optionalListenAddress = optionalString.pipe(
  z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, e.g. 127.0.0.1:9464').optional(),
);

/** Comma-separated values, trimmed, empties dropped. */
export function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

export function isHttpOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

export function isLoopbackHost(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Checks `env` against one role's schema and builds the role's settings from it. Every problem is collected: the
 * schema's (a bad value, by name and rule) and the builder's (unreadable files, production rules); if there is
 * any, a ConfigError lists them all. The builder runs only on a valid schema, so it never sees a bad value.
 */
export function parseEnvironment<Shape extends z.ZodRawShape, T>(
  shape: Shape,
  env: NodeJS.ProcessEnv,
  build: (e: z.infer<z.ZodObject<Shape>>, problems: string[]) => T,
): T {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
  }
  const problems: string[] = [];
  const result = build(parsed.data, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}

/**
 * How a bad environment is reported: every problem, by variable name and rule, all at once, and (at an entry
 * point) exit 78, EX_CONFIG, instead of a stack trace.
 */

/** Raised for a bad environment; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** EX_CONFIG from sysexits.h: the exit code of every entry point that refuses its environment. */
export const EXIT_CONFIG = 78;

/**
 * Entry points call their role's loader through this: on a bad environment it prints every problem to stderr and
 * exits 78.
 */
export function loadOrExit<T>(load: (env: NodeJS.ProcessEnv) => T, env: NodeJS.ProcessEnv = process.env): T {
  try {
    return load(env);
  } catch (err) {
    if (err instanceof ConfigError) exitWithConfigError(err);
    throw err;
  }
}

export function exitWithConfigError(err: ConfigError): never {
  process.stderr.write(`${err.message}\nSee .env.example for every variable, its rule and its default.\n`);
  process.exit(EXIT_CONFIG);
}

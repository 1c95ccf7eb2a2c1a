import { ConfigError } from '../../src/config/problems.js';

/** The problems a settings loader refused with (each names its variable and rule); none when it loaded. */
export function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

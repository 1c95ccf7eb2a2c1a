/**
 * Secrets from files, and the folders the project keeps state in: both readable by their owner only.
 *
 * Every secret setting also has a `*_FILE` form (a mounted secret, a file outside the repo), and every key or secret
 * file must be private: one readable by group or others is refused, naming the file and the fix (chmod 600), because
 * anyone who can read it holds what it opens. Folders the project creates for its state (DATA_DIR and what is under
 * it) are created 0700 for the same reason: they hold customers' data and the Temporal history.
 */
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';

/** The file's text, or undefined with a problem naming `variable` when it cannot be read or is not private. */
export function readPrivateFile(variable: string, path: string, problems: string[]): string | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    problems.push(`${variable}: cannot read file ${path} (${errorCode(err)})`);
    return undefined;
  }
  if ((mode & 0o077) !== 0) {
    problems.push(
      `${variable}: ${path} is readable by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); ` +
        `a key or secret file must be readable by its owner only: chmod 600 ${path}`,
    );
    return undefined;
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${variable}: cannot read file ${path} (${errorCode(err)})`);
    return undefined;
  }
}

/**
 * A secret given as `NAME` or as `NAME_FILE` (never both): the value, trimmed; undefined when neither is set.
 * `e` is the role's parsed environment, which holds both variables.
 */
export function readSecret(e: Partial<Record<string, unknown>>, name: string, problems: string[]): string | undefined {
  const value = e[name] as string | undefined;
  const file = e[`${name}_FILE`] as string | undefined;
  if (value && file) {
    problems.push(`${name}_FILE: set either ${name} or ${name}_FILE, not both`);
    return undefined;
  }
  if (value) return value;
  if (!file) return undefined;
  const contents = readPrivateFile(`${name}_FILE`, file, problems)?.trim();
  if (contents === '') problems.push(`${name}_FILE: ${file} is empty`);
  return contents || undefined;
}

/**
 * Creates `path` (and missing parents) readable by its owner only. An existing folder of ours that others can
 * read is tightened to 0700 as well, unless it is a shared sticky folder such as /tmp, which is left alone.
 */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const stat = statSync(path);
  const ours = typeof process.getuid !== 'function' || stat.uid === process.getuid();
  if (ours && (stat.mode & 0o077) !== 0 && (stat.mode & 0o1000) === 0) chmodSync(path, 0o700);
}

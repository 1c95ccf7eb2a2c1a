/**
 * Runs the operator CLI as a person would (`node --import tsx src/cli/main.ts …`), in its own process with the
 * environment given, and returns its exit code and output.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables a developer's shell may have set that would point the CLI elsewhere; each test sets its own. */
const INHERITED_OUT = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_DEV_PORT',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'VOBIZ_BASE_URL',
  'NODE_ENV',
  'ONBOARDING_MAX_OPENING_BALANCE',
  'ALERT_WEBHOOK_ALLOW_LOOPBACK',
];

export function runCli(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !INHERITED_OUT.includes(k)));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env: { ...base, LOG_LEVEL: 'silent', ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export { freePort } from '../../dev/processes.js';

/** The port of a host:port address. */
export const portOf = (address: string): string => address.slice(address.lastIndexOf(':') + 1);

/**
 * What `npm start` says about its own start-up checks, beside "what runs where": the worker's, asked of the worker
 * it started (the doctor's `workerChecks` workflow, src/checks/worker-probe.ts), and the bridge's, from its
 * /readyz. A failing check turns the banner's "up" into what failed and how to fix it. And when the sandbox is
 * built in while VOBIZ_PARTNER_* is set, which partner credentials are really used.
 */
import type { LocalConfig } from './config.js';
import type { RunningStack } from './stack.js';
import type { CheckStatus } from '../src/checks/results.js';
import { errorText } from '../src/checks/run.js';
import { askWorkerForChecks } from '../src/checks/worker-probe.js';
import { loadWorkerConfig } from '../src/config/worker.js';
import type { Logger } from '../src/logging.js';
import { connectClient } from '../src/temporal/connection.js';

export interface StackCheck {
  /** `worker` or `bridge`. */
  where: string;
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** The worker's and the bridge's checks, as they see them now. */
export async function stackChecks(stack: RunningStack, config: LocalConfig): Promise<StackCheck[]> {
  const [worker, bridge] = await Promise.all([workerChecks(stack, config), bridgeChecks(stack.bridge.url)]);
  return [...worker, ...bridge];
}

async function workerChecks(stack: RunningStack, config: LocalConfig): Promise<StackCheck[]> {
  const env = stack.workers[0]?.spec.env;
  if (!env) return [];
  const { temporal, codec } = loadWorkerConfig(env);
  const client = await connectClient(temporal, codec);
  try {
    const probe = await askWorkerForChecks(client, stack.taskQueue, { ...(config.secrets.sealingKey ? { sealingKey: config.secrets.sealingKey } : {}) });
    if (probe.kind === 'no_answer') return [{ where: 'worker', check: 'checks', status: 'fail', detail: probe.detail, fix: probe.fix }];
    return probe.report.results.map((r) => ({ where: 'worker', check: r.name, status: r.status, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) }));
  } finally {
    await client.connection.close();
  }
}

async function bridgeChecks(url: string): Promise<StackCheck[]> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { checks?: Array<{ name: string; status: CheckStatus; detail?: string; fix?: string }> };
    return (body.checks ?? []).map((c) => ({ where: 'bridge', check: c.name, status: c.status, detail: c.detail ?? '', ...(c.fix ? { fix: c.fix } : {}) }));
  } catch (err) {
    return [{ where: 'bridge', check: 'readyz', status: 'fail', detail: `no answer at ${url}/readyz: ${errorText(err)}` }];
  }
}

/** The banner's first line: "up" only when every check passes. */
export function startupHeadline(checks: readonly StackCheck[]): string {
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length === 0) return 'Vobiz lifecycle: local system is up';
  return `Vobiz lifecycle: local system started, but ${failed.length} start-up check(s) FAILED: ${failed.map((c) => `${c.where} ${c.check}`).join(', ')}`;
}

/** The banner's block of checks that fail or warn, each with its fix (nothing when all pass). */
export function startupCheckLines(checks: readonly StackCheck[], sandboxNote: string | undefined): string[] {
  const told = checks.filter((c) => c.status === 'fail' || c.status === 'warn');
  const lines = told.map((c) => `  ${c.status === 'fail' ? 'FAILED' : 'warning'}  ${c.where} ${c.check}: ${c.detail}${c.fix ? `\n           fix: ${c.fix}` : ''}`);
  if (sandboxNote) lines.push(`  note    ${sandboxNote}`);
  return lines.length > 0 ? ['', 'Start-up checks (npm run cli -- doctor runs them again):', ...lines] : [];
}

/**
 * Without VOBIZ_BASE_URL the sandbox is built in and the worker uses the sandbox's partner: VOBIZ_PARTNER_* set in
 * the environment is then not used, which is said (a warn line at start, and the banner) instead of silently.
 */
export function sandboxCredentialsNote(config: LocalConfig, env: NodeJS.ProcessEnv, logger: Logger): string | undefined {
  if (config.dev.externalVobiz) return undefined;
  const set = ['VOBIZ_PARTNER_AUTH_ID', 'VOBIZ_PARTNER_AUTH_TOKEN', 'VOBIZ_PARTNER_AUTH_TOKEN_FILE'].filter((name) => env[name]);
  if (set.length === 0) return undefined;
  const note =
    `${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set, but VOBIZ_BASE_URL is not: the built-in sandbox runs, and the worker uses its partner ` +
    `${config.sandbox.partnerAuthId} (SANDBOX_PARTNER_AUTH_ID / SANDBOX_PARTNER_AUTH_TOKEN), not yours; set VOBIZ_BASE_URL to use yours at that Vobiz`;
  logger.warn({ set, sandboxPartner: config.sandbox.partnerAuthId }, note);
  return note;
}

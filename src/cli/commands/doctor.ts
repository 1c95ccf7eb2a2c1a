/**
 * `npm run cli -- doctor`: the checklist of what people get wrong, from this operator's environment and from the
 * services' own: its own checks (Temporal, the namespace and search attributes, the KYC sweep's schedule, workers
 * polling, the partner credentials, the codec keys), the worker's checks run now by a worker (its credentials, its
 * keys: does it open what SECRETS_PUBLIC_KEY here seals?), and the bridge's from its /readyz. A table with the fix
 * for each failure (`--json` for scripts); exit 1 when a check fails.
 */
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { askWorkerForChecks } from '../../checks/worker-probe.js';
import { codecKeys } from '../../checks/keys.js';
import type { CheckResult, CheckStatus } from '../../checks/results.js';
import { errorText, fail, runChecks, type Check } from '../../checks/run.js';
import { kycSweepSchedule, namespaceReady, temporalReachable, workersPolling, type TemporalWhere } from '../../checks/temporal.js';
import { vobizCredentials } from '../../checks/vobiz.js';
import type { SealingKey } from '../../secrets/keys.js';
import { connectClient, lazyClient } from '../../temporal/connection.js';
import { CliInputError, EXIT } from '../errors.js';
import { renderTable } from '../output.js';
import { runCommand, unreachableHint, type Session } from '../session.js';

/** One line of the checklist: which process's view, and what it found. */
interface DoctorRow {
  /** `doctor` (this environment), `worker <pid@host>` (what a worker reported now), `bridge` (its /readyz). */
  where: string;
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const CONNECT_TIMEOUT_MS = 3_000;
const BRIDGE_TIMEOUT_MS = 10_000;

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check Temporal, the namespace, the KYC sweep, the workers, the partner credentials, the keys and the bridge; exit 1 when a check fails')
    .option('--wait <seconds>', 'how long a worker may take to run its checks', '20')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { wait: string; json?: boolean }) =>
      runCommand(opts, async (session) => {
        const waitSeconds = Number(opts.wait);
        if (!Number.isInteger(waitSeconds) || waitSeconds < 1 || waitSeconds > 300) {
          throw new CliInputError('invalid option', [{ field: '--wait', rule: 'must be a whole number of seconds, 1-300' }]);
        }
        const rows = await doctor(session, waitSeconds * 1000);
        const failed = rows.filter((r) => r.status === 'fail');
        session.out.data({ ok: failed.length === 0, checks: rows }, () =>
          renderTable<DoctorRow>(rows, [
            { header: 'where', value: (r) => r.where },
            { header: 'check', value: (r) => r.check },
            { header: 'result', value: (r) => (r.status === 'ok' ? 'ok' : r.status.toUpperCase()) },
            { header: 'found / fix', value: (r) => (r.fix && r.status !== 'ok' ? `${r.detail}\nfix: ${r.fix}` : r.detail) },
          ]),
        );
        if (failed.length > 0) {
          session.out.note(`${failed.length} check(s) failed: ${failed.map((r) => `${r.where.split(' ')[0]} ${r.check}`).join(', ')}`);
          process.exitCode = EXIT.failed;
        }
      }),
    );
}

async function doctor(session: Session, waitMs: number): Promise<DoctorRow[]> {
  const { config } = session;
  // Connected first, within its own timeout: a call on a connection that never came up would be retried by the
  // SDK past the checks' deadlines. Without a connection the checks that need Temporal are skipped, never called.
  let client: Client;
  let unreachable: unknown;
  try {
    client = await connectClient(config.temporal, config.codec, { connectTimeoutMs: CONNECT_TIMEOUT_MS });
  } catch (err) {
    unreachable = err;
    client = lazyClient(config.temporal, config.codec);
  }
  try {
    const where: TemporalWhere = { client, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue };
    const temporal: Check = unreachable
      ? { name: 'temporal', run: async () => fail(`${config.temporal.address} does not answer: ${errorText(unreachable)}`, unreachableHint(config)) }
      : temporalReachable(where, unreachableHint(config));
    const own = await runChecks([
      temporal,
      namespaceReady(where),
      kycSweepSchedule(where),
      workersPolling(where),
      vobizCredentials({ vobiz: session.vobiz(), baseUrl: config.vobiz.baseUrl, sandboxDefault: !config.dev.externalVobiz }),
      { ...codecKeys(where), needs: ['temporal'] },
    ]);
    const rows: DoctorRow[] = own.map((r) => row('doctor', r));
    if (!config.secrets.sealingKey) {
      rows.push({ where: 'doctor', check: 'secrets_keys', status: 'warn', detail: 'no SECRETS_PUBLIC_KEY here: what the edges seal is not compared with the worker\'s keys', fix: 'set SECRETS_PUBLIC_KEY to the public line of the worker\'s newest key' });
    }
    rows.push(...(await workerRows(client, config.temporal.taskQueue, own, { sealingKey: config.secrets.sealingKey, waitMs })));
    rows.push(...(await bridgeRows(config.bridgeUrl)));
    return rows;
  } finally {
    await client.connection.close().catch(() => undefined);
  }
}

const row = (where: string, r: CheckResult): DoctorRow => ({ where, check: r.name, status: r.status, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) });

async function workerRows(
  client: Client,
  taskQueue: string,
  own: readonly CheckResult[],
  { sealingKey, waitMs }: { sealingKey: SealingKey | undefined; waitMs: number },
): Promise<DoctorRow[]> {
  const workers = own.find((r) => r.name === 'workers');
  if (workers?.status !== 'ok') return [{ where: 'worker', check: 'checks', status: 'skipped', detail: 'no worker polls the task queue, so none can be asked' }];
  const probe = await askWorkerForChecks(client, taskQueue, { ...(sealingKey ? { sealingKey } : {}), timeoutMs: waitMs });
  if (probe.kind === 'no_answer') return [{ where: 'worker', check: 'checks', status: 'fail', detail: probe.detail, fix: probe.fix }];
  return probe.report.results.map((r) => row(`worker ${probe.report.worker}`, r));
}

interface ReadyzBody {
  checks?: Array<{ name?: unknown; status?: unknown; detail?: unknown; fix?: unknown }>;
}

async function bridgeRows(bridgeUrl: string): Promise<DoctorRow[]> {
  const url = `${bridgeUrl}/readyz`;
  let body: ReadyzBody;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(BRIDGE_TIMEOUT_MS) });
    body = (await res.json()) as ReadyzBody;
  } catch (err) {
    return [{ where: 'bridge', check: 'readyz', status: 'fail', detail: `no answer at ${url}: ${errorText(err)}`, fix: 'start the bridge (npm run bridge; npm start runs one), or set BRIDGE_PUBLIC_URL to where this machine reaches it' }];
  }
  const statuses: readonly string[] = ['ok', 'warn', 'fail', 'skipped'];
  return (body.checks ?? []).map((c) => ({
    where: 'bridge',
    check: String(c.name),
    status: statuses.includes(String(c.status)) ? (c.status as CheckStatus) : 'fail',
    detail: typeof c.detail === 'string' ? c.detail : c.status === 'ok' ? 'passes' : '-',
    ...(typeof c.fix === 'string' ? { fix: c.fix } : {}),
  }));
}

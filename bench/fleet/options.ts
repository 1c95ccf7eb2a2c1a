/**
 * `npm run bench:fleet` options (commander, as `npm run chaos`): every one has a default, `--help` lists them, and a
 * bad value is refused by name with its rule before anything starts.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { durationMs, isDuration } from '../../src/workflows/duration.js';

export interface FleetBenchOptions {
  /** Customers parked in KYC through the start API. */
  customers: number;
  /** Onboardings to `active` per round (and as many minimal workflows beside them). */
  onboardings: number;
  rounds: number;
  /** Webhook deliveries through the bridge (and as many direct signals). */
  signals: number;
  /** Requests in flight at once when parking, signalling and completing KYC. */
  concurrency: number;
  /** Worker cache sizes to restart the worker with, to measure memory against cache size. */
  cacheSizes: number[];
  /** Lost webhooks the KYC sweep must recover (customers completing KYC while the bridge is down). */
  lostWebhooks: number;
  /** KYC_SWEEP_INTERVAL for the run, as a duration. */
  sweepInterval: string;
  /** Seconds of idle time, N parked, over which the sandbox counts Vobiz requests. */
  idleWindow: number;
  /** VOBIZ_MAX_REQUESTS_PER_SECOND for the run (raised: the budget is not what is measured here). */
  vobizRps: number;
  out?: string;
  keepData: boolean;
  logLevel: string;
}

/** Accounts the run creates: the sandbox's cap (SANDBOX_MAX_ACCOUNTS, Vobiz documents 1,000) is raised to it. */
export function accountsNeeded(o: Pick<FleetBenchOptions, 'customers' | 'onboardings' | 'rounds'>): number {
  return o.customers + o.onboardings * o.rounds;
}

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`);
  }
  return n;
};

const cacheSizeList = (value: string) => {
  const sizes = value.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError('must be a comma-separated list of whole numbers of at least 1, e.g. 100,500,1000');
  }
  return [...new Set(sizes)].sort((a, b) => a - b);
};

const sweepDuration = (value: string) => {
  const trimmed = value.trim();
  if (!isDuration(trimmed)) throw new InvalidArgumentError('must be a duration such as "30 seconds" or "2 minutes"');
  const ms = durationMs(trimmed);
  if (ms < 5_000 || ms > 3_600_000) throw new InvalidArgumentError('must be between 5 seconds and 1 hour');
  return trimmed;
};

export function fleetBenchCommand(): Command {
  return new Command('bench:fleet')
    .description(
      'Starts a local stack (Temporal dev server, Vobiz sandbox, bridge, one worker), parks N customers in KYC through ' +
        'the start API and measures: onboarding and webhook throughput against same-shape baselines, worker and server ' +
        'memory against the worker cache size, history size, Vobiz calls per parked customer per day, and how fast the ' +
        'KYC sweep recovers lost webhooks. Prints a table and writes JSON. Not a test: run one at a time on an idle machine.',
    )
    .option('--customers <n>', 'customers parked in KYC', wholeNumber(1), 200)
    .option('--onboardings <n>', 'onboardings to active per round, side by side with as many minimal workflows', wholeNumber(1), 60)
    .option('--rounds <n>', 'rounds of the onboarding comparison (the median ratio is reported)', wholeNumber(1, 20), 3)
    .option('--signals <n>', 'KYC webhooks through the bridge, and as many direct signals (default: one per parked customer, at most 1000)', wholeNumber(1))
    .option('--concurrency <n>', 'requests in flight at once (parking, webhooks, signals)', wholeNumber(1, 256), 16)
    .option('--cache-sizes <list>', 'worker cache sizes (WORKER_MAX_CACHED_WORKFLOWS) to restart the worker with', cacheSizeList, [50, 200, 500])
    .option('--lost-webhooks <n>', 'customers that complete KYC while the bridge is down, for the sweep to recover (default: all parked, at most 1000)', wholeNumber(0))
    .option('--sweep-interval <duration>', 'KYC_SWEEP_INTERVAL of the run', sweepDuration, '1 minute')
    .option('--idle-window <s>', 'seconds the sandbox counts Vobiz requests with N parked and nothing else happening', wholeNumber(10, 3_600), 120)
    .option('--vobiz-rps <n>', 'VOBIZ_MAX_REQUESTS_PER_SECOND of the run', wholeNumber(1, 10_000), 200)
    .option('--out <file>', 'where the JSON goes (default: bench/results/fleet-<date>.json)')
    .option('--keep-data', 'keep the temporary data directory (logs, SQLite files)', false)
    .addOption(new Option('--log-level <level>', "the pieces' log level (their logs go to files in the data directory)").choices(['fatal', 'error', 'warn', 'info', 'debug']).default('warn'));
}

export function parseFleetBenchOptions(argv: readonly string[], command: Command = fleetBenchCommand()): FleetBenchOptions {
  command.parse(argv, { from: 'user' });
  const o = command.opts<FleetBenchOptions & { signals?: number; lostWebhooks?: number }>();
  if (o.lostWebhooks !== undefined && o.lostWebhooks > o.customers) {
    command.error(`error: option '--lost-webhooks <n>' (${o.lostWebhooks}) must be at most --customers (${o.customers}): only parked customers can lose a webhook`);
  }
  return {
    ...o,
    signals: o.signals ?? Math.min(o.customers, 1_000),
    lostWebhooks: o.lostWebhooks ?? Math.min(o.customers, 1_000),
  };
}

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
  /** The self-hosted Temporal server on PostgreSQL (dev/cluster) instead of the dev server on SQLite. */
  cluster: boolean;
  /** Lifecycle worker processes, and bridge processes the webhooks and start-API requests are spread over. */
  workers: number;
  bridges: number;
  /** A CPU profile of the workers over one more round of lifecycle onboardings (Node's --cpu-prof). */
  profile: boolean;
  /** Onboardings started at once to measure what the rate budget does to a burst (0: not measured). */
  burst: number;
  /** The VOBIZ_MAX_REQUESTS_PER_SECOND values the burst is measured at (default: 10, the default, and --vobiz-rps). */
  burstRps: number[];
  /** Parked customers whose KYC completes one at a time, timed from the completion to `active`. */
  webhookLatency: number;
  /** A rolling deploy while the fleet is parked: a new Worker Deployment build promoted (default: with --cluster). */
  deploy: boolean;
  /** Node options for the lifecycle workers beside the stack's own (e.g. a heap setting to compare). */
  workerNodeOptions: string[];
  out?: string;
  keepData: boolean;
  logLevel: string;
}

/** What VOBIZ_MAX_REQUESTS_PER_SECOND defaults to (src/config/vobiz.ts): the burst is always measured at it. */
const DEFAULT_VOBIZ_RPS = 10;

/** Accounts the run creates: the sandbox's cap (SANDBOX_MAX_ACCOUNTS, Vobiz documents 1,000) is raised to it. */
export function accountsNeeded(o: Pick<FleetBenchOptions, 'customers' | 'onboardings' | 'rounds' | 'profile' | 'burst' | 'burstRps'>): number {
  return o.customers + o.onboardings * o.rounds + (o.profile ? o.onboardings + profileWarmUp(o.onboardings) : 0) + o.burst * o.burstRps.length;
}

/**
 * Onboardings a freshly started profiled worker runs before its profile counts: the first ones pay for JIT
 * compilation, zod's and protobufjs's code generation and the workflow thread's start, which no later one does.
 */
export function profileWarmUp(onboardings: number): number {
  return Math.min(10, onboardings);
}

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`);
  }
  return n;
};

const cacheSizeList = (value: string) => {
  if (value.trim() === 'none') return [];
  const sizes = value.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError('must be a comma-separated list of whole numbers of at least 1, e.g. 100,500,1000, or none');
  }
  const distinct = [...new Set(sizes)].sort((a, b) => a - b);
  // The memory per cached customer is the slope of a line through the sizes: one point gives no line.
  if (distinct.length < 2) throw new InvalidArgumentError('must list at least two different sizes (memory per cached customer is a line through them), or none');
  return distinct;
};

const rpsList = (value: string) => {
  const rates = value.split(',').map((s) => Number(s.trim()));
  if (rates.length === 0 || rates.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000)) {
    throw new InvalidArgumentError('must be a comma-separated list of whole numbers from 1 to 10000, e.g. 10,200');
  }
  return [...new Set(rates)].sort((a, b) => a - b);
};

const nodeOptions = (value: string) => {
  const options = value.split(/\s+/).filter(Boolean);
  if (options.some((o) => !/^--[a-z][a-z0-9-]*(=\S+)?$/.test(o))) throw new InvalidArgumentError("must be Node options such as '--max-old-space-size=256', space-separated");
  return options;
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
      'Starts a local stack (Temporal dev server, or with --cluster the self-hosted server on PostgreSQL; Vobiz sandbox; ' +
        'bridges; workers), parks N customers in KYC through the start API and measures: time to park; memory, CPU and ' +
        'disk of every process per parked customer; onboarding and webhook throughput against same-shape baselines, ' +
        'each side alone, with CPU per onboarding and a CPU profile of the workers; what the rate budget does to a ' +
        'burst and whether it held; webhook to active latency; worker memory against cache size; Vobiz calls per ' +
        'parked customer per day; a full sweep; a rolling deploy; how fast the KYC sweep recovers lost webhooks. ' +
        'Prints a table and writes JSON. Not a test: run one at a time on an idle machine.',
    )
    .option('--customers <n>', 'customers parked in KYC', wholeNumber(1), 200)
    .option('--onboardings <n>', 'onboardings to active per round, side by side with as many minimal workflows', wholeNumber(1), 60)
    .option('--rounds <n>', 'rounds of the onboarding comparison, each side alone in turn (the median ratio is reported; 0: skip)', wholeNumber(0, 20), 3)
    .option('--signals <n>', 'KYC webhooks through the bridge, and as many direct hand-overs (default: one per parked customer, at most 1000; 0: skip)', wholeNumber(0))
    .option('--concurrency <n>', 'requests in flight at once (parking, webhooks, signals)', wholeNumber(1, 256), 16)
    .option('--cache-sizes <list>', 'worker cache sizes (WORKER_MAX_CACHED_WORKFLOWS) to restart one worker with (none: skip)', cacheSizeList, [50, 200, 500])
    .option('--lost-webhooks <n>', 'customers that complete KYC while the bridge is down, for the sweep to recover (default: all parked, at most 1000)', wholeNumber(0))
    .option('--sweep-interval <duration>', 'KYC_SWEEP_INTERVAL of the run', sweepDuration, '1 minute')
    .option('--idle-window <s>', 'seconds the sandbox counts Vobiz requests with N parked and nothing else happening', wholeNumber(10, 3_600), 120)
    .option('--vobiz-rps <n>', 'VOBIZ_MAX_REQUESTS_PER_SECOND of the run', wholeNumber(1, 10_000), 200)
    .option('--cluster', 'run on the self-hosted Temporal server and PostgreSQL (dev/cluster, as `npm run cluster`) instead of the dev server', false)
    .option('--workers <n>', 'lifecycle worker processes', wholeNumber(1, 16), 1)
    .option('--bridges <n>', 'bridge processes; webhooks and start-API requests are spread over them', wholeNumber(1, 16), 1)
    .option('--no-profile', 'skip the CPU profile of the workers over one more round of onboardings')
    .option('--burst <n>', 'onboardings started at once to time against the rate budget (0: skip)', wholeNumber(0), 40)
    .option('--burst-rps <list>', `VOBIZ_MAX_REQUESTS_PER_SECOND values to time the burst at (default: ${DEFAULT_VOBIZ_RPS}, the default, and --vobiz-rps)`, rpsList)
    .option('--webhook-latency <n>', 'parked customers whose KYC completes one at a time, timed from the completion to active (default: 100, at most a tenth of --customers)', wholeNumber(0))
    .option('--deploy', 'a rolling deploy while the fleet is parked: a new Worker Deployment build promoted (default with --cluster)')
    .option('--no-deploy', 'no rolling deploy')
    .option('--worker-node-options <options>', "Node options for the lifecycle workers beside the stack's own, space-separated (e.g. '--max-semi-space-size=4')", nodeOptions, [])
    .option('--out <file>', 'where the JSON goes (default: bench/results/fleet-<date>.json)')
    .option('--keep-data', 'keep the temporary data directory (logs, SQLite files)', false)
    .addOption(new Option('--log-level <level>', "the pieces' log level (their logs go to files in the data directory)").choices(['fatal', 'error', 'warn', 'info', 'debug']).default('warn'));
}

export function parseFleetBenchOptions(argv: readonly string[], command: Command = fleetBenchCommand()): FleetBenchOptions {
  command.parse(argv, { from: 'user' });
  const o = command.opts<Omit<FleetBenchOptions, 'deploy'> & { signals?: number; lostWebhooks?: number; webhookLatency?: number; burstRps?: number[]; deploy?: boolean }>();
  // Both phases take parked customers out of KYC: together they cannot take more than are parked.
  const webhookLatency = o.webhookLatency ?? Math.min(100, Math.floor(o.customers / 10));
  if (webhookLatency > o.customers) {
    command.error(`error: option '--webhook-latency <n>' (${webhookLatency}) must be at most --customers (${o.customers}): only parked customers can complete KYC`);
  }
  const lostWebhooks = o.lostWebhooks ?? Math.min(o.customers - webhookLatency, 1_000);
  if (lostWebhooks + webhookLatency > o.customers) {
    command.error(
      `error: option '--lost-webhooks <n>' (${lostWebhooks}) must be at most --customers (${o.customers}) less --webhook-latency (${webhookLatency}): only parked customers can lose a webhook`,
    );
  }
  return {
    ...o,
    signals: o.signals ?? Math.min(o.customers, 1_000),
    lostWebhooks,
    webhookLatency,
    burstRps: o.burstRps ?? [...new Set([DEFAULT_VOBIZ_RPS, o.vobizRps])].sort((a, b) => a - b),
    deploy: o.deploy ?? o.cluster,
  };
}

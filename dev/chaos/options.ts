/**
 * `npm run chaos` options (commander): every one has a default, `--help` lists them, and a bad value is refused
 * by name with its rule before anything starts.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { durationMs, isDuration } from '../../src/workflows/duration.js';

export interface ChaosOptions {
  customers: number;
  workers: number;
  workerKills: number;
  serverRestarts: number;
  bridgeOutages: number;
  bridgeOutageSeconds: number;
  /** Seconds between two scheduled disruptions (worker kill, server restart, bridge outage). */
  disruptionInterval: number;
  /** Seconds the dev server stays down after its SIGKILL. */
  serverDownSeconds: number;
  timeLimit: number;
  /** Onboardings per second; default: spread over the disruption schedule, so every disruption hits customers in flight. */
  startRate?: number;
  faults: 'default' | 'none';
  effectSettleDelay: string;
  effectStartToCloseTimeout: string;
  progressInterval: number;
  taskQueue: string;
  temporalAddress?: string;
  bridgeUrl?: string;
  sandboxUrl?: string;
  apiToken?: string;
  keepData: boolean;
  logLevel: string;
  seed: number;
}

const wholeNumber = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`);
  return n;
};
const positiveNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number greater than 0');
  return n;
};
const duration = (min: string, max: string) => (value: string) => {
  if (!isDuration(value)) throw new InvalidArgumentError('must be a duration such as "2 seconds" or "1 minute"');
  const ms = durationMs(value.trim());
  if (ms < durationMs(min) || ms > durationMs(max)) throw new InvalidArgumentError(`must be between ${min} and ${max} (the start API's bounds)`);
  return value.trim();
};
const url = (value: string) => {
  if (!/^https?:\/\/[^\s/]+/.test(value)) throw new InvalidArgumentError('must be an http(s) URL');
  return value.replace(/\/+$/, '');
};

export function chaosCommand(): Command {
  return new Command('chaos')
    .description(
      'Onboards a fleet of customers through the start API while faults are injected into the Vobiz sandbox, workers are ' +
        'SIGKILLed, the Temporal dev server is SIGKILLed and restarted and the bridge is stopped; then checks every ' +
        'exactly-once invariant against the sandbox and Temporal. Exit 0 only if all hold.',
    )
    .option('--customers <n>', 'onboardings to start', wholeNumber(1), 40)
    .option('--workers <n>', 'worker processes', wholeNumber(1), 2)
    .option('--worker-kills <n>', 'SIGKILLs of a worker (each replaced at once)', wholeNumber(0), 5)
    .option('--server-restarts <n>', 'SIGKILLs of the Temporal dev server, each restarted on the same file', wholeNumber(0), 2)
    .option('--bridge-outages <n>', 'times the bridge is stopped (webhooks and the start API go dark)', wholeNumber(0), 1)
    .option('--bridge-outage-seconds <s>', 'how long each bridge outage lasts', positiveNumber, 10)
    .option('--disruption-interval <s>', 'seconds between two scheduled disruptions', positiveNumber, 8)
    .option('--server-down-seconds <s>', 'how long the dev server stays down after a SIGKILL', positiveNumber, 3)
    .option('--time-limit <s>', 'give up (and fail) after this many seconds', positiveNumber, 900)
    .option('--start-rate <n>', 'onboardings started per second (default: spread over the first 70% of the disruption schedule)', positiveNumber)
    .addOption(new Option('--faults <profile>', 'sandbox fault profile: default = 10% 5xx, 5% commit-then-drop, 2% 429, 10% latency on effects and reconcile reads').choices(['default', 'none']).default('default'))
    .option('--effect-settle-delay <duration>', "each customer's advanced.effectSettleDelay (start API bound: ≥ 1 second)", duration('1 second', '10 minutes'), '1 second')
    .option('--effect-start-to-close-timeout <duration>', "each customer's advanced.effectStartToCloseTimeout: how long a killed worker's effect is held (≥ 5 seconds)", duration('5 seconds', '10 minutes'), '10 seconds')
    .option('--progress-interval <s>', 'seconds between progress lines', positiveNumber, 5)
    .option('--task-queue <name>', 'task queue of the workers the runner starts (and of the bridge it starts)', 'chaos')
    .option('--temporal-address <host:port>', 'use this Temporal instead of starting a dev server (no server restarts)')
    .option('--bridge-url <url>', 'use this bridge instead of starting one (no bridge outages; needs --api-token)', url)
    .option('--api-token <token>', "the bridge's API token when --bridge-url is given")
    .option('--sandbox-url <url>', 'use this Vobiz sandbox instead of starting one (partner credentials from VOBIZ_PARTNER_AUTH_ID/_TOKEN)', url)
    .option('--keep-data', 'keep the temporary data directory (logs, SQLite files) even when every check passes', false)
    .addOption(new Option('--log-level <level>', "the pieces' log level (their logs go to files in the data directory)").choices(['fatal', 'error', 'warn', 'info', 'debug']).default('warn'))
    .option('--seed <n>', 'seed for the customer mix and the disruption schedule', wholeNumber(0), 1);
}

export function parseChaosOptions(argv: readonly string[]): ChaosOptions {
  const command = chaosCommand();
  command.parse(argv, { from: 'user' });
  const o = command.opts<ChaosOptions>();
  if (o.bridgeUrl && !o.apiToken) command.error("error: option '--api-token <token>' is required with --bridge-url");
  return o;
}

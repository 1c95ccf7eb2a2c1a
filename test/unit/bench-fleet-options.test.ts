// `npm run bench:fleet` options: the defaults the docs promise, the derived ones, and a bad value or an impossible
// combination refused by name with its rule before anything starts.
import { describe, expect, it } from 'vitest';
import { accountsNeeded, fleetBenchCommand, parseFleetBenchOptions } from '../../bench/fleet/options.js';

function refusal(args: string[]): string {
  let stderr = '';
  const command = fleetBenchCommand().exitOverride().configureOutput({ writeErr: (s) => (stderr += s) });
  try {
    parseFleetBenchOptions(args, command);
  } catch {
    return stderr;
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
}

describe('fleet bench options', () => {
  it('has the documented defaults, and derives signals, webhook latency and lost webhooks from the parked count', () => {
    // The webhook-latency customers (a tenth, at most 100) leave KYC first: the lost webhooks come from the rest.
    expect(parseFleetBenchOptions([])).toMatchObject({ customers: 200, onboardings: 60, rounds: 3, signals: 200, webhookLatency: 20, lostWebhooks: 180, cacheSizes: [50, 200, 500], sweepInterval: '1 minute', vobizRps: 200 });
    expect(parseFleetBenchOptions(['--customers', '800'])).toMatchObject({ signals: 800, webhookLatency: 80, lostWebhooks: 720 });
    expect(parseFleetBenchOptions(['--customers', '5000'])).toMatchObject({ signals: 1000, webhookLatency: 100, lostWebhooks: 1000 });
    expect(parseFleetBenchOptions(['--cluster'])).toMatchObject({ cluster: true, deploy: true, workers: 1, bridges: 1 });
  });

  it('counts the accounts the run creates, for the sandbox cap', () => {
    // Parked, the rounds, the profiled round and its warm-up, a burst at each budget (10 and 200).
    expect(accountsNeeded(parseFleetBenchOptions(['--customers', '10000', '--onboardings', '50', '--rounds', '2']))).toBe(10_000 + 100 + 60 + 80);
    expect(accountsNeeded(parseFleetBenchOptions(['--customers', '10000', '--onboardings', '50', '--rounds', '2', '--no-profile', '--burst', '0']))).toBe(10_100);
  });

  it('reads a cache-size list sorted and without repeats', () => {
    expect(parseFleetBenchOptions(['--cache-sizes', '500, 100,500']).cacheSizes).toEqual([100, 500]);
  });

  it('refuses a bad value, naming the option and the rule', () => {
    expect(refusal(['--customers', '0'])).toMatch(/--customers.*must be a whole number of at least 1/);
    expect(refusal(['--cache-sizes', '100,lots'])).toMatch(/--cache-sizes.*comma-separated list of whole numbers/);
    expect(refusal(['--cache-sizes', '50'])).toMatch(/--cache-sizes.*at least two different sizes/);
    expect(refusal(['--cache-sizes', '50,50'])).toMatch(/--cache-sizes.*at least two different sizes/);
    expect(refusal(['--sweep-interval', '1 second'])).toMatch(/--sweep-interval.*between 5 seconds and 1 hour/);
    expect(refusal(['--sweep-interval', 'soon'])).toMatch(/--sweep-interval.*must be a duration/);
    expect(refusal(['--log-level', 'loud'])).toMatch(/--log-level.*Allowed choices are fatal, error, warn, info, debug/);
  });

  it('refuses more lost webhooks than parked customers', () => {
    expect(refusal(['--customers', '10', '--lost-webhooks', '11'])).toMatch(/--lost-webhooks.*at most --customers \(10\)/);
  });
});

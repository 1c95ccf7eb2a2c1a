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
  it('has the documented defaults, and derives signals and lost webhooks from the parked count', () => {
    expect(parseFleetBenchOptions([])).toMatchObject({ customers: 200, onboardings: 60, rounds: 3, signals: 200, lostWebhooks: 200, cacheSizes: [50, 200, 500], sweepInterval: '1 minute', vobizRps: 200 });
    expect(parseFleetBenchOptions(['--customers', '800'])).toMatchObject({ signals: 800, lostWebhooks: 800 });
    expect(parseFleetBenchOptions(['--customers', '5000'])).toMatchObject({ signals: 1000, lostWebhooks: 1000 });
  });

  it('counts the accounts the run creates, for the sandbox cap', () => {
    expect(accountsNeeded(parseFleetBenchOptions(['--customers', '10000', '--onboardings', '50', '--rounds', '2']))).toBe(10_100);
  });

  it('reads a cache-size list sorted and without repeats', () => {
    expect(parseFleetBenchOptions(['--cache-sizes', '500, 100,500']).cacheSizes).toEqual([100, 500]);
  });

  it('refuses a bad value, naming the option and the rule', () => {
    expect(refusal(['--customers', '0'])).toMatch(/--customers.*must be a whole number of at least 1/);
    expect(refusal(['--cache-sizes', '100,lots'])).toMatch(/--cache-sizes.*comma-separated list of whole numbers/);
    expect(refusal(['--sweep-interval', '1 second'])).toMatch(/--sweep-interval.*between 5 seconds and 1 hour/);
    expect(refusal(['--sweep-interval', 'soon'])).toMatch(/--sweep-interval.*must be a duration/);
    expect(refusal(['--log-level', 'loud'])).toMatch(/--log-level.*Allowed choices are fatal, error, warn, info, debug/);
  });

  it('refuses more lost webhooks than parked customers', () => {
    expect(refusal(['--customers', '10', '--lost-webhooks', '11'])).toMatch(/--lost-webhooks.*at most --customers \(10\)/);
  });
});

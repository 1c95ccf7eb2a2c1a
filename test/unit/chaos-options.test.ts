// `npm run chaos` options: the defaults the docs promise, and a bad value refused by name with its rule.
import { describe, expect, it } from 'vitest';
import { chaosCommand, parseChaosOptions } from '../../dev/chaos/options.js';

function refusal(args: string[]): string {
  let stderr = '';
  try {
    chaosCommand().exitOverride().configureOutput({ writeErr: (s) => (stderr += s) }).parse(args, { from: 'user' });
  } catch {
    return stderr;
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
}

describe('chaos options', () => {
  it('has the documented defaults', () => {
    expect(parseChaosOptions([])).toMatchObject({
      customers: 40,
      workers: 2,
      workerKills: 5,
      serverRestarts: 2,
      bridgeOutages: 1,
      faults: 'default',
      effectSettleDelay: '1 second',
      effectStartToCloseTimeout: '10 seconds',
      timeLimit: 900,
    });
    expect(parseChaosOptions([]).startRate).toBeUndefined();
  });

  it('refuses a bad value, naming the option and the rule', () => {
    expect(refusal(['--customers', '0'])).toMatch(/--customers.*must be a whole number of at least 1/);
    expect(refusal(['--effect-start-to-close-timeout', '2 seconds'])).toMatch(/--effect-start-to-close-timeout.*between 5 seconds and 10 minutes/);
    expect(refusal(['--faults', 'some'])).toMatch(/--faults.*default, none|Allowed choices are default, none/);
    expect(refusal(['--bridge-url', 'ftp://x'])).toMatch(/--bridge-url.*http\(s\) URL/);
  });
});

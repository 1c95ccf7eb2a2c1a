import { defineConfig } from 'vitest/config';

const TIME_SKIPPING = 'test/integration/lifecycle-timeskip*.test.ts';

// Three projects, run one after the other (groupOrder):
// - `unit` needs nothing but Node;
// - `integration` shares one Temporal dev server per run (started in global setup) and starts its own sandboxes;
// - `time-skipping` runs alone at the end: the time-skipping server only skips time while nothing else is
//   happening, and on a loaded 2-core machine its skips were seen to stall behind other files' workers.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          benchmark: { include: ['bench/**/*.bench.ts'] },
          sequence: { groupOrder: 0 },
          environment: 'node',
          // Unit tests take milliseconds alone, but CI runs them on 2 cores beside the Temporal server's Go build:
          // a sandbox migration test that takes 0.4 s alone took 7 s there, past vitest's 5 s default.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [TIME_SKIPPING],
          sequence: { groupOrder: 1 },
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: each file runs Temporal workers with native threads; more than two at once only thrashes.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'time-skipping',
          include: [TIME_SKIPPING],
          sequence: { groupOrder: 2 },
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});

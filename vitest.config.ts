import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node; `integration` shares one Temporal dev server per run (started in
// global setup) and starts its own sandboxes and time-skipping servers where a file needs them.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          benchmark: { include: ['bench/**/*.bench.ts'] },
          // Unit tests first (fast feedback), then the integration project with its own worker limit.
          sequence: { groupOrder: 0 },
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: each file runs Temporal workers with native threads; more than two at once only thrashes.
          maxWorkers: 2,
        },
      },
    ],
  },
});

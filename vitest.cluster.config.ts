import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: the system on the self-hosted Temporal server and PostgreSQL (dev/cluster). Separate
// from `npm test` because it needs the server built from source first (scripts/build-temporal-server.mjs, about
// 10 minutes once). Files run one at a time: each starts its own PostgreSQL + Temporal server and kills parts of it.
export default defineConfig({
  test: {
    name: 'cluster',
    include: ['test/cluster/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});

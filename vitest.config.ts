import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Runs the PostgreSQL tier whenever a server answers (DATABASE_URL_TEST, else the local one).
    globalSetup: ['test/support/postgres-tier.global-setup.ts'],
    pool: 'forks',
    // Two cores: integration tests load real ONNX sessions and databases.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});

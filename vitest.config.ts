import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Runs the PostgreSQL tier whenever a server answers (DATABASE_URL_TEST, else the local one).
    // One migrated PGlite database per run, copied by the tests instead of migrating in each.
    globalSetup: ['test/support/postgres-tier.global-setup.ts', 'test/support/pglite-template.global-setup.ts'],
    pool: 'forks',
    // Two cores: integration tests load real ONNX sessions and databases.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Bounds for hangs, not speed checks: a test that spawns processes or loads ONNX sessions took
    // over 60 s on a 2-core machine under load (pglite-durability: 62 s) while passing.
    testTimeout: 150_000,
    hookTimeout: 150_000,
    reporters: ['default'],
  },
});

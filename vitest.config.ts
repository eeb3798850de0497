import { defineConfig } from 'vitest/config';

/** Settings both projects share (projects do not inherit the root's test options here, see below). */
const common = {
  // Bounds for hangs, not speed checks: a test that spawns processes or loads ONNX sessions took
  // over 60 s on a 2-core machine under load (pglite-durability: 62 s) while passing.
  testTimeout: 150_000,
  hookTimeout: 150_000,
};

export default defineConfig({
  test: {
    // Runs once per run, in the root only (projects list no globalSetup of their own, so it is not
    // repeated per project): the PostgreSQL tier runs whenever a server answers (DATABASE_URL_TEST,
    // else the local one); one migrated PGlite database is made for the tests to copy.
    globalSetup: ['test/support/postgres-tier.global-setup.ts', 'test/support/pglite-template.global-setup.ts'],
    // Two cores: integration tests load real ONNX sessions and databases.
    poolOptions: {
      // Unit tests share their modules within a worker (no per-file process and re-import: about
      // a third of their CPU time). They use no module mocks, fake timers or process-wide state.
      threads: { maxThreads: 2, minThreads: 1, isolate: false },
      // Integration tests keep a process per file: real ONNX sessions, databases, servers, signals.
      forks: { maxForks: 2, minForks: 1, isolate: true },
    },
    reporters: ['default'],
    projects: [
      // groupOrder: the unit project runs first, then the integration one (never both pools at
      // once, which would put four workers on two cores).
      { test: { ...common, name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads', sequence: { groupOrder: 0 } } },
      { test: { ...common, name: 'integration', include: ['test/integration/**/*.test.ts'], pool: 'forks', sequence: { groupOrder: 1 } } },
    ],
  },
});

/**
 * vitest globalSetup: makes one empty, migrated PGlite database per run, from today's
 * prisma/migrations, in two forms, so that no test file pays initdb and the migrations again
 * (about 4–8 s of CPU per process on a 2-core machine):
 *
 * - a snapshot tarball whose path goes to every test process in {@link MEMORY_TEMPLATE_ENV}:
 *   `openMemoryDatabase()` starts from it;
 * - a closed data folder (`<folder>/db`), handed to test files as `inject('pgliteDataDir')`:
 *   {@link seedMigratedDataDir} copies it into a child process's data folder when the test is not
 *   about a fresh folder's first start (see test/support/pglite-template.ts).
 *
 * Tests that prove the migrations themselves (fresh folders, `db migrate`, schema drift) do not use
 * either and still migrate from nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { MEMORY_TEMPLATE_ENV, migratedSnapshot } from '../../src/db/database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A closed, migrated PGlite data folder (its database in `<folder>/db`); copy, never open in place. */
    pgliteDataDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = await mkdtemp(path.join(tmpdir(), 'darkroom-test-pglite-'));
  const dataDir = path.join(folder, 'data');
  const snapshot = await migratedSnapshot(dataDir);
  const snapshotFile = path.join(folder, 'snapshot.tar');
  await writeFile(snapshotFile, Buffer.from(await snapshot.arrayBuffer()));
  // Test processes are forked after global set-up and inherit this; processes the tests spawn
  // as a user would (cleanEnvironment) do not.
  process.env[MEMORY_TEMPLATE_ENV] = snapshotFile;
  project.provide('pgliteDataDir', dataDir);
  return async () => {
    delete process.env[MEMORY_TEMPLATE_ENV];
    await rm(folder, { recursive: true, force: true });
  };
}

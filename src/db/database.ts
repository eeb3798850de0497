import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type pino from 'pino';
import { PrismaClient } from './generated/client.ts';
import {
  parsePostgresUrl,
  pgliteAdapterFactory,
  postgresAdapterFactory,
  quoteIdentifier,
  type PostgresTarget,
} from './driver-adapters.ts';
import { describeDatabaseFailure } from './database-errors.ts';
import { applyPendingMigrations, migrationStatus, type RawQuery } from './migrate.ts';

export type { PrismaClient } from './generated/client.ts';
export { DatabaseUnavailableError, type DatabaseFailureReason } from './database-errors.ts';

/** How to reach the database. */
export interface DatabaseOptions {
  /** `postgres://` or `postgresql://` → a PostgreSQL server; undefined → embedded PGlite. */
  url: string | undefined;
  /** Darkroom's data directory; PGlite keeps its files in `<dataDir>/db`. */
  dataDir: string;
  logger: pino.Logger | undefined;
}

/** What `darkroom doctor` / `darkroom db migrate` report. */
export interface DatabaseStatus {
  kind: 'pglite' | 'postgres';
  /** PGlite directory, or the server URL without its password. */
  location: string;
  appliedMigrations: string[];
  pendingMigrations: string[];
}

/** An open database. Only code in src/db should touch `prisma`; others use the repositories. */
export interface Database {
  readonly prisma: PrismaClient;
  readonly kind: 'pglite' | 'postgres';
  /** Applies pending migrations (a no-op when up to date); returns the names just applied. */
  migrate(): Promise<{ applied: string[] }>;
  status(): Promise<DatabaseStatus>;
  /** Disconnects; for PGlite also shuts the engine down so the data directory is clean. */
  close(): Promise<void>;
}

/**
 * Opens (without migrating) the database the options point at. Call `migrate()` before use;
 * start-up and `darkroom db migrate` do. A PostgreSQL server is first contacted by `migrate()`
 * or `status()`; when it cannot be used (down, wrong port, no such database, login refused)
 * they reject with a {@link DatabaseUnavailableError} whose message is one plain sentence.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url === undefined) {
    const directory = path.resolve(options.dataDir, 'db');
    await mkdir(directory, { recursive: true });
    return openPglite(await PGlite.create(directory), directory, options.logger);
  }
  if (!/^postgres(ql)?:\/\//.test(options.url)) {
    throw new Error('DATABASE_URL must start with postgres:// or postgresql:// (leave it unset for the embedded database).');
  }
  return openPostgres(parsePostgresUrl(options.url), options.logger);
}

/** Data directory of a migrated, empty in-memory database, made once per process. */
let memoryTemplate: Promise<Blob> | undefined;

/**
 * Test runs only: a file holding {@link migratedSnapshot}'s result, made once per run by the test
 * set-up (test/support/pglite-template.global-setup.ts), so that each test process skips initdb
 * and the migrations. Unset (anywhere else), the first {@link openMemoryDatabase} makes it.
 * Not a DARKROOM_* name: processes the tests start inherit it, and Darkroom's configuration
 * refuses DARKROOM_* variables it does not know.
 */
export const MEMORY_TEMPLATE_ENV = 'PGLITE_TEST_SNAPSHOT';

/**
 * A fresh, migrated, in-memory PGlite database: for tests. The first call runs initdb and the
 * migrations (or reads the run's snapshot file, see {@link MEMORY_TEMPLATE_ENV}); later calls
 * start from that snapshot (several times faster).
 */
export async function openMemoryDatabase(): Promise<Database> {
  memoryTemplate ??= loadMemoryTemplate().catch((error: unknown) => {
    memoryTemplate = undefined;
    throw error;
  });
  const pglite = await PGlite.create({ loadDataDir: await memoryTemplate });
  return openPglite(pglite, 'memory://', undefined);
}

async function loadMemoryTemplate(): Promise<Blob> {
  const file = process.env[MEMORY_TEMPLATE_ENV];
  return file ? new Blob([await readFile(file)]) : migratedSnapshot(undefined);
}

/**
 * A tarball of an empty, migrated PGlite data directory (what `loadDataDir` takes): made in
 * memory, or from the PGlite files in `dataDir` when given (left closed and migrated).
 */
export async function migratedSnapshot(dataDir: string | undefined): Promise<Blob> {
  const directory = dataDir === undefined ? undefined : path.resolve(dataDir, 'db');
  if (directory !== undefined) await mkdir(directory, { recursive: true });
  const pglite = directory === undefined ? await PGlite.create() : await PGlite.create(directory);
  const database = openPglite(pglite, directory ?? 'memory://', undefined);
  try {
    await database.migrate();
    return await pglite.dumpDataDir('none');
  } finally {
    await database.close();
  }
}

function openPglite(pglite: PGlite, location: string, logger: pino.Logger | undefined): Database {
  const factory = pgliteAdapterFactory(pglite);
  return createDatabase({
    kind: 'pglite',
    location,
    factory,
    logger: logger?.child({ component: 'db' }),
    prepare: async () => {},
    shutdown: () => pglite.close(),
    plainFailure: () => undefined,
  });
}

function openPostgres(target: PostgresTarget, logger: pino.Logger | undefined): Database {
  const factory = postgresAdapterFactory(target);
  const location = new URL(target.connectionString);
  location.password = '';
  location.searchParams.set('schema', target.schema);
  return createDatabase({
    kind: 'postgres',
    location: location.toString(),
    factory,
    logger: logger?.child({ component: 'db' }),
    // `prisma migrate deploy` creates the schema named in the URL when missing; so do we.
    prepare: async (prisma) => {
      await prisma.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(target.schema)}`);
    },
    shutdown: async () => {},
    plainFailure: (error) => describeDatabaseFailure(error, target.connectionString),
  });
}

interface DatabaseParts {
  kind: Database['kind'];
  location: string;
  factory: SqlMigrationAwareDriverAdapterFactory;
  logger: pino.Logger | undefined;
  prepare: (prisma: PrismaClient) => Promise<void>;
  shutdown: () => Promise<void>;
  /** The plain error for a server that cannot be used, or undefined to keep the original. */
  plainFailure: (error: unknown) => Error | undefined;
}

function createDatabase(parts: DatabaseParts): Database {
  const prisma = new PrismaClient({ adapter: parts.factory });
  const query: RawQuery = (sql) => prisma.$queryRawUnsafe<unknown[]>(sql);
  let closing: Promise<void> | undefined;
  const plainly = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw parts.plainFailure(error) ?? error;
    }
  };
  return {
    prisma,
    kind: parts.kind,
    migrate: () =>
      plainly(async () => {
        await parts.prepare(prisma);
        return applyPendingMigrations(parts.factory, parts.logger);
      }),
    status: () => plainly(async () => ({ kind: parts.kind, location: parts.location, ...(await migrationStatus(query)) })),
    close() {
      closing ??= (async () => {
        await prisma.$disconnect();
        await parts.shutdown();
        parts.logger?.debug({ kind: parts.kind }, 'db.closed');
      })();
      return closing;
    },
  };
}

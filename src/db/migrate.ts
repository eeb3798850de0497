import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { Logger } from 'pino';
import { prismaPaths, readMigrationFolder, readSchemaFile } from './migration-files.ts';
import { NO_EXTERNAL_ENTITIES, withSchemaEngine } from './schema-engine.ts';

/** Where the committed migrations and schema are read from (defaults: the project's `prisma/`). */
export interface MigrationSource {
  migrationsDir: string;
  schemaPath: string;
}

export const PROJECT_MIGRATIONS: MigrationSource = {
  migrationsDir: prismaPaths.migrationsDir,
  schemaPath: prismaPaths.schema,
};

/** Thrown when a migration cannot be applied; the database keeps every earlier migration. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * Applies the committed migrations that the database does not have yet, exactly as
 * `prisma migrate deploy` does: same engine code (compiled to wasm), one transaction per
 * migration, one `_prisma_migrations` row each with `checksum` = sha256 of `migration.sql`.
 * A database already up to date is left untouched.
 */
export async function applyPendingMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  logger: Logger | undefined,
  source: MigrationSource = PROJECT_MIGRATIONS,
): Promise<{ applied: string[] }> {
  const [folder, schemaFile] = await Promise.all([
    readMigrationFolder(source.migrationsDir),
    readSchemaFile(source.schemaPath),
  ]);
  const started = performance.now();
  const log = logger ? (line: string) => logger.trace({ engine: line.trim() }, 'schema-engine') : undefined;
  try {
    const result = await withSchemaEngine({ schemaFile, adapterFactory, log }, (engine) =>
      engine.applyMigrations({ migrationsList: folder.list, filters: NO_EXTERNAL_ENTITIES }),
    );
    const applied = result.appliedMigrationNames;
    logger?.info({ applied, durationMs: Math.round(performance.now() - started) }, 'db.migrated');
    return { applied };
  } catch (error) {
    throw new MigrationError(`Applying database migrations failed: ${describeEngineError(error)}`, { cause: error });
  }
}

/** The engine rejects with plain objects or Errors depending on where the failure happened. */
function describeEngineError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return JSON.stringify(error);
}

/** Runs one SQL query and returns its rows (the Prisma client's `$queryRawUnsafe`). */
export type RawQuery = (sql: string) => Promise<unknown[]>;

/**
 * Names of the migrations recorded as successfully applied (not rolled back), oldest first.
 * An empty list when `_prisma_migrations` does not exist yet.
 */
export async function readAppliedMigrations(query: RawQuery): Promise<string[]> {
  const [probe] = (await query(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS "exists"`)) as {
    exists: boolean;
  }[];
  if (!probe?.exists) return [];
  const rows = (await query(
    `SELECT migration_name FROM _prisma_migrations
     WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
     ORDER BY migration_name`,
  )) as { migration_name: string }[];
  return rows.map((row) => row.migration_name);
}

/** Which committed migrations are applied and which are still pending. */
export async function migrationStatus(
  query: RawQuery,
  source: MigrationSource = PROJECT_MIGRATIONS,
): Promise<{ appliedMigrations: string[]; pendingMigrations: string[] }> {
  const [applied, folder] = await Promise.all([readAppliedMigrations(query), readMigrationFolder(source.migrationsDir)]);
  const appliedSet = new Set(applied);
  return { appliedMigrations: applied, pendingMigrations: folder.names.filter((name) => !appliedSet.has(name)) };
}

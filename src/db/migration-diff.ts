import { PGlite } from '@electric-sql/pglite';
import { pgliteAdapterFactory } from './driver-adapters.ts';
import { MIGRATION_LOCK_TOML, readMigrationFolder, readSchemaFile } from './migration-files.ts';
import { PROJECT_MIGRATIONS, type MigrationSource } from './migrate.ts';
import { NO_EXTERNAL_ENTITIES, withSchemaEngine } from './schema-engine.ts';

/**
 * The SQL that takes a database built from the committed migrations to the Prisma schema: what
 * `prisma migrate dev` would put in the next migration. The migrations are replayed into a
 * throw-away in-memory PGlite (the shadow database); no other database is touched. Returns only
 * comments (see {@link isEmptyMigration}) when the two already agree.
 */
export async function diffMigrationsToSchema(source: MigrationSource = PROJECT_MIGRATIONS): Promise<string> {
  const [folder, schemaFile] = await Promise.all([
    readMigrationFolder(source.migrationsDir),
    readSchemaFile(source.schemaPath),
  ]);
  // The engine reads the dialect from the lock file; before the first migration there is none.
  const lockfile = { ...folder.list.lockfile, content: folder.list.lockfile.content ?? MIGRATION_LOCK_TOML };
  const pglite = await PGlite.create();
  try {
    return await withSchemaEngine({ schemaFile, adapterFactory: pgliteAdapterFactory(pglite), log: undefined }, async (engine) => {
      const result = await engine.diff({
        from: { tag: 'migrations', ...folder.list, lockfile },
        to: { tag: 'schemaDatamodel', files: [schemaFile] },
        script: true,
        exitCode: null,
        filters: NO_EXTERNAL_ENTITIES,
      });
      return result.stdout ?? '';
    });
  } finally {
    await pglite.close();
  }
}

/** True when a diff holds no statement (the engine answers "-- This is an empty migration."). */
export function isEmptyMigration(sql: string): boolean {
  return sql.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'));
}

/**
 * Offline replacement for `prisma migrate dev --create-only`:
 *
 *   npx tsx scripts/prisma-migrate-dev.ts <name>
 *
 * Replays the committed migrations into a throw-away in-memory PGlite (the shadow database),
 * asks Prisma's schema engine (wasm build, same code as the CLI's native engine) for the SQL that
 * takes that database to prisma/schema.prisma, and writes it to
 * prisma/migrations/<UTC timestamp>_<name>/migration.sql. Nothing is written when the schema
 * and the migrations already agree (exit code 0), so it doubles as a drift check: `--check`
 * exits 1 instead of writing when a migration would be needed.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { diffMigrationsToSchema, isEmptyMigration } from '../src/db/migration-diff.ts';
import { MIGRATION_LOCK_TOML, prismaPaths, readMigrationFolder } from '../src/db/migration-files.ts';

function usage(message: string): never {
  console.error(`${message}\nusage: npx tsx scripts/prisma-migrate-dev.ts <name> | --check`);
  process.exit(2);
}

/** Prisma's folder naming: UTC `YYYYMMDDHHMMSS`, then the name in snake_case. */
function migrationFolderName(name: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug === '') usage(`Migration name "${name}" has no letters or digits.`);
  return `${stamp}_${slug}`.slice(0, 200);
}

async function main(argv: string[]): Promise<number> {
  const [arg] = argv;
  if (arg === undefined || argv.length > 1) usage('Expected exactly one argument.');
  const checkOnly = arg === '--check';

  const sql = await diffMigrationsToSchema();
  if (isEmptyMigration(sql)) {
    const { names } = await readMigrationFolder();
    console.log(`No schema changes: ${names.length} migration(s) already match prisma/schema.prisma.`);
    return 0;
  }
  if (checkOnly) {
    console.error('prisma/schema.prisma differs from the committed migrations. Pending SQL:\n' + sql);
    return 1;
  }

  const folderName = migrationFolderName(arg, new Date());
  const dir = path.join(prismaPaths.migrationsDir, folderName);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), sql.endsWith('\n') ? sql : `${sql}\n`);
  if (!existsSync(prismaPaths.lockfile)) await writeFile(prismaPaths.lockfile, MIGRATION_LOCK_TOML);
  console.log(`Wrote ${path.relative(process.cwd(), path.join(dir, 'migration.sql'))}. Review it, then commit it.`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));

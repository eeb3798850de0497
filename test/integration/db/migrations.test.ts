import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.ts';
import { openMemoryDatabase } from '../../../src/db/database.ts';
import { MigrationError, applyPendingMigrations } from '../../../src/db/migrate.ts';
import { projectRoot } from '../../support/shared-dir.ts';
import { dbTargets, type EmptyDatabase } from './db-targets.ts';

const migrationsDir = path.join(projectRoot, 'prisma', 'migrations');
/** The committed migrations, listed independently of src/db. */
const committed = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`migrations on ${target.name}${target.skipReason}`, () => {
    let empty: EmptyDatabase;
    let database: Database;

    beforeAll(async () => {
      empty = await target.openEmpty();
      database = empty.database;
    });
    afterAll(() => empty?.dispose());

    it('applies every committed migration to an empty database, and a second run changes nothing', async () => {
      expect(committed.length).toBeGreaterThan(0);
      const before = await database.status();
      expect(before.kind).toBe(target.name);
      expect(before.appliedMigrations).toEqual([]);
      expect(before.pendingMigrations).toEqual(committed);

      expect(await database.migrate()).toEqual({ applied: committed });
      expect(await database.migrate()).toEqual({ applied: [] });

      const after = await database.status();
      expect(after.appliedMigrations).toEqual(committed);
      expect(after.pendingMigrations).toEqual([]);
    });

    it('records each migration in _prisma_migrations the way prisma migrate deploy does', async () => {
      const rows = await database.prisma.$queryRawUnsafe<MigrationRow[]>(
        'SELECT * FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(rows.map((row) => row.migration_name)).toEqual(committed);
      for (const row of rows) {
        const file = readFileSync(path.join(migrationsDir, row.migration_name, 'migration.sql'));
        expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.logs).toBeNull();
        expect(row.applied_steps_count).toBe(1);
        expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }
    });

    it('creates the snake_case tables the schema names, in the target schema only', async () => {
      const tables = await database.prisma.$queryRawUnsafe<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
      );
      expect(tables.map((row) => row.table_name).sort()).toEqual(
        [
          '_prisma_migrations',
          'blocked_terms',
          'chat_event_claims',
          'generations',
          'images',
          'moderation_actions',
          'user_settings',
          'users',
          'workspace_bans',
          'workspaces',
        ].sort(),
      );
      const columns = await database.prisma.$queryRawUnsafe<{ column_name: string }[]>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
      );
      for (const { column_name } of columns) expect(column_name).toMatch(/^[a-z][a-z0-9_]*$/);
    });
  });

  describe.skipIf(target.skipReason !== '')(`a failing migration on ${target.name}${target.skipReason}`, () => {
    it('is rolled back as a whole, recorded as failed, and stops later runs', async () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'darkroom-migrations-'));
      const raw = await target.openRawFactory();
      try {
        cpSync(migrationsDir, folder, { recursive: true });
        const broken = '29991231235959_broken';
        mkdirSync(path.join(folder, broken));
        // First statement is fine, second fails: the first must not survive.
        writeFileSync(
          path.join(folder, broken, 'migration.sql'),
          'CREATE TABLE half_done (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n',
        );
        const source = { migrationsDir: folder, schemaPath: path.join(projectRoot, 'prisma', 'schema.prisma') };

        await expect(applyPendingMigrations(raw.factory, undefined, source)).rejects.toThrow(MigrationError);

        const adapter = await raw.factory.connect();
        const query = async (sql: string) => (await adapter.queryRaw({ sql, args: [], argTypes: [] })).rows;
        expect(await query(`SELECT to_regclass('half_done') IS NULL`)).toEqual([[true]]);
        expect(await query(`SELECT to_regclass('users') IS NULL`)).toEqual([[false]]);
        const [failed] = await query(
          `SELECT finished_at IS NULL, logs IS NOT NULL FROM _prisma_migrations WHERE migration_name = '${broken}'`,
        );
        expect(failed).toEqual([true, true]);
        // Like `migrate deploy`, a failed migration blocks further runs until someone resolves it.
        await expect(applyPendingMigrations(raw.factory, undefined, source)).rejects.toThrow(/failed/i);
        await adapter.dispose();
      } finally {
        await raw.dispose();
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
}

describe('migration files', () => {
  it('are found from any working directory', async () => {
    const previous = process.cwd();
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'darkroom-cwd-'));
    process.chdir(elsewhere);
    let database: Database | undefined;
    try {
      database = await openMemoryDatabase();
      const status = await database.status();
      expect(status.appliedMigrations).toEqual(committed);
      expect(status.pendingMigrations).toEqual([]);
    } finally {
      process.chdir(previous);
      await database?.close();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

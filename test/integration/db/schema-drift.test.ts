/**
 * prisma/schema.prisma and prisma/migrations must describe the same database: a schema edit
 * without a new migration (scripts/prisma-migrate-dev.ts) fails here.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffMigrationsToSchema, isEmptyMigration } from '../../../src/db/migration-diff.ts';
import { projectRoot } from '../../support/shared-dir.ts';

const prismaDir = path.join(projectRoot, 'prisma');
const scratch = mkdtempSync(path.join(tmpdir(), 'darkroom-drift-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('schema and migrations', () => {
  it('agree: the committed migrations build exactly prisma/schema.prisma', async () => {
    const sql = await diffMigrationsToSchema();
    expect(isEmptyMigration(sql), `pending SQL:\n${sql}`).toBe(true);
  });

  it('a schema change shows up as the next migration', async () => {
    cpSync(path.join(prismaDir, 'migrations'), path.join(scratch, 'migrations'), { recursive: true });
    const schema = readFileSync(path.join(prismaDir, 'schema.prisma'), 'utf8');
    const edited = schema.replace(/(model Workspace \{\n)/, '$1  locale String? @map("preferred_locale")\n');
    expect(edited).not.toBe(schema);
    writeFileSync(path.join(scratch, 'schema.prisma'), edited);

    const sql = await diffMigrationsToSchema({
      migrationsDir: path.join(scratch, 'migrations'),
      schemaPath: path.join(scratch, 'schema.prisma'),
    });
    expect(sql).toMatch(/ALTER TABLE "workspaces" ADD COLUMN\s+"preferred_locale" TEXT/);
  });
});

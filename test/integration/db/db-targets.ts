/**
 * The two database tiers every db integration test runs on: in-memory PGlite always, a real
 * PostgreSQL when one answers (DATABASE_URL_TEST, else postgresql://postgres@127.0.0.1:5432/test;
 * see test/support/postgres-tier.global-setup.ts). Each PostgreSQL database handed out lives
 * in its own fresh schema, dropped again by `dispose()`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { Database } from '../../../src/db/database.ts';
import { openDatabase, openMemoryDatabase } from '../../../src/db/database.ts';
import {
  parsePostgresUrl,
  pgliteAdapterFactory,
  postgresAdapterFactory,
  quoteIdentifier,
} from '../../../src/db/driver-adapters.ts';
import { postgresTier } from '../../support/postgres-tier.ts';

/** The PostgreSQL server of this run (DATABASE_URL_TEST, else the local one when it answers). */
export const postgresTestUrl: string | undefined = postgresTier().url || undefined;

/** Text for a describe() title so the PostgreSQL tier's skip says why. */
export const postgresSkipReason = postgresTier().skipReason;

/** An empty database of one tier, plus a raw adapter factory onto the same place. */
export interface EmptyDatabase {
  /** Not migrated. */
  database: Database;
  /** Drops what the test created (PostgreSQL schema) and closes. */
  dispose(): Promise<void>;
}

export interface DbTarget {
  name: 'pglite' | 'postgres';
  skipReason: string;
  /** A fresh, empty (unmigrated) database. */
  openEmpty(): Promise<EmptyDatabase>;
  /** A fresh, migrated database. */
  openMigrated(): Promise<EmptyDatabase>;
  /** A fresh empty place plus a driver adapter factory onto it, for engine-level tests. */
  openRawFactory(): Promise<{ factory: SqlMigrationAwareDriverAdapterFactory; dispose(): Promise<void> }>;
}

function uniqueSchema(): string {
  return `darkroom_test_${randomBytes(6).toString('hex')}`;
}

function schemaUrl(schema: string): string {
  const url = new URL(postgresTestUrl ?? 'postgresql://unset');
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function openEmptyPostgres(): Promise<EmptyDatabase> {
  const schema = uniqueSchema();
  const database = await openDatabase({ url: schemaUrl(schema), dataDir: '/nonexistent', logger: undefined });
  return {
    database,
    async dispose() {
      await database.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      await database.close();
    },
  };
}

export const pgliteTarget: DbTarget = {
  name: 'pglite',
  skipReason: '',
  async openEmpty() {
    // File-backed, as in production: openMemoryDatabase() would migrate already.
    const dataDir = await mkdtemp(path.join(tmpdir(), 'darkroom-db-test-'));
    const database = await openDatabase({ url: undefined, dataDir, logger: undefined });
    return {
      database,
      async dispose() {
        await database.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
  async openMigrated() {
    const database = await openMemoryDatabase();
    return { database, dispose: () => database.close() };
  },
  async openRawFactory() {
    const pglite = await PGlite.create();
    return { factory: pgliteAdapterFactory(pglite), dispose: () => pglite.close() };
  },
};

export const postgresTarget: DbTarget = {
  name: 'postgres',
  skipReason: postgresSkipReason,
  openEmpty: openEmptyPostgres,
  async openMigrated() {
    const empty = await openEmptyPostgres();
    await empty.database.migrate();
    return empty;
  },
  async openRawFactory() {
    const schema = uniqueSchema();
    const target = parsePostgresUrl(schemaUrl(schema));
    const helper = await openDatabase({ url: schemaUrl(schema), dataDir: '/nonexistent', logger: undefined });
    await helper.prisma.$executeRawUnsafe(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    return {
      factory: postgresAdapterFactory(target),
      async dispose() {
        await helper.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
        await helper.close();
      },
    };
  },
};

/** The tiers, PostgreSQL last; use with `describe.skipIf(target.skipReason !== '')`. */
export const dbTargets: readonly DbTarget[] = [pgliteTarget, postgresTarget];

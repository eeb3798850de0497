/**
 * The cheapest question a database can answer (`SELECT 1`), for readiness probes: it resolves
 * when the database answers and rejects when it is closed, stopped or unreachable.
 */
import type { Database } from './database.ts';

/** Resolves once the database has answered `SELECT 1`. */
export async function pingDatabase(database: Database): Promise<void> {
  await database.prisma.$queryRaw`SELECT 1`;
}

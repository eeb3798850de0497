/** `darkroom db migrate` and `darkroom db status`. */
import type { Command } from 'commander';
import type { Database, DatabaseStatus } from '../db/database.ts';
import { DatabaseUnavailableError } from '../db/database-errors.ts';
import type { LockHolder } from '../lifecycle/data-dir-lock.ts';
import { describeLockHolder } from '../lifecycle/data-dir-lock.ts';
import type { CliContext } from './cli-context.ts';
import { EXIT } from './cli-context.ts';

/** One paragraph about the database, for `db status` and `doctor`. */
export function describeDatabaseStatus(status: DatabaseStatus): string {
  const kind = status.kind === 'pglite' ? 'embedded PostgreSQL (PGlite)' : 'PostgreSQL server';
  const pending =
    status.pendingMigrations.length === 0
      ? 'up to date'
      : `${status.pendingMigrations.length} pending: ${status.pendingMigrations.join(', ')} (npx darkroom db migrate, or npm start, applies them)`;
  return `${kind} at ${status.location}: ${status.appliedMigrations.length} migration(s) applied, ${pending}`;
}

export function registerDbCommand(program: Command, context: CliContext): void {
  const db = program.command('db').description('the history database');
  db.command('migrate')
    .description('apply pending migrations (start-up does this too)')
    .action(async () => {
      await withDatabase(context, 'db migrate', undefined, async (database) => {
        const { applied } = await database.migrate();
        context.out(applied.length === 0 ? 'No pending migrations.' : `Applied ${applied.length} migration(s): ${applied.join(', ')}`);
        context.out(describeDatabaseStatus(await database.status()));
      });
    });
  db.command('status')
    .description('show the database kind, location and migrations (read-only facts while a running darkroom holds the embedded one)')
    .action(async () => {
      await withDatabase(context, 'db status', readOnlyStatus, async (database) => {
        const status = await database.status();
        context.out(describeDatabaseStatus(status));
        if (status.pendingMigrations.length > 0) context.exitCode = EXIT.failure;
      });
    });
}

/**
 * `db status` while a running Darkroom holds the embedded database: what can be known without
 * opening it (exit 0: a running bot is the normal case, e.g. `docker exec … darkroom db status`).
 */
async function readOnlyStatus(context: CliContext, dataDir: string, refusal: { file: string; holder: LockHolder }): Promise<void> {
  const { describeHeldDatabaseStatus, readHeldDatabaseStatus } = await import('../lifecycle/held-database-status.ts');
  context.out(describeHeldDatabaseStatus(await readHeldDatabaseStatus(dataDir, refusal)));
}

async function withDatabase(
  context: CliContext,
  command: string,
  /** What to do when another process holds the embedded database; undefined: refuse (exit 1). */
  whenHeld: ((context: CliContext, dataDir: string, refusal: { file: string; holder: LockHolder }) => Promise<void>) | undefined,
  work: (database: Database) => Promise<void>,
): Promise<void> {
  const config = context.config();
  if (config === undefined) return;
  // Prisma and the database drivers load only when a db command runs.
  const { openDatabaseForCommand } = await import('./database-access.ts');
  const access = await openDatabaseForCommand(config, command, context.logger(config, 'stderr'));
  if (!access.ok && whenHeld !== undefined) {
    await whenHeld(context, config.dataDir, access);
    return;
  }
  if (!access.ok) {
    context.err(describeLockHolder(access));
    context.exitCode = EXIT.failure;
    return;
  }
  try {
    await work(access.database);
  } catch (error) {
    // A server that cannot be used is one sentence with what to check, not a Prisma stack.
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    context.err(error.message);
    context.exitCode = EXIT.failure;
  } finally {
    await access.close();
  }
}

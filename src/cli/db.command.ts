/** `darkroom db migrate` and `darkroom db status`. */
import type { Command } from 'commander';
import type { Database, DatabaseStatus } from '../db/database.ts';
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
      await withDatabase(context, 'db migrate', async (database) => {
        const { applied } = await database.migrate();
        context.out(applied.length === 0 ? 'No pending migrations.' : `Applied ${applied.length} migration(s): ${applied.join(', ')}`);
        context.out(describeDatabaseStatus(await database.status()));
      });
    });
  db.command('status')
    .description('show the database kind, location and migrations')
    .action(async () => {
      await withDatabase(context, 'db status', async (database) => {
        const status = await database.status();
        context.out(describeDatabaseStatus(status));
        if (status.pendingMigrations.length > 0) context.exitCode = EXIT.failure;
      });
    });
}

async function withDatabase(
  context: CliContext,
  command: string,
  work: (database: Database) => Promise<void>,
): Promise<void> {
  const config = context.config();
  if (config === undefined) return;
  // Prisma and the database drivers load only when a db command runs.
  const { openDatabaseForCommand } = await import('./database-access.ts');
  const access = await openDatabaseForCommand(config, command, context.logger(config, 'stderr'));
  if (!access.ok) {
    context.err(describeLockHolder(access));
    context.exitCode = EXIT.failure;
    return;
  }
  try {
    await work(access.database);
  } finally {
    await access.close();
  }
}

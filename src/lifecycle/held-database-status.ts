/**
 * What `db status` and `doctor` can say about an embedded database that a running Darkroom has
 * open (a container's `darkroom start`, asked with `docker exec … darkroom db status`). PGlite
 * serves one process at a time, and a second process opening the folder would lose writes, so
 * nothing here opens it: the facts come from the lock file, the committed migrations and the
 * folder's size on disk.
 */
import path from 'node:path';
import { readMigrationFolder } from '../db/migration-files.ts';
import { folderBytes } from '../generation/models/folder-size.ts';
import { formatBytes } from '../generation/models/model.types.ts';
import type { LockHolder } from './data-dir-lock.ts';

/** The read-only facts about a database another process holds. */
export interface HeldDatabaseStatus {
  /** `<dataDir>/db`. */
  readonly location: string;
  readonly lockFile: string;
  readonly holder: LockHolder;
  /** Migration folder names shipped with this installation, in the order they apply. */
  readonly migrationsOnDisk: readonly string[];
  /** Bytes of `<dataDir>/db` on disk. */
  readonly databaseBytes: number;
}

/** Gathers the facts without opening the database. */
export async function readHeldDatabaseStatus(
  dataDir: string,
  refusal: { readonly file: string; readonly holder: LockHolder },
  migrationsDir?: string,
): Promise<HeldDatabaseStatus> {
  const location = path.join(dataDir, 'db');
  const [migrations, databaseBytes] = await Promise.all([readMigrationFolder(migrationsDir), folderBytes(location)]);
  return { location, lockFile: refusal.file, holder: refusal.holder, migrationsOnDisk: migrations.names, databaseBytes };
}

/** The paragraph `db status` and `doctor` print: first line says read-only and why. */
export function describeHeldDatabaseStatus(status: HeldDatabaseStatus): string {
  const { holder } = status;
  const latest = status.migrationsOnDisk.at(-1);
  return [
    `embedded PostgreSQL (PGlite) at ${status.location}: read-only status: the running Darkroom ` +
      `(pid ${holder.pid}, "darkroom ${holder.command}" since ${holder.since}) has it open, and the embedded database ` +
      'serves one process at a time, so it was not opened',
    `migrations on disk: ${status.migrationsOnDisk.length}${latest !== undefined ? ` (latest ${latest})` : ''}; ` +
      'which of them are applied is not read (darkroom start applies pending ones when it starts)',
    `size on disk: ${formatBytes(status.databaseBytes)}; lock file ${status.lockFile}`,
  ].join('\n');
}

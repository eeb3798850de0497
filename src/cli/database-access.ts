/**
 * Opening the configured database from a CLI command, with the embedded database's
 * one-process lock held for as long as it is open.
 */
import type { DarkroomConfig } from '../config/config.types.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/database.ts';
import type { LockHolder } from '../lifecycle/data-dir-lock.ts';
import { acquireDataDirLock } from '../lifecycle/data-dir-lock.ts';
import type { Logger } from '../logging/logger.ts';

export type DatabaseAccess =
  | { readonly ok: true; readonly database: Database; close(): Promise<void> }
  | { readonly ok: false; readonly file: string; readonly holder: LockHolder };

/** Opens the database for `command`, or says which running Darkroom holds the embedded one. */
export async function openDatabaseForCommand(config: DarkroomConfig, command: string, logger: Logger): Promise<DatabaseAccess> {
  const lock = config.database.url === undefined ? acquireDataDirLock(config.dataDir, command) : undefined;
  if (lock !== undefined && !lock.ok) return lock;
  try {
    const database = await openDatabase({ url: config.database.url, dataDir: config.dataDir, logger });
    return {
      ok: true,
      database,
      async close() {
        try {
          await database.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

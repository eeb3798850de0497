/**
 * The run's migrated PGlite data folder (made once by pglite-template.global-setup.ts), copied
 * into a test's own data folder so that a process started there finds its database already
 * migrated instead of running initdb and every migration (seconds of CPU per process).
 */
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';

/**
 * Gives `dataDir` (Darkroom's data folder, DARKROOM_DATA_DIR) an empty database with every
 * committed migration applied, as if `darkroom db migrate` had run there. Only for tests that are
 * not about a fresh folder's first start: those must let Darkroom migrate by itself.
 */
export function seedMigratedDataDir(dataDir: string): void {
  const target = path.join(dataDir, 'db');
  if (existsSync(target)) throw new Error(`seedMigratedDataDir: ${target} already exists`);
  cpSync(path.join(inject('pgliteDataDir'), 'db'), target, { recursive: true });
}

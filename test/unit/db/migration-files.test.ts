import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readMigrationFolder } from '../../../src/db/migration-files.ts';

const dirs: string[] = [];
function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'darkroom-migfiles-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('readMigrationFolder', () => {
  it('lists migration folders in name order, with their SQL and the lock file', async () => {
    const dir = folder();
    for (const name of ['20240301000000_second', '20240101000000_first']) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'migration.sql'), `-- ${name}\n`);
    }
    writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    const { names, list } = await readMigrationFolder(dir);
    expect(names).toEqual(['20240101000000_first', '20240301000000_second']);
    expect(list.lockfile.content).toBe('provider = "postgresql"\n');
    expect(list.migrationDirectories[1]?.migrationFile.content).toEqual({ tag: 'ok', value: '-- 20240301000000_second\n' });
  });

  it('treats a missing folder as an empty history', async () => {
    const { names, list } = await readMigrationFolder(path.join(folder(), 'absent'));
    expect(names).toEqual([]);
    expect(list.lockfile.content).toBeNull();
  });

  it('reports a folder without migration.sql as an error for the engine to raise', async () => {
    const dir = folder();
    mkdirSync(path.join(dir, '20240101000000_empty'));
    const { list } = await readMigrationFolder(dir);
    expect(list.migrationDirectories[0]?.migrationFile.content.tag).toBe('error');
  });
});

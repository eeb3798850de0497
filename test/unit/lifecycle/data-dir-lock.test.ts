import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME, acquireDataDirLock, describeLockHolder } from '../../../src/lifecycle/data-dir-lock.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'darkroom-lock-')), 'data');
});
afterEach(() => {
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

function writeLock(pid: number): void {
  writeFileSync(path.join(dataDir, LOCK_FILE_NAME), JSON.stringify({ pid, command: 'start', since: '2026-01-01T00:00:00Z' }));
}

describe('acquireDataDirLock', () => {
  it('creates the data folder, takes the lock and gives it back', () => {
    const lock = acquireDataDirLock(dataDir, 'db migrate');
    expect(lock.ok).toBe(true);
    expect(existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(true);
    if (lock.ok) lock.release();
    expect(existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(false);
  });

  it('refuses while another live process holds it, naming that process', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await new Promise((resolve) => other.once('spawn', resolve));
      acquireDataDirLock(dataDir, 'start');
      writeLock(other.pid ?? -1);
      const lock = acquireDataDirLock(dataDir, 'doctor');
      expect(lock.ok).toBe(false);
      if (!lock.ok) expect(describeLockHolder(lock)).toContain(`pid ${other.pid}`);
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left by a process that is gone (kill -9)', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    acquireDataDirLock(dataDir, 'start');
    writeLock(gone.pid ?? -1);
    expect(acquireDataDirLock(dataDir, 'start').ok).toBe(true);
  });
});

/**
 * One process at a time on an embedded database. PGlite has no postmaster lock: two processes
 * opening the same `data/db` each keep their own view and overwrite each other's writes. So
 * `start`, `db migrate` and `doctor` take `<dataDir>/darkroom.lock` first. A lock left by a
 * process that no longer exists (kill -9, power cut) is taken over.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface LockHolder {
  readonly pid: number;
  readonly command: string;
  readonly since: string;
}

export type LockResult =
  | { readonly ok: true; readonly file: string; release(): void }
  | { readonly ok: false; readonly file: string; readonly holder: LockHolder };

export const LOCK_FILE_NAME = 'darkroom.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number'
      ? { pid: parsed.pid, command: String(parsed.command ?? '?'), since: String(parsed.since ?? '?') }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the data directory's lock for `command`, or says which live process holds it. */
export function acquireDataDirLock(dataDir: string, command: string): LockResult {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE_NAME);
  const mine: LockHolder = { pid: process.pid, command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: 'wx' });
      return { ok: true, file, release: () => releaseIfMine(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    // In a container the bot is always pid 1: a lock naming our own pid is a leftover.
    if (holder !== undefined && holder.pid !== process.pid && isAlive(holder.pid)) return { ok: false, file, holder };
    unlinkSync(file);
  }
  throw new Error(`could not take the lock ${file}: another process keeps recreating it`);
}

function releaseIfMine(file: string): void {
  if (readHolder(file)?.pid === process.pid) unlinkSync(file);
}

/** Plain words for a refused lock. */
export function describeLockHolder(result: { file: string; holder: LockHolder }): string {
  const { holder, file } = result;
  return (
    `The embedded database is in use by another Darkroom process (pid ${holder.pid}, "darkroom ${holder.command}" since ${holder.since}). ` +
    `Stop it first. If no such process is running, delete ${file}.`
  );
}

/**
 * `db status` and `doctor` against an embedded database that another live process holds (as a
 * container's `darkroom start` does): a read-only status from the lock, the migrations on disk
 * and the size, said to be read-only and why, instead of "in use by another process". The
 * holder here is a real process that took the lock with the lock helper; test/integration/cli/
 * darkroom-cli.test.ts does the same against a real `darkroom start`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliWith } from '../../../src/cli/cli.ts';
import { LOCK_FILE_NAME } from '../../../src/lifecycle/data-dir-lock.ts';
import { seedMigratedDataDir } from '../../support/pglite-template.ts';
import { projectRoot } from '../../support/shared-dir.ts';

const root = mkdtempSync(path.join(tmpdir(), 'darkroom-held-db-'));
const dataDir = path.join(root, 'data');
let holder: ChildProcess;

/** Migration names committed in prisma/migrations, read independently of the db code. */
function committedMigrations(): string[] {
  return readdirSync(path.join(projectRoot, 'prisma', 'migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function darkroom(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCliWith(argv, {
    env: { DARKROOM_DATA_DIR: dataDir, DARKROOM_MODELS_DIR: path.join(root, 'models'), DARKROOM_CONFIG_DIR: path.join(root, 'config') },
    envFile: undefined,
    workingDir: root,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  mkdirSync(path.join(root, 'config'), { recursive: true });
  seedMigratedDataDir(dataDir);
  // Another process takes the lock through the real helper and keeps it until killed.
  const helper = path.join(projectRoot, 'src', 'lifecycle', 'data-dir-lock.ts');
  const script = `const { acquireDataDirLock } = await import(${JSON.stringify(helper)}); const lock = acquireDataDirLock(${JSON.stringify(dataDir)}, 'start'); console.log(lock.ok ? 'locked' : 'refused'); setInterval(() => {}, 1 << 30);`;
  holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.on('data', (chunk: Buffer) => (chunk.toString().includes('locked') ? resolve() : reject(new Error(chunk.toString()))));
    holder.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
}, 120_000);

afterAll(() => {
  holder?.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('an embedded database held by a running darkroom', () => {
  it('db status answers with a read-only status: holder, migrations on disk, size, and why it is read-only', async () => {
    const lockBefore = readFileSync(path.join(dataDir, LOCK_FILE_NAME), 'utf8');
    const result = await darkroom(['db', 'status']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`read-only status: the running Darkroom (pid ${holder.pid}, "darkroom start" since `);
    expect(result.out).toContain('serves one process at a time, so it was not opened');
    const migrations = committedMigrations();
    expect(result.out).toContain(`migrations on disk: ${migrations.length} (latest ${migrations.at(-1)})`);
    expect(result.out).toMatch(/size on disk: [\d.]+ (kB|MB)/);
    expect(result.out).not.toMatch(/in use by another/);
    // The holder's lock is untouched: nothing opened or took over the database.
    expect(readFileSync(path.join(dataDir, LOCK_FILE_NAME), 'utf8')).toBe(lockBefore);
  });

  it('doctor shows the same read-only status in its Database section', async () => {
    const result = await darkroom(['doctor', '--offline']);
    const section = result.out.split('\n').filter((line) => /^(Database|\s{15})/.test(line)).join('\n');
    expect(section).toMatch(new RegExp(`^Database\\s+embedded PostgreSQL \\(PGlite\\) at .*: read-only status: the running Darkroom \\(pid ${holder.pid}`, 'm'));
    expect(section).toMatch(/^\s{15}migrations on disk: \d+/m);
  });

  it('db migrate, which would write, still refuses and names the holder', async () => {
    const result = await darkroom(['db', 'migrate']);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`in use by another Darkroom process (pid ${holder.pid}`);
  });
});

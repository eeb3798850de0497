import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalImageStore } from '../../../src/storage/index.ts';
import { projectRoot } from '../../support/shared-dir.ts';

const FILE_SIZE = 8 * 1024 * 1024;
const CHILD = path.join(projectRoot, 'test', 'integration', 'storage', 'support', 'write-loop.child.ts');
const TEMP_NAME = /^\..+\.tmp$/;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'darkroom-crash-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Starts the writer, waits for `puts` finished puts plus `delayMs`, then SIGKILLs it. */
async function writeThenKill(puts: number, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, String(FILE_SIZE)], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let seen = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    const before = seen;
    seen += chunk.toString().split('\n').length - 1;
    if (before < puts && seen >= puts) setTimeout(() => child.kill('SIGKILL'), delayMs);
  });
  const signal = await exited;
  expect(signal, `writer ended on its own: ${stderr}`).toBe('SIGKILL');
}

async function filesUnder(directory: string): Promise<Array<{ name: string; file: string }>> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => ({ name: entry.name, file: path.join(entry.parentPath, entry.name) }));
}

/** Every file under a final name is one complete write: full length, one repeated non-zero byte. */
async function expectOnlyCompleteFinalFiles(): Promise<number> {
  let finals = 0;
  for (const { name, file } of await filesUnder(root)) {
    if (TEMP_NAME.test(name)) continue;
    finals++;
    const bytes = await readFile(file);
    expect(bytes.length, file).toBe(FILE_SIZE);
    const fill = bytes[0] ?? 0;
    expect(fill, file).not.toBe(0);
    expect(bytes.equals(Buffer.alloc(FILE_SIZE, fill)), `${file} mixes bytes`).toBe(true);
  }
  return finals;
}

describe('LocalImageStore survives kill -9 in the middle of writes', () => {
  it('never leaves a partial file under a final name; start-up cleanup removes the temp files', async () => {
    const roundsWithTempFiles: number[] = [];
    // Kill at staggered moments; keep going until a kill has landed mid-write at least twice,
    // so the test really exercised an interrupted put (each round hits one about half the time).
    for (let round = 0; round < 16 && (round < 4 || roundsWithTempFiles.length < 2); round++) {
      await writeThenKill(3 + (round % 4), 5 + ((round * 7) % 40));
      await expectOnlyCompleteFinalFiles();
      const temps = (await filesUnder(root)).filter(({ name }) => TEMP_NAME.test(name));
      if (temps.length > 0) roundsWithTempFiles.push(round);

      // "Restart": a fresh store cleans up, and every image is still readable and complete.
      const restarted = new LocalImageStore(root);
      const removed = await restarted.cleanupTemporaryFiles(0);
      expect(removed.length).toBe(temps.length);
      expect((await filesUnder(root)).filter(({ name }) => TEMP_NAME.test(name))).toEqual([]);
      expect(await expectOnlyCompleteFinalFiles()).toBeGreaterThan(0);
    }
    expect(roundsWithTempFiles.length, 'no kill landed during a write; the test proved nothing').toBeGreaterThanOrEqual(2);
  });
});

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalImageStore } from '../../../src/storage/index.ts';
import { projectRoot } from '../../support/shared-dir.ts';

const FILE_SIZE = 2 * 1024 * 1024;
const CHILD = path.join(projectRoot, 'test', 'integration', 'storage', 'support', 'write-loop.child.ts');
const TEMP_NAME = /^\..+\.tmp$/;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'darkroom-crash-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

type Phase = 'write' | 'sync';

/**
 * Starts the writer; after `puts` finished puts, its next put stops inside `phase` and says so,
 * and only then is it SIGKILLed. The kill is inside a write by construction, not by timing.
 */
async function writeThenKill(puts: number, phase: Phase): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, String(FILE_SIZE), String(puts), phase], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes(`paused ${phase}\n`)) child.kill('SIGKILL');
  });
  const signal = await exited;
  expect(signal, `writer ended on its own: ${stderr}`).toBe('SIGKILL');
  expect(stdout, 'the writer was killed inside a write').toContain(`paused ${phase}`);
  expect(stdout.split('\n').filter((line) => line.startsWith('done ')).length).toBeGreaterThanOrEqual(puts);
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
    // Torn writes (half the bytes in the temp file) and complete but unsynced, unrenamed ones,
    // over new keys and overwrites alike (the writer cycles over 5 keys, two lanes at a time).
    const rounds: Array<[number, Phase]> = [[2, 'write'], [3, 'sync'], [5, 'write'], [8, 'sync']];
    for (const [puts, phase] of rounds) {
      await writeThenKill(puts, phase);
      await expectOnlyCompleteFinalFiles();
      const temps = (await filesUnder(root)).filter(({ name }) => TEMP_NAME.test(name));
      expect(temps.length, 'the interrupted put left its temp file').toBeGreaterThan(0);
      if (phase === 'write') {
        const sizes = await Promise.all(temps.map(async ({ file }) => (await readFile(file)).length));
        expect(sizes, 'a torn write: a temp file holds part of the bytes').toContain(FILE_SIZE / 2);
      }

      // "Restart": a fresh store cleans up, and every image is still readable and complete.
      const restarted = new LocalImageStore(root);
      const removed = await restarted.cleanupTemporaryFiles(0);
      expect(removed.length).toBe(temps.length);
      expect((await filesUnder(root)).filter(({ name }) => TEMP_NAME.test(name))).toEqual([]);
      expect(await expectOnlyCompleteFinalFiles()).toBeGreaterThan(0);
    }
  });
});

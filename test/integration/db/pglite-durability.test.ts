/**
 * The embedded database must survive both a clean shutdown and a kill -9 in the middle of
 * writes: after either, the same data directory opens, keeps every acknowledged write, and
 * accepts new ones.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { createRepositories, openDatabase, systemClock } from '../../../src/db/index.ts';

const writerScript = path.join(import.meta.dirname, 'support', 'pglite-writer.ts');
const dataDirs: string[] = [];

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'darkroom-pglite-'));
  dataDirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs the writer until it acknowledged `writes` jobs, SIGKILLs it, returns the acknowledged ids. */
async function killWriterAfter(dataDir: string, writes: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const acknowledged: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const match = /^committed (\d+) (\S+)$/.exec(line);
    if (match?.[2]) acknowledged.push(match[2]);
    if (acknowledged.length >= writes) {
      child.kill('SIGKILL');
      break;
    }
  }
  const ending = await exited;
  if (ending !== 'SIGKILL') throw new Error(`writer ended with ${String(ending)} before the kill:\n${stderr}`);
  return acknowledged;
}

describe('embedded PGlite durability', () => {
  it('keeps data across a clean close and reopen', async () => {
    const dataDir = await freshDataDir();
    const first = await openDatabase({ url: undefined, dataDir, logger: undefined });
    await first.migrate();
    const user = await createRepositories(first, systemClock).users.upsert({
      platform: 'slack',
      externalId: 'U1',
      displayName: 'Kept',
    });
    await first.close();
    await first.close(); // closing twice is harmless

    const second = await openDatabase({ url: undefined, dataDir, logger: undefined });
    try {
      expect(second.kind).toBe('pglite');
      expect((await second.status()).location).toBe(path.join(dataDir, 'db'));
      expect(await second.migrate()).toEqual({ applied: [] });
      expect(await createRepositories(second, systemClock).users.get(user.id)).toMatchObject({ displayName: 'Kept' });
    } finally {
      await second.close();
    }
  });

  it('opens after kill -9 during writes, with every acknowledged write present', async () => {
    const dataDir = await freshDataDir();
    const acknowledged = await killWriterAfter(dataDir, 40);

    const reopened = await openDatabase({ url: undefined, dataDir, logger: undefined });
    try {
      expect(await reopened.migrate()).toEqual({ applied: [] });
      const repos = createRepositories(reopened, systemClock);
      for (const id of acknowledged) {
        const job = await repos.generations.get(id);
        expect(job?.status, id).toBe('succeeded');
        expect(job?.images).toHaveLength(4);
      }
      // The write that was cut short is either whole or absent, never half there.
      const rows = await reopened.prisma.generation.findMany({ include: { images: true } });
      expect(rows.length).toBeGreaterThanOrEqual(acknowledged.length);
      for (const row of rows) {
        if (row.status === 'succeeded') expect(row.images).toHaveLength(4);
        else expect(row.images).toHaveLength(0);
      }
      const user = await repos.users.upsert({ platform: 'discord', externalId: 'after-crash', displayName: 'A' });
      expect(await repos.users.get(user.id)).toBeDefined();
    } finally {
      await reopened.close();
    }
    // And the directory is still healthy after a clean close that follows the recovery.
    const again = await openDatabase({ url: undefined, dataDir, logger: undefined });
    try {
      expect(await again.prisma.user.count({ where: { externalId: 'after-crash' } })).toBe(1);
    } finally {
      await again.close();
    }
  });
});

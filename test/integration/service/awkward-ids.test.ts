/**
 * The restart test's failure made deterministic: jobs a dead process left `queued` and `running`
 * whose ids start with "-" (nanoid gives 1 id in 64 that shape, so with 12 jobs the random run
 * hit one about every sixth time). On PGlite with the local image store, the next start must
 * finish them with their files on disk, like any other job.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, openMemoryDatabase, systemClock, type Database, type Repositories } from '../../../src/db/index.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import { LocalImageStore } from '../../../src/storage/index.ts';
import { createHarness } from '../../support/service/service-harness.ts';

/** The id of the job that failed in the restart test, and other shapes nanoid's alphabet allows. */
const LEFT_QUEUED = ['-N17_Bya5Fs2', '------------', '_-_-_-_-_-_-'];
const LEFT_RUNNING = '-interrupted';

describe('recovered jobs whose ids start with "-"', () => {
  let database: Database;
  let db: Repositories;
  let imagesDir: string;
  let harness: ReturnType<typeof createHarness>;

  beforeAll(async () => {
    database = await openMemoryDatabase();
    db = createRepositories(database, systemClock);
    imagesDir = await mkdtemp(path.join(tmpdir(), 'darkroom-ids-'));
    // What a killed process leaves behind: rows with the database's own ids, given awkward ones here.
    const user = await db.users.upsert({ platform: 'discord', externalId: 'ann', displayName: 'ann' });
    for (const id of [...LEFT_QUEUED, LEFT_RUNNING]) {
      const created = await db.generations.create({
        userId: user.id,
        workspaceId: undefined,
        channelId: 'c',
        kind: 'imagine',
        parentId: undefined,
        parentImageIndex: undefined,
        prompt: `left by a dead process (${id})`,
        negativePrompt: '',
        seed: 5,
        steps: 3,
        guidance: 7,
        scheduler: 'euler',
        width: 512,
        height: 512,
        model: 'lcm-dreamshaper-v7',
        count: 2,
        strength: undefined,
        chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
      });
      await database.prisma.generation.update({ where: { id: created.id }, data: { id } });
    }
    expect(await db.generations.markRunning(LEFT_RUNNING)).toBe(true);
    harness = createHarness({
      startAt: Date.now(),
      real: { repositories: db, usage: new PrismaUsageRepository(database.prisma), store: new LocalImageStore(imagesDir), engine: undefined, models: undefined },
    });
  });
  afterAll(async () => {
    await harness?.service.stop(AbortSignal.timeout(5_000));
    await database?.close();
    if (imagesDir) await rm(imagesDir, { recursive: true, force: true });
  });

  it('finishes every one of them after a restart, with its images on disk', async () => {
    expect(await harness.service.start()).toBe(LEFT_QUEUED.length + 1);
    for (const id of [...LEFT_QUEUED, LEFT_RUNNING]) {
      const event = await Promise.race([harness.recorder.waitFor('finished', id), harness.recorder.waitFor('failed', id)]);
      const row = await db.generations.get(id);
      expect([event.type, row?.status, row?.errorCode, row?.errorMessage], id).toEqual(['finished', 'succeeded', undefined, undefined]);
      expect(row?.images.map((image) => image.index)).toEqual([0, 1]);
      for (const image of row?.images ?? []) {
        const file = await stat(path.join(imagesDir, image.fileKey));
        expect(file.size).toBe(image.bytes);
      }
    }
  });
});

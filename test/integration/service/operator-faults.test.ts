/**
 * Operator faults reach people as plain words with stable codes, never as "Sorry, something went
 * wrong": an image store that cannot write (here: a store folder whose parent is a regular file,
 * since tests run as root and chmod stops nothing) or cannot delete (an injected store that fails,
 * then recovers), and a model whose ONNX file is truncated (a copy of a fixture model in a temp
 * folder), which stops being offered until its files change.
 */
import { copyFile, cp, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, openMemoryDatabase, type Database, type Repositories } from '../../../src/db/index.ts';
import { systemClock } from '../../../src/db/domain.types.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import { loadModelCatalog } from '../../../src/generation/models/model-catalog.ts';
import { DiffusionEngine } from '../../../src/generation/pipeline/diffusion-engine.ts';
import { InstalledModelDirectory } from '../../../src/generation/requests/model-directory.ts';
import { DEFAULT_UPSCALER_CONFIG, createUpscaler } from '../../../src/generation/upscale/index.ts';
import type { ImageStore, StoredImage } from '../../../src/storage/image.store.ts';
import { LocalImageStore, StorageUnavailableError } from '../../../src/storage/index.ts';
import { projectRoot, sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

/** A real local store whose deletes fail (as on a read-only disk) while `failing` is set. */
class FailingDeletes implements ImageStore {
  failing = false;
  constructor(private readonly inner: LocalImageStore) {}
  put(key: string, bytes: Buffer): Promise<StoredImage> {
    return this.inner.put(key, bytes);
  }
  get(key: string): Promise<Buffer> {
    return this.inner.get(key);
  }
  async delete(key: string): Promise<void> {
    if (this.failing) throw new StorageUnavailableError('delete', key, { cause: Object.assign(new Error('EROFS: read-only file system, unlink'), { code: 'EROFS' }) });
    return this.inner.delete(key);
  }
  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }
}

async function outcomeId(pending: Promise<{ ok: boolean }>): Promise<string> {
  const outcome = (await pending) as { ok: true; generation: { id: string } } | { ok: false; message: string };
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.generation.id;
}

describe('an image store that fails', () => {
  let database: Database;
  let db: Repositories;
  let dir: string;

  beforeAll(async () => {
    database = await openMemoryDatabase();
    db = createRepositories(database, systemClock);
    dir = await mkdtemp(path.join(tmpdir(), 'darkroom-store-faults-'));
  });
  afterAll(async () => {
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function harnessWith(store: ImageStore) {
    return createHarness({ startAt: Date.now(), real: { repositories: db, usage: new PrismaUsageRepository(database.prisma), store, engine: undefined, models: undefined } });
  }

  it('fails a job that cannot save its images with storage_unavailable, not an apology', async () => {
    // The store's folder sits under a regular file: every write fails, even for root.
    await writeFile(path.join(dir, 'not-a-folder'), 'x');
    const harness = harnessWith(new LocalImageStore(path.join(dir, 'not-a-folder', 'images')));
    await harness.service.start();
    const id = await outcomeId(harness.service.imagine({ ...from('ann'), options: options('a quiet harbour --count 1') }));
    const failed = await harness.recorder.waitFor('failed', id);
    expect(failed.event['code']).toBe('storage_unavailable');
    expect(failed.event['message']).toBe(
      'Darkroom could not save the images: its image storage is not available right now (the disk may be full or read-only). Please try again later; an admin can find the cause in the log.',
    );
    expect((await db.generations.get(id))?.errorCode).toBe('storage_unavailable');
    await harness.service.stop(AbortSignal.timeout(5_000));
  });

  it('keeps a ❌ that failed retryable, audits the failed attempt, and completes it once the store works', async () => {
    const store = new FailingDeletes(new LocalImageStore(path.join(dir, 'images')));
    const harness = harnessWith(store);
    await harness.service.start();
    const id = await outcomeId(harness.service.imagine({ ...from('ben'), options: options('a red kite --count 2') }));
    await harness.recorder.waitFor('finished', id);
    const fileKey = (await db.generations.get(id))?.images[0]?.fileKey ?? '';

    store.failing = true;
    const refused = await harness.commands.handle({ name: 'delete', generationId: id, imageIndex: 0, reason: 'typo' }, from('ben'));
    expect(refused.refusal?.code).toBe('storage_unavailable');
    expect(refused.text).toContain('Darkroom could not delete the image');
    // Nothing pretends to be deleted: the row is not marked, the file is there and still shown.
    expect((await db.generations.get(id))?.images[0]?.deletedAt).toBeUndefined();
    expect(await store.exists(fileKey)).toBe(true);
    const shown = await harness.service.show(id, from('ben'));
    expect(shown.ok && shown.images.map((image) => image.index)).toEqual([0, 1]);
    const audit = () => db.moderation.list({ workspaceId: undefined, actorId: undefined, targetUserId: undefined, limit: 10, beforeId: undefined });
    expect((await audit())[0]).toMatchObject({ action: 'delete', targetGenerationId: id, details: { imageIndexes: [], failedIndexes: [0], failure: 'storage_unavailable' } });

    store.failing = false;
    const retried = await harness.service.deleteImage(id, 0, from('ben').requester, from('ben').place, 'typo');
    expect(retried).toEqual({ ok: true, deleted: [0] });
    expect(await store.exists(fileKey)).toBe(false);
    expect((await db.generations.get(id))?.images[0]?.deletedAt).toBeInstanceOf(Date);
    expect((await audit())[0]).toMatchObject({ action: 'delete', targetGenerationId: id, reason: 'typo', details: { imageIndexes: [0], byOwner: true } });
    await harness.service.stop(AbortSignal.timeout(5_000));
  });
});

const fixtureModels = sharedPath('fixtures', 'models');

describe.skipIf(!fixtureModels)('a model whose ONNX file is truncated' + sharedSkipReason, () => {
  let database: Database;
  let modelsDir: string;
  let imagesDir: string;
  let engine: DiffusionEngine;
  let models: InstalledModelDirectory;
  let harness: ReturnType<typeof createHarness>;

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'darkroom-broken-model-'));
    imagesDir = await mkdtemp(path.join(tmpdir(), 'darkroom-broken-model-images-'));
    for (const name of ['tiny-sd15', 'tiny-sd15-optimum']) await cp(path.join(fixtureModels as string, name), path.join(modelsDir, name), { recursive: true });
    const unet = path.join(modelsDir, 'tiny-sd15-optimum', 'unet', 'model.onnx');
    await truncate(unet, 1000);
    database = await openMemoryDatabase();
    const catalog = await loadModelCatalog(path.join(projectRoot, 'config', 'models.yaml'));
    const locations = { catalog, modelsDir };
    engine = new DiffusionEngine({
      locations,
      provider: 'cpu',
      threads: 1,
      cfgBatching: 'batched',
      cachedPipelines: 1,
      upscaler: createUpscaler({ ...DEFAULT_UPSCALER_CONFIG, modelPath: undefined, provider: 'cpu' }, { logger: undefined, loadOnnx: undefined }),
      logger: undefined,
    });
    // Scanned at every call, so only the broken-model rule decides what is listed.
    models = new InstalledModelDirectory('tiny-sd15', locations, 0, Date.now);
    harness = createHarness({
      startAt: Date.now(),
      real: { repositories: createRepositories(database, systemClock), usage: new PrismaUsageRepository(database.prisma), store: new LocalImageStore(imagesDir), engine, models },
    });
    await harness.service.start();
  });
  afterAll(async () => {
    await harness?.service.stop(AbortSignal.timeout(10_000));
    await engine?.close();
    await database?.close();
    for (const dir of [modelsDir, imagesDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  const names = async () => (await models.list()).map((model) => model.name).sort();

  it('fails the job as model_broken in plain words, then stops offering the model until its files change', async () => {
    expect(await names()).toEqual(['tiny-sd15', 'tiny-sd15-optimum']);
    const id = await outcomeId(harness.service.imagine({ ...from('cat'), options: options('a fox --model tiny-sd15-optimum --steps 2 --count 1') }));
    const failed = await harness.recorder.waitFor('failed', id);
    expect(failed.event['code']).toBe('model_broken');
    expect(failed.event['message']).toBe(
      'The model "tiny-sd15-optimum" is installed but its files are damaged, so it cannot run until an admin downloads it again. Available models: tiny-sd15.',
    );
    expect(await names()).toEqual(['tiny-sd15']);
    const refused = await harness.service.imagine({ ...from('cat'), options: options('a fox --model tiny-sd15-optimum') });
    expect(refused.ok ? undefined : refused.code).toBe('model_unavailable');

    // Repaired (the good file copied back): offered again.
    await copyFile(path.join(fixtureModels as string, 'tiny-sd15-optimum', 'unet', 'model.onnx'), path.join(modelsDir, 'tiny-sd15-optimum', 'unet', 'model.onnx'));
    expect(await names()).toEqual(['tiny-sd15', 'tiny-sd15-optimum']);
  });
});

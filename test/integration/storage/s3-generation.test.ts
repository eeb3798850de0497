/**
 * Generations end to end with `storage.backend: s3`: the configuration (S3_* variables) opens the
 * S3 store, the service (real PGlite, fake engine) stores each image in the bucket before the row
 * records it, `/show` and an upscale read the images back from the bucket, ❌ removes the
 * object; with the S3 server down `/show` and a job answer `storage_unavailable`, and the job
 * records no image; a job whose second image cannot be stored leaves no object behind.
 */
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { DarkroomConfig } from '../../../src/config/config.types.ts';
import { openMemoryDatabase, type Database } from '../../../src/db/index.ts';
import { createRepositories } from '../../../src/db/repositories.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import { systemClock } from '../../../src/db/domain.types.ts';
import { createGenerationServices, generationPolicyFrom, inProcessQueue, queueSettingsFrom } from '../../../src/generation/generation-services.factory.ts';
import type { GenerationEvents } from '../../../src/generation/jobs/index.ts';
import { StaticModelDirectory } from '../../../src/generation/requests/index.ts';
import type { RequestFrom } from '../../../src/generation/requests/request.types.ts';
import { StorageUnavailableError, openImageStore, type ImageStore, type OpenedImageStore } from '../../../src/storage/index.ts';
import { S3ImageStore } from '../../../src/storage/s3-image.store.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { LOCAL_S3_CREDENTIALS, localS3Settings, startLocalS3, type LocalS3Server } from '../../support/s3/local-s3-server.ts';
import { projectRoot } from '../../support/shared-dir.ts';

type Finished = Parameters<GenerationEvents['finished']>[0];
type Failed = Parameters<GenerationEvents['failed']>[0];

/** Resolves each job's end (finished or failed) by generation id. */
class JobEnds implements GenerationEvents {
  readonly #ends = new Map<string, { promise: Promise<Finished | Failed>; resolve: (event: Finished | Failed) => void }>();
  queued = () => undefined;
  started = () => undefined;
  progress = () => undefined;
  cancelled = () => undefined;
  finished = (event: Finished) => this.#slot(event.generation.id).resolve(event);
  failed = (event: Failed) => this.#slot(event.generation.id).resolve(event);
  of(id: string): Promise<Finished | Failed> {
    return this.#slot(id).promise;
  }
  #slot(id: string) {
    let slot = this.#ends.get(id);
    if (slot === undefined) {
      let resolve: (event: Finished | Failed) => void = () => undefined;
      const promise = new Promise<Finished | Failed>((done) => (resolve = done));
      slot = { promise, resolve };
      this.#ends.set(id, slot);
    }
    return slot;
  }
}

const MODEL = { name: 'lcm-dreamshaper-v7', nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 8, scheduler: 'lcm' as const };

function request(externalId: string): RequestFrom {
  return {
    requester: { identity: { platform: 'discord', externalId, displayName: `person ${externalId}` }, platformModerator: false },
    place: { workspace: undefined, channelId: 'dm', chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined }, nsfwAllowed: true },
  };
}

function s3Config(server: LocalS3Server): DarkroomConfig {
  const loaded = loadConfig({
    configDir: `${projectRoot}/test`,
    env: {
      DARKROOM_STORAGE__BACKEND: 's3',
      S3_ENDPOINT: server.endpoint,
      S3_BUCKET: 'images',
      DARKROOM_STORAGE__S3__PREFIX: 'darkroom',
      S3_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      DARKROOM_GENERATION__IMAGES_PER_JOB: '2',
    },
    workingDir: projectRoot,
    defaultsFile: undefined,
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config;
}

async function services(config: DarkroomConfig, database: Database, images: OpenedImageStore) {
  const ends = new JobEnds();
  const built = createGenerationServices({
    repositories: createRepositories(database, systemClock),
    usage: new PrismaUsageRepository(database.prisma),
    policy: generationPolicyFrom(config),
    queue: inProcessQueue(queueSettingsFrom(config)),
    engine: new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined }),
    store: images.store,
    models: new StaticModelDirectory(MODEL.name, [MODEL]),
    logger: pino({ level: 'silent' }),
    now: Date.now,
  });
  built.events.add(ends);
  await images.start();
  await built.service.start();
  return { ...built, ends };
}

describe('generations stored on S3', () => {
  let server: LocalS3Server;
  let database: Database;
  let bucket: S3ImageStore;

  beforeAll(async () => {
    server = await startLocalS3(['images']);
    database = await openMemoryDatabase();
    // A second client on the same bucket, as another machine would see it.
    bucket = new S3ImageStore(localS3Settings(server));
  });
  afterAll(async () => {
    bucket?.close();
    await database?.close();
    await server?.remove();
  });

  it('stores the images in the bucket, then /show, upscale and delete work from the bucket', async () => {
    const config = s3Config(server);
    const images = await openImageStore(config.storage, { sharedLocalFolder: false, s3Limits: { connectTimeoutMs: 2_000, requestTimeoutMs: 20_000, maxAttempts: 2, maxObjectBytes: 1 << 20 } });
    const built = await services(config, database, images);
    try {
      const asked = await built.generation.imagine({ ...request('100'), options: { prompt: 'a lighthouse at dusk', values: {} } });
      if (!asked.ok) throw new Error(`refused: ${asked.code}`);
      const end = await built.ends.of(asked.generation.id);
      expect('images' in end && end.images.length).toBe(2);

      // The rows name objects that exist, under the configured folder, with the recorded bytes.
      const rows = (await built.repositories.generations.get(asked.generation.id))?.images ?? [];
      expect(rows).toHaveLength(2);
      for (const image of rows) {
        const stored = await bucket.get(`darkroom/${image.fileKey}`);
        expect(createHash('sha256').update(stored).digest('hex')).toBe(image.sha256);
        expect(stored.length).toBe(image.bytes);
      }

      const shown = await built.generation.show(asked.generation.id, request('100'));
      expect(shown.ok && shown.images.map((image) => image.index)).toEqual([0, 1]);

      const upscale = await built.generation.upscale(asked.generation.id, 0, request('100'));
      if (!upscale.ok) throw new Error(`upscale refused: ${upscale.code}`);
      const upscaled = await built.ends.of(upscale.generation.id);
      expect('images' in upscaled && upscaled.images.length).toBe(1);

      const firstKey = `darkroom/${rows[0]?.fileKey}`;
      const removed = await built.generation.deleteImage(asked.generation.id, 0, request('100').requester, request('100').place, undefined);
      expect(removed.ok).toBe(true);
      expect(await bucket.exists(firstKey)).toBe(false);
      const after = await built.generation.show(asked.generation.id, request('100'));
      expect(after.ok && after.images.map((image) => image.index)).toEqual([1]);
    } finally {
      await built.service.stop(AbortSignal.timeout(10_000));
      await images.close();
    }
  });

  it('removes the images already stored when a later one cannot be, so the failed job leaves no objects', async () => {
    const config = s3Config(server);
    const images = await openImageStore(config.storage, { sharedLocalFolder: false, s3Limits: { connectTimeoutMs: 2_000, requestTimeoutMs: 20_000, maxAttempts: 2, maxObjectBytes: 1 << 20 } });
    const s3Store = images.store;
    // The bucket refuses the second image of each job (as a full or failing server would).
    const putKeys: string[] = [];
    const flaky: ImageStore = {
      put: async (key, bytes) => {
        putKeys.push(key);
        if (key.endsWith('/1.png')) throw new StorageUnavailableError('put', key, { cause: new Error('bucket full') });
        return s3Store.put(key, bytes);
      },
      get: (key) => s3Store.get(key),
      delete: (key) => s3Store.delete(key),
      exists: (key) => s3Store.exists(key),
    };
    const built = await services(config, database, { ...images, store: flaky });
    try {
      const asked = await built.generation.imagine({ ...request('300'), options: { prompt: 'two boats', values: {} } });
      if (!asked.ok) throw new Error(`refused: ${asked.code}`);
      const end = await built.ends.of(asked.generation.id);
      expect('code' in end && end.code).toBe('storage_unavailable');
      expect(putKeys.map((key) => key.slice(key.lastIndexOf('/') + 1))).toEqual(['0.png', '1.png']);
      // The first image was stored, then removed again: nothing in the bucket under the job.
      expect(await bucket.exists(`darkroom/${putKeys[0]}`)).toBe(false);
      expect((await built.repositories.generations.get(asked.generation.id))?.images).toEqual([]);
    } finally {
      await built.service.stop(AbortSignal.timeout(10_000));
      await images.close();
    }
  });

  it('answers /show, ❌ (retryable) and a new job with storage_unavailable while the S3 server is down; the job records no image', async () => {
    const own = await startLocalS3(['images']);
    const config = s3Config(own);
    const images = await openImageStore(config.storage, { sharedLocalFolder: false, s3Limits: { connectTimeoutMs: 1_000, requestTimeoutMs: 5_000, maxAttempts: 2, maxObjectBytes: 1 << 20 } });
    const built = await services(config, database, images);
    try {
      const earlier = await built.generation.imagine({ ...request('200'), options: { prompt: 'a harbour at noon', values: {} } });
      if (!earlier.ok) throw new Error(`refused: ${earlier.code}`);
      await built.ends.of(earlier.generation.id);
      await own.stop();

      // Not a job without pictures: the person is told the storage is not available now.
      const shown = await built.generation.show(earlier.generation.id, request('200'));
      expect(shown).toMatchObject({ ok: false, code: 'storage_unavailable' });
      // ❌ too; the image stays recorded, and pressing it again once S3 is back deletes it.
      const person = request('200');
      const refused = await built.generation.deleteImage(earlier.generation.id, 0, person.requester, person.place, undefined);
      expect(refused).toMatchObject({ ok: false, code: 'storage_unavailable' });
      const back = await startLocalS3(['images'], own);
      try {
        expect(await built.generation.deleteImage(earlier.generation.id, 0, person.requester, person.place, undefined)).toEqual({ ok: true, deleted: [0] });
      } finally {
        await back.stop();
      }

      const asked = await built.generation.imagine({ ...request('200'), options: { prompt: 'a harbour in fog', values: {} } });
      if (!asked.ok) throw new Error(`refused: ${asked.code}`);
      const end = await built.ends.of(asked.generation.id);
      expect('code' in end && end.code).toBe('storage_unavailable');
      expect((end as Failed).message).toMatch(/save the images/);
      expect((await built.repositories.generations.get(asked.generation.id))?.images).toEqual([]);
    } finally {
      await built.service.stop(AbortSignal.timeout(10_000));
      await images.close();
      await own.remove();
    }
  });
});

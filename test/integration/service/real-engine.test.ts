/**
 * The service with the real diffusion engine on the shared tiny fixture models (random weights,
 * real architectures), the installed-model directory reading the models folder, PGlite and the
 * local image store: what a person gets back is a real PNG of the promised size, variations
 * start from the stored image, upscales double it, and cancel stops a running job.
 */
import { mkdtemp, rm } from 'node:fs/promises';
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
import { decodeImage, readPngParameters } from '../../../src/images/index.ts';
import { LocalImageStore } from '../../../src/storage/index.ts';
import { projectRoot, sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

const modelsDir = sharedPath('fixtures', 'models');

describe.skipIf(!modelsDir)('generation service with the real engine on fixture models' + sharedSkipReason, () => {
  let database: Database;
  let db: Repositories;
  let imagesDir: string;
  let engine: DiffusionEngine;
  let harness: ReturnType<typeof createHarness>;

  beforeAll(async () => {
    database = await openMemoryDatabase();
    db = createRepositories(database, systemClock);
    imagesDir = await mkdtemp(path.join(tmpdir(), 'darkroom-real-engine-'));
    const catalogFile = path.join(projectRoot, 'config', 'models.yaml');
    const catalog = await loadModelCatalog(catalogFile);
    const locations = { catalog, modelsDir: modelsDir as string };
    engine = new DiffusionEngine({
      locations,
      provider: 'cpu',
      threads: 1,
      cfgBatching: 'batched',
      cachedPipelines: 2,
      upscaler: createUpscaler({ ...DEFAULT_UPSCALER_CONFIG, modelPath: undefined, provider: 'cpu' }, { logger: undefined, loadOnnx: undefined }),
      logger: undefined,
    });
    harness = createHarness({
      startAt: Date.now(),
      real: {
        repositories: db,
        usage: new PrismaUsageRepository(database.prisma),
        store: new LocalImageStore(imagesDir),
        engine,
        models: new InstalledModelDirectory('tiny-sd15-optimum', locations, 60_000, Date.now),
      },
    });
    await harness.service.start();
  });
  afterAll(async () => {
    await harness?.service.stop(AbortSignal.timeout(10_000));
    await engine?.close();
    await database?.close();
    if (imagesDir) await rm(imagesDir, { recursive: true, force: true });
  });

  async function finished(pending: Promise<{ ok: boolean }>) {
    const outcome = (await pending) as { ok: true; generation: { id: string } } | { ok: false; message: string };
    if (!outcome.ok) throw new Error(outcome.message);
    const event = await Promise.race([harness.recorder.waitFor('finished', outcome.generation.id), harness.recorder.waitFor('failed', outcome.generation.id)]);
    if (event.type === 'failed') throw new Error(String(event.event['message']));
    const row = await db.generations.get(outcome.generation.id);
    if (!row) throw new Error('row missing');
    return { row, event };
  }

  it('lists the fixture folders as installed models with their native size', async () => {
    const models = await harness.service.imagine({ ...from('ada'), options: options('x --model no-such-model') });
    expect(models.ok ? '' : models.message).toMatch(/Available models: .*tiny-sd15-optimum/);
  });

  it('generates real PNGs of the model’s native size, with A1111 parameters, and stores them', async () => {
    const { row, event } = await finished(harness.service.imagine({ ...from('ada'), options: options('a lighthouse --model tiny-sd15-optimum --steps 3 --count 2 --seed 99') }));
    expect([row.width, row.height, row.status]).toEqual([64, 64, 'succeeded']);
    const images = event.event['images'] as Array<{ png: Buffer; seed: number }>;
    expect(images.map((image) => image.seed)).toEqual([99, 100]);
    const decoded = await decodeImage(images[0]!.png);
    expect([decoded.width, decoded.height]).toEqual([64, 64]);
    expect(await readPngParameters(images[0]!.png)).toContain('Seed: 99');
    const stored = await harness.realStore.get(row.images[1]!.fileKey);
    expect(stored.equals(images[1]!.png)).toBe(true);
  });

  it('varies from the stored image and upscales it to twice the size (hires fix)', async () => {
    const { row: parent } = await finished(harness.service.imagine({ ...from('ada'), options: options('a barn --model tiny-sd15-optimum --steps 4 --count 2') }));
    const { row: variation } = await finished(harness.service.vary(parent.id, 1, 'strong', from('ada')));
    expect([variation.kind, variation.parentImageIndex, variation.strength, variation.images.length]).toEqual(['variation', 1, 0.65, 2]);
    const { row: upscaled, event } = await finished(harness.service.upscale(parent.id, 0, from('ada')));
    expect([upscaled.kind, upscaled.width, upscaled.height]).toEqual(['upscale', 128, 128]);
    const image = (event.event['images'] as Array<{ png: Buffer }>)[0]!;
    const decoded = await decodeImage(image.png);
    expect([decoded.width, decoded.height]).toEqual([128, 128]);
  });

  it('runs on an SDXL-layout model too', async () => {
    const outcome = harness.service.imagine({ ...from('ada'), options: options('a car --model tiny-sdxl --steps 2 --count 1 --ar 2:1') });
    const { row, event } = await finished(outcome);
    expect(row.status).toBe('succeeded');
    // 64² pixels allow no 2:1 size in 64-pixel steps: the person is told.
    expect([row.width, row.height]).toEqual([64, 64]);
    expect((event.event['warnings'] as string[]).join(' ')).toContain('Aspect 2:1 became 64×64');
  });

  it('cancels a running job between steps', async () => {
    const outcome = await harness.service.imagine({ ...from('ada'), options: options('slow --model tiny-sd15-optimum --steps 50 --count 4') });
    if (!outcome.ok) throw new Error(outcome.message);
    await harness.recorder.waitFor('started', outcome.generation.id);
    const cancelled = await harness.service.cancel(outcome.generation.id, from('ada').requester, from('ada').place);
    expect(cancelled.ok && cancelled.outcome).toBe('cancelled');
    // The next job runs, so the cancelled one let go of the pipeline.
    const { row } = await finished(harness.service.imagine({ ...from('ada'), options: options('after --model tiny-sd15-optimum --steps 2 --count 1') }));
    expect(row.status).toBe('succeeded');
    expect(harness.recorder.typesOf(outcome.generation.id)).not.toContain('finished');
    expect((await db.generations.get(outcome.generation.id))?.status).toBe('cancelled');
  });
});

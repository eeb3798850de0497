/**
 * Edits (issue 15) through the service on the real DiffusionEngine and the shared tiny fixtures:
 * a Zoom Out of a `tiny-sd15` result runs on the installed `tiny-sd15-inpaint` (9-channel UNet)
 * and says so; a Pan of a `tiny-sd15-optimum` result (no inpainting sibling) is blended on its own
 * model. Each result is a real PNG of the promised size, with its mask PNG in the image store.
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
import { decodeImage } from '../../../src/images/index.ts';
import { LocalImageStore } from '../../../src/storage/index.ts';
import { projectRoot, sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

const modelsDir = sharedPath('fixtures', 'models');

describe.skipIf(!modelsDir)('edits through the service on the real engine' + sharedSkipReason, { timeout: 300_000 }, () => {
  let database: Database;
  let db: Repositories;
  let imagesDir: string;
  let engine: DiffusionEngine;
  let store: LocalImageStore;
  let harness: ReturnType<typeof createHarness>;

  beforeAll(async () => {
    database = await openMemoryDatabase();
    db = createRepositories(database, systemClock);
    imagesDir = await mkdtemp(path.join(tmpdir(), 'darkroom-edits-real-'));
    const catalog = await loadModelCatalog(path.join(projectRoot, 'config', 'models.yaml'));
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
    store = new LocalImageStore(imagesDir);
    harness = createHarness({
      startAt: Date.now(),
      real: { repositories: db, usage: new PrismaUsageRepository(database.prisma), store, engine, models: new InstalledModelDirectory('tiny-sd15-optimum', locations, 60_000, Date.now) },
    });
    await harness.service.start();
  }, 120_000);
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

  async function sizeOf(key: string) {
    const image = await decodeImage(await store.get(key));
    return [image.width, image.height];
  }

  it('Zoom Out 2× of a tiny-sd15 result runs on tiny-sd15-inpaint; Pan right of a tiny-sd15-optimum result is blended', async () => {
    const parent = await finished(harness.service.imagine({ ...from('ada'), options: options('a lighthouse --model tiny-sd15 --count 1 --steps 2 --seed 3') }));
    const [width, height] = [parent.row.width, parent.row.height];
    const zoom = await finished(harness.service.edit(parent.row.id, 0, { kind: 'zoom', factor: 2 }, from('ada')));
    expect([zoom.row.kind, zoom.row.model, zoom.row.edit, zoom.row.parentId]).toEqual(['edit', 'tiny-sd15-inpaint', { kind: 'zoom', factor: 2 }, parent.row.id]);
    expect(zoom.event.event['warnings']).toContain('Edited with the inpainting model tiny-sd15-inpaint.');
    expect(await sizeOf(zoom.row.images[0]!.fileKey)).toEqual([width * 2, height * 2]);
    expect(await sizeOf(zoom.row.maskKey!)).toEqual([width * 2, height * 2]);

    const other = await finished(harness.service.imagine({ ...from('ada'), options: options('a harbour --model tiny-sd15-optimum --count 1 --steps 2 --seed 4') }));
    const pan = await finished(harness.service.edit(other.row.id, 0, { kind: 'pan', direction: 'right' }, from('ada')));
    expect(pan.row.model).toBe('tiny-sd15-optimum');
    expect(pan.event.event['warnings']).toContain('Blended on tiny-sd15-optimum (no inpainting model for it is installed).');
    expect(await sizeOf(pan.row.images[0]!.fileKey)).toEqual([other.row.width + other.row.width / 2, other.row.height]);
  });
});

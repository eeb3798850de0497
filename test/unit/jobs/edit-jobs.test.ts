/**
 * Edits as child generations (issue 15) through the service and the runner, with the fake engine
 * as an ImageEditor: sizes, lineage, mask, the path note, workspace scoping, limits, and the
 * refusal of an engine that cannot edit.
 */
import { describe, expect, it } from 'vitest';
import { StaticModelDirectory } from '../../../src/generation/requests/model-directory.ts';
import { decodeImage } from '../../../src/images/index.ts';
import { regionMask, editOutputSize, editModelFor } from '../../../src/generation/jobs/edit-jobs.ts';
import { planPan, planZoomOut } from '../../../src/generation/pipeline/edit-geometry.ts';
import { MODELS, createHarness, from, options } from '../../support/service/service-harness.ts';
import { DarkroomMetrics } from '../../../src/observability/darkroom-metrics.ts';
import { MeteredEngine } from '../../../src/observability/metered-engine.ts';
import { FakeImageEngine, seedImage } from '../../support/generation/fake-image-engine.ts';

async function accepted<T extends { ok: boolean }>(outcome: Promise<T>) {
  const result = await outcome;
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result as Extract<T, { ok: true }>;
}

async function finishedImagine(harness: ReturnType<typeof createHarness>, prompt = 'a lighthouse --count 1 --seed 5') {
  const job = await accepted(harness.service.imagine({ ...from('alice'), options: options(prompt) }));
  await harness.recorder.waitFor('finished', job.generation.id);
  return job.generation;
}

describe('edit jobs', () => {
  it('Zoom Out 2×, then Pan right, then Vary (Region) with a new prompt: each a child row of the right size with its mask and path note', async () => {
    const limits = { default: { maxSteps: 50, maxPixels: 2048 * 2048, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} };
    const harness = createHarness({ engine: { truePixels: true }, policy: { limits } });
    const { service, recorder, repositories, store, engine } = harness;
    await service.start();
    const parent = await finishedImagine(harness);

    const zoom = await accepted(service.edit(parent.id, 0, { kind: 'zoom', factor: 2 }, from('alice')));
    expect(zoom.generation).toMatchObject({ kind: 'edit', parentId: parent.id, parentImageIndex: 0, width: 1024, height: 1024, count: 1, edit: { kind: 'zoom', factor: 2 } });
    const zoomed = await recorder.waitFor('finished', zoom.generation.id);
    expect(zoomed.event['warnings']).toContain('Blended on lcm-dreamshaper-v7 (no inpainting model for it is installed).');

    // 🔄 on an edit: the same edit of the same source image, with a new seed.
    const reroll = await accepted(service.reroll(zoom.generation.id, from('alice')));
    expect(reroll.generation).toMatchObject({ kind: 'edit', parentId: parent.id, parentImageIndex: 0, width: 1024, height: 1024, edit: { kind: 'zoom', factor: 2 } });
    expect(reroll.generation.seed).not.toBe(zoom.generation.seed);
    await recorder.waitFor('finished', reroll.generation.id);

    const pan = await accepted(service.edit(zoom.generation.id, 0, { kind: 'pan', direction: 'right' }, from('alice')));
    expect([pan.generation.width, pan.generation.height]).toEqual([1536, 1024]);
    await recorder.waitFor('finished', pan.generation.id);

    // 3072×2048 is above the 2048² pixel limit: refused before anything is queued.
    const tooLarge = await service.edit(pan.generation.id, 0, { kind: 'zoom', factor: 2 }, from('alice'));
    expect(tooLarge.ok ? 'accepted' : tooLarge.code).toBe('too_large');

    const region = await accepted(service.edit(zoom.generation.id, 0, { kind: 'region', cells: [5] }, from('alice'), { prompt: 'a red door' }));
    expect(region.generation).toMatchObject({ prompt: 'a red door', width: 1024, height: 1024, strength: 1, edit: { kind: 'region', cells: [5] } });
    await recorder.waitFor('finished', region.generation.id);

    const call = engine.calls.find((candidate) => candidate.kind === 'edit' && candidate.operation?.kind === 'region');
    expect(call?.source).toEqual({ width: 1024, height: 1024 });
    const mask = call?.operation?.kind === 'region' ? call.operation.mask : undefined;
    // Cell 5 is the middle third both ways.
    expect(mask?.pixels[512 * 1024 + 512]).toBe(255);
    expect(mask?.pixels[100 * 1024 + 100]).toBe(0);

    for (const id of [zoom.generation.id, pan.generation.id, region.generation.id]) {
      const row = await repositories.generations.get(id);
      expect(row?.status).toBe('succeeded');
      expect(row?.maskKey).toMatch(/\/mask\.png$/);
      const maskPng = await store.get(row!.maskKey!);
      const decoded = await decodeImage(maskPng);
      expect([decoded.width, decoded.height]).toEqual([row!.width, row!.height]);
      const image = await decodeImage(await store.get(row!.images[0]!.fileKey));
      expect([image.width, image.height]).toEqual([row!.width, row!.height]);
    }

    // ❌ on an edit removes its mask with its image.
    const regionRow = await repositories.generations.get(region.generation.id);
    expect(store.files.has(regionRow!.maskKey!)).toBe(true);
    expect((await service.deleteImage(region.generation.id, 0, from('alice').requester, from('alice').place, undefined)).ok).toBe(true);
    expect(store.files.has(regionRow!.maskKey!)).toBe(false);
    expect(store.files.has(regionRow!.images[0]!.fileKey)).toBe(false);
  });

  it('uses <model>-inpaint when it is installed, and says so', async () => {
    const models = new StaticModelDirectory('lcm-dreamshaper-v7', [...MODELS, { ...MODELS[0]!, name: 'lcm-dreamshaper-v7-inpaint' }]);
    const harness = createHarness({ engine: { truePixels: true }, models });
    await harness.service.start();
    const parent = await finishedImagine(harness);
    const pan = await accepted(harness.service.edit(parent.id, 0, { kind: 'pan', direction: 'up' }, from('alice')));
    expect(pan.generation).toMatchObject({ model: 'lcm-dreamshaper-v7-inpaint', width: 512, height: 768 });
    const done = await harness.recorder.waitFor('finished', pan.generation.id);
    expect(done.event['warnings']).toContain('Edited with the inpainting model lcm-dreamshaper-v7-inpaint.');
  });

  it("answers another workspace's job as not found, refuses bad parameters and an engine that cannot edit", async () => {
    const harness = createHarness({ engine: { truePixels: true } });
    await harness.service.start();
    const parent = await finishedImagine(harness);
    const elsewhere = await harness.service.edit(parent.id, 0, { kind: 'zoom', factor: 2 }, from('mallory', { guild: 'guild-2' }));
    expect(elsewhere.ok ? 'accepted' : elsewhere.code).toBe('not_found');
    const badFactor = await harness.service.edit(parent.id, 0, { kind: 'zoom', factor: 9 }, from('alice'));
    expect(badFactor.ok ? '' : badFactor.message).toContain('zoom factor');
    const noCells = await harness.service.edit(parent.id, 0, { kind: 'region', cells: [] }, from('alice'));
    expect(noCells.ok ? 'accepted' : noCells.code).toBe('invalid_option');
    const missingImage = await harness.service.edit(parent.id, 3, { kind: 'zoom', factor: 2 }, from('alice'));
    expect(missingImage.ok ? 'accepted' : missingImage.code).toBe('not_found');

    const plain = createHarness({ noEditor: true });
    await plain.service.start();
    const plainParent = await finishedImagine(plain);
    const queued = await accepted(plain.service.edit(plainParent.id, 0, { kind: 'zoom', factor: 2 }, from('alice')));
    const failed = await plain.recorder.waitFor('failed', queued.generation.id);
    expect(failed.event['message']).toBe('You cannot edit images with the engine configured here.');
  });

  it('the metered engine the service gets in production passes edits through (and records them), or fails them clearly', async () => {
    const metrics = new DarkroomMetrics();
    const fake = new FakeImageEngine({ stepMs: 0, nsfwWord: undefined, failWord: undefined, onStep: undefined });
    const request = { model: 'm', prompt: 'p', negativePrompt: '', seed: 1, steps: 2, guidance: 1, scheduler: undefined, count: 1, image: seedImage(1, 64, 64), operation: { kind: 'zoom' as const, factor: 2 } };
    const run = { signal: undefined, onProgress: undefined, previews: false };
    const result = await new MeteredEngine(fake, metrics).edit(request, run);
    expect([result.width, result.height, result.path]).toEqual([128, 128, 'legacy-blend']);
    expect(await metrics.registry.metrics()).toContain('operation="edit"');
    const plain = new MeteredEngine({ generate: fake.generate.bind(fake), upscale: fake.upscale.bind(fake) }, metrics);
    await expect(plain.edit(request, run)).rejects.toMatchObject({ name: 'EditUnsupportedError' });
  });

  it('geometry helpers: output sizes on the 8-pixel grid, region cells, inpainting model names', () => {
    expect(editOutputSize({ width: 512, height: 512 }, { kind: 'zoom', factor: 1.5 })).toEqual({ width: 768, height: 768 });
    expect(editOutputSize({ width: 512, height: 768 }, { kind: 'pan', direction: 'down' })).toEqual({ width: 512, height: 1152 });
    expect(editOutputSize({ width: 520, height: 512 }, { kind: 'pan', direction: 'left' })).toEqual({ width: 520 + 264, height: 512 });
    const mask = regionMask(9, 9, [1, 9]);
    expect(Array.from(mask.pixels.slice(0, 9))).toEqual([255, 255, 255, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(mask.pixels.slice(72, 81))).toEqual([0, 0, 0, 0, 0, 0, 255, 255, 255]);
    expect(editModelFor('sd15', ['sd15', 'SD15-Inpainting'])).toBe('SD15-Inpainting');
    expect(editModelFor('sd15', ['sd15'])).toBe('sd15');
  });
});

describe('edit sizes agree with the engine plan', () => {
  it('a row is sized exactly as the engine builds the canvas, for every zoom and pan of odd and even sizes', () => {
    const model = { nativeSize: 512, sizeMultiple: 8 };
    for (const source of [{ width: 64, height: 64 }, { width: 512, height: 768 }, { width: 200, height: 136 }, { width: 1000, height: 8 }]) {
      for (const factor of [1.25, 1.5, 2, 3.3, 4]) {
        expect(editOutputSize(source, { kind: 'zoom', factor })).toEqual(planZoomOut(source, factor, model).canvas);
      }
      for (const direction of ['left', 'right', 'up', 'down'] as const) {
        expect(editOutputSize(source, { kind: 'pan', direction })).toEqual(planPan(source, direction, model).canvas);
      }
    }
  });
});

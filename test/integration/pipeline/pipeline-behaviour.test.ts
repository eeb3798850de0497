/**
 * What a person notices about a generation: determinism, batches, guidance, cancellation,
 * progress, img2img strength. Runs real ONNX sessions on tiny generated fixture folders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepProgress } from '../../../src/generation/engine.types.ts';
import type { StableDiffusionPipeline } from '../../../src/generation/pipeline/stable-diffusion.pipeline.ts';
import { fixtureWorkspace, loadPipeline, maxAbsDiff, meanAbsDiff, noOptions, request, unetSpy, type UnetSpy } from './support/pipeline-harness.ts';

describe('pipeline behaviour (generated SD1.5 Optimum fixture)', () => {
  let workspace: Awaited<ReturnType<typeof fixtureWorkspace>>;
  let pipeline: StableDiffusionPipeline;
  let sequential: StableDiffusionPipeline;
  let spy: UnetSpy;

  beforeAll(async () => {
    workspace = await fixtureWorkspace();
    const dir = await workspace.build('sd15-optimum');
    const spied = unetSpy();
    spy = spied.spy;
    pipeline = await loadPipeline(dir, { hook: spied.hook });
    sequential = await loadPipeline(dir, { cfgBatching: 'sequential' });
  });
  afterAll(async () => {
    await pipeline?.release();
    await sequential?.release();
    await workspace?.cleanup();
  });

  it('gives the same pixels for the same seed and different pixels for another seed', async () => {
    const first = await pipeline.generate(request(), noOptions);
    const second = await pipeline.generate(request(), noOptions);
    const other = await pipeline.generate(request({ seeds: [43] }), noOptions);
    expect(Buffer.from(first.images[0]!.image.pixels).equals(Buffer.from(second.images[0]!.image.pixels))).toBe(true);
    expect(meanAbsDiff(first.images[0]!.image, other.images[0]!.image)).toBeGreaterThan(1);
  });

  it('makes image i of a batch equal to a single-image run with seed + i', async () => {
    const batch = await pipeline.generate(request({ seeds: [100, 101, 102], scheduler: 'euler-ancestral' }), noOptions);
    expect(batch.images.map((image) => image.seed)).toEqual([100, 101, 102]);
    for (const [index, seed] of [100, 101, 102].entries()) {
      const single = await pipeline.generate(request({ seeds: [seed], scheduler: 'euler-ancestral' }), noOptions);
      expect(maxAbsDiff(batch.images[index]!.image, single.images[0]!.image)).toBeLessThanOrEqual(1);
    }
  });

  it('runs guidance as one batch-2 UNet call per step, or two batch-1 calls, with the same result', async () => {
    spy.reset();
    const batched = await pipeline.generate(request({ steps: 4 }), noOptions);
    expect(spy.batches).toEqual([2, 2, 2, 2]);
    const split = await sequential.generate(request({ steps: 4 }), noOptions);
    expect(maxAbsDiff(batched.images[0]!.image, split.images[0]!.image)).toBeLessThanOrEqual(1);
  });

  it('skips the negative pass at guidance ≤ 1 and says the negative prompt was unused', async () => {
    spy.reset();
    const result = await pipeline.generate(request({ guidance: 1, steps: 3, seeds: [1, 2] }), noOptions);
    expect(spy.batches).toEqual([2, 2, 2]); // two images, no negative rows
    expect(result.warnings.join(' ')).toMatch(/negative prompt/);
  });

  it('runs PNDM’s extra warm-up evaluation like diffusers (steps + 1 UNet calls)', async () => {
    spy.reset();
    const seen: number[] = [];
    await pipeline.generate(request({ steps: 4, scheduler: 'pndm' }), {
      signal: undefined,
      onProgress: (progress) => seen.push(progress.totalSteps),
      previews: false,
    });
    expect(spy.batches).toHaveLength(5);
    expect(seen).toEqual([5, 5, 5, 5, 5]);
  });

  it('reports progress once per step, with a latent-sized preview when asked', async () => {
    const seen: StepProgress[] = [];
    await pipeline.generate(request({ steps: 5, width: 64, height: 128 }), {
      signal: undefined,
      onProgress: (progress) => seen.push(progress),
      previews: true,
    });
    expect(seen.map((progress) => progress.step)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.every((progress) => progress.totalSteps === 5)).toBe(true);
    expect(seen[0]!.preview).toMatchObject({ width: 8, height: 16 });
  });

  it('stops after the current step when the AbortSignal fires', async () => {
    const controller = new AbortController();
    spy.reset();
    let steps = 0;
    const run = pipeline.generate(request({ steps: 10 }), {
      signal: controller.signal,
      onProgress: (progress) => {
        steps = progress.step;
        if (progress.step === 2) controller.abort();
      },
      previews: false,
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(steps).toBe(2);
    expect(spy.batches).toHaveLength(2);
  });

  it('img2img runs strength × steps, and at low strength the init image decides the picture, not the seed', async () => {
    const pixels = new Uint8Array(64 * 64 * 3).map((_, index) => (Math.floor(index / 3) % 64 < 32 ? 30 : 220));
    const sourceA = { width: 64, height: 64, pixels };
    const sourceB = { width: 64, height: 64, pixels: pixels.map((value) => 250 - value) };
    const seen: number[] = [];
    const half = await pipeline.generate(
      request({ steps: 10, seeds: [9], scheduler: 'euler', initImage: { image: sourceA, strength: 0.5 } }),
      { signal: undefined, onProgress: (progress) => seen.push(progress.totalSteps), previews: false },
    );
    expect(half.stepsRun).toBe(5);
    expect(seen).toEqual([5, 5, 5, 5, 5]);

    const run = async (image: typeof sourceA, seed: number, strength: number) =>
      (await pipeline.generate(request({ steps: 20, seeds: [seed], scheduler: 'euler', initImage: { image, strength } }), noOptions)).images[0]!.image;
    const influence = async (strength: number) => {
      const a9 = await run(sourceA, 9, strength);
      return { ofSeed: meanAbsDiff(a9, await run(sourceA, 10, strength)), ofImage: meanAbsDiff(a9, await run(sourceB, 9, strength)) };
    };
    // The fixture VAE is random, so the output is not the input itself; but at low strength the init
    // image decides the picture far more than the seed does, and at strength 1 it hardly matters.
    const low = await influence(0.05); // 20 × 0.05 = 1 step
    const full = await influence(1);
    expect(low.ofImage).toBeGreaterThan(3 * low.ofSeed);
    expect(full.ofImage).toBeLessThan(low.ofImage / 10);
    expect(full.ofSeed).toBeGreaterThan(low.ofSeed);
  });
});

/**
 * End to end on the three folders exported from the real diffusers architectures
 * (shared/fixtures/models): legacy diffusers script, Optimum ≥ 1.24, Optimum SDXL.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GenerationRequest } from '../../../src/generation/engine.types.ts';
import { DiffusionEngine } from '../../../src/generation/pipeline/diffusion-engine.ts';
import { createUpscaler, DEFAULT_UPSCALER_CONFIG } from '../../../src/generation/upscale/index.ts';
import { decodeImage, parseA1111Parameters, readPngParameters } from '../../../src/images/index.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { maxAbsDiff, meanAbsDiff } from './support/pipeline-harness.ts';

const models = sharedPath('fixtures', 'models');
const noOptions = { signal: undefined, onProgress: undefined, previews: false };

function request(model: string, overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    model: `${models}/${model}`,
    prompt: 'a photo of an astronaut riding a horse on mars',
    negativePrompt: 'blurry, low quality',
    seed: 1234,
    steps: 3,
    guidance: 7.5,
    scheduler: undefined,
    width: 64,
    height: 64,
    count: 1,
    initImage: undefined,
    ...overrides,
  };
}

describe.skipIf(!models)('shared tiny models from the real architectures' + sharedSkipReason, () => {
  const engine = new DiffusionEngine({
    locations: undefined,
    provider: 'cpu',
    threads: 1,
    cfgBatching: 'batched',
    cachedPipelines: 2,
    upscaler: createUpscaler({ ...DEFAULT_UPSCALER_CONFIG, modelPath: undefined, provider: 'cpu' }, { logger: undefined, loadOnnx: undefined }),
    logger: undefined,
  });
  afterAll(() => engine.close());

  for (const model of ['tiny-sd15', 'tiny-sd15-optimum', 'tiny-sdxl']) {
    it(`${model}: square and non-square PNGs with A1111 parameters, same seed → same bytes`, async () => {
      const square = await engine.generate(request(model), noOptions);
      const again = await engine.generate(request(model), noOptions);
      expect(square.images).toHaveLength(1);
      expect(square.images[0]!.png.equals(again.images[0]!.png)).toBe(true);
      expect(square.images[0]!.nsfw).toBeUndefined(); // these folders have no safety checker

      const decoded = await decodeImage(square.images[0]!.png);
      expect([decoded.width, decoded.height]).toEqual([64, 64]);
      const parameters = await readPngParameters(square.images[0]!.png);
      expect(parameters).toContain('a photo of an astronaut riding a horse on mars');
      expect(parameters).toContain('Negative prompt: blurry, low quality');
      expect(parameters).toContain('Steps: 3');
      expect(parameters).toContain('Seed: 1234');
      expect(parameters).toContain('Size: 64x64');
      expect(parameters).toContain(`Model: ${model}`);

      const wide = await engine.generate(request(model, { width: 128, height: 64, seed: 7 }), noOptions);
      const wideImage = await decodeImage(wide.images[0]!.png);
      expect([wideImage.width, wideImage.height]).toEqual([128, 64]);
      expect(wide.warnings).toEqual([]);

      const otherSeed = await engine.generate(request(model, { seed: 1235 }), noOptions);
      expect(meanAbsDiff(decoded, await decodeImage(otherSeed.images[0]!.png))).toBeGreaterThan(1);
    });
  }

  it('tiny-sd15 (legacy: int32 ids, float [batch] timestep) and tiny-sd15-optimum (int64 ids, scalar timestep) hold the same weights and give the same image', async () => {
    // The two scheduler_config.json files differ (only Optimum's sets timestep_spacing "leading"), so a
    // swapped-in Euler gets linspace on one and leading on the other, as in diffusers; the folders'
    // own PNDM and Karras σ (independent of the spacing) run the same schedule on both.
    for (const overrides of [{}, { scheduler: 'dpmpp-2m-karras' as const, seed: 99, width: 128 }]) {
      const legacy = await engine.generate(request('tiny-sd15', overrides), noOptions);
      const optimum = await engine.generate(request('tiny-sd15-optimum', overrides), noOptions);
      const a = await decodeImage(legacy.images[0]!.png);
      const b = await decodeImage(optimum.images[0]!.png);
      // Same maths on both exports; only float rounding inside ORT may differ.
      expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1);
    }
  });

  it('rounds a size the UNet cannot take, and says so: 96 px needs the 16-px multiple of the tiny UNet', async () => {
    // tiny-sd15-optimum ships unet/config.json (2 levels → multiples of 16); the legacy tiny-sd15 has
    // no config, so the SD 1.x default of 4 levels (multiples of 64) applies.
    const optimum = await engine.generate(request('tiny-sd15-optimum', { width: 96, height: 72 }), noOptions);
    expect((await decodeImage(optimum.images[0]!.png)).height).toBe(80);
    expect(optimum.warnings.join(' ')).toMatch(/size rounded to 96×80 .*multiples of 16/);
    const legacy = await engine.generate(request('tiny-sd15', { width: 96, height: 64 }), noOptions);
    expect((await decodeImage(legacy.images[0]!.png)).width).toBe(128);
    expect(legacy.warnings.join(' ')).toMatch(/multiples of 64/);
  });

  it('upscales 2× with the hires fix: Lanczos, then img2img through the same model, seed and prompt', async () => {
    const steps: string[] = [];
    const original = await engine.generate(request('tiny-sd15-optimum', { width: 64, height: 96, seed: 77 }), noOptions);
    const upscaled = await engine.upscale(original.images[0]!.png, request('tiny-sd15-optimum', { seed: 77, steps: 10, scheduler: 'euler' }), {
      signal: undefined,
      onProgress: (progress) => steps.push(`${progress.step}/${progress.totalSteps}`),
      previews: false,
    });
    const image = await decodeImage(upscaled.images[0]!.png);
    expect([image.width, image.height]).toEqual([128, 192]);
    // Default hires strength 0.3 of 10 steps → 3 img2img steps.
    expect(steps).toEqual(['1/3', '2/3', '3/3']);
    // A1111's hires-fix semantics, read back with the A1111 parser: Size is the first pass.
    const parsed = parseA1111Parameters(await readPngParameters(upscaled.images[0]!.png) ?? '');
    expect([parsed.width, parsed.height]).toEqual([64, 96]);
    expect(parsed.seed).toBe(77);
    expect(parsed.steps).toBe(10);
    expect(parsed.denoisingStrength).toBe(0.3);
    expect(parsed.extra).toMatchObject({ 'Hires upscale': '2', 'Hires steps': '10', 'Hires upscaler': 'Lanczos' });
  });

  it('writes A1111\'s Model hash, the sha256sum of the UNet (model.onnx then model.onnx_data), once it is known', async () => {
    const unet = path.join(models!, 'tiny-sd15-optimum', 'unet');
    const bytes = Buffer.concat([readFileSync(path.join(unet, 'model.onnx')), readFileSync(path.join(unet, 'model.onnx_data'))]);
    const expected = execFileSync('sha256sum', { input: bytes, encoding: 'utf8' }).slice(0, 10);
    expect(await engine.modelHash(`${models}/tiny-sd15-optimum`)).toBe(expected);
    const generated = await engine.generate(request('tiny-sd15-optimum', { seed: 5 }), noOptions);
    expect(parseA1111Parameters((await readPngParameters(generated.images[0]!.png)) ?? '').modelHash).toBe(expected);
    const upscaled = await engine.upscale(generated.images[0]!.png, request('tiny-sd15-optimum', { seed: 5 }), noOptions);
    expect(parseA1111Parameters((await readPngParameters(upscaled.images[0]!.png)) ?? '').modelHash).toBe(expected);
  });
});

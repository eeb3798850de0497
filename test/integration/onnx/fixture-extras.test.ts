import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/generation/onnx/index.ts';
import { buildFixtureModel, CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, UPSCALER_SCALE, writeUpscaler } from '../../fixtures/onnx/index.ts';
import { cpuOptions, makeTempDir, randomFloats } from './onnx-test-support.ts';

/** Two 8×8 images, one at brightness 0.2 and one at 0.9, as `images` (NHWC) and `clip_input`. */
function darkAndBright(): { images: Float32Array; clip: Float32Array } {
  const levels = [0.2, 0.9];
  const images = Float32Array.from({ length: 2 * 8 * 8 * 3 }, (_, index) => levels[Math.floor(index / 192)] ?? 0);
  const clip = Float32Array.from({ length: 2 * 3 * 224 * 224 }, (_, index) => {
    const image = Math.floor(index / (3 * 224 * 224));
    const channel = Math.floor(index / (224 * 224)) % 3;
    return ((levels[image] ?? 0) - (CLIP_IMAGE_MEAN[channel] ?? 0)) / (CLIP_IMAGE_STD[channel] ?? 1);
  });
  return { images, clip };
}

describe('fixture safety checker and upscaler', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    root = await makeTempDir('extras');
  });
  afterAll(async () => root.cleanup());

  it('flags exactly the images brighter than the chosen threshold and blacks them out', async () => {
    const dir = await buildFixtureModel(path.join(root.dir, 'checked'), 'sd15-legacy', { withSafetyChecker: true, nsfwThreshold: 0.5 });
    const checker = await createSession(path.join(dir, 'safety_checker', 'model.onnx'), cpuOptions);
    const { images, clip } = darkAndBright();
    const result = await checker.run({ clip_input: { data: clip, dims: [2, 3, 224, 224] }, images: { data: images, dims: [2, 8, 8, 3] } });
    expect([...(result['has_nsfw_concepts']?.data ?? [])]).toEqual([0, 1]);
    const out = result['out_images']?.data ?? new Float32Array();
    expect(out.slice(0, 192).every((value) => Math.abs(value - 0.2) < 1e-6)).toBe(true);
    expect(out.slice(192).every((value) => value === 0)).toBe(true);
    await checker.release();
  });

  it('writes preprocessor_config.json next to the safety checker', async () => {
    const dir = path.join(root.dir, 'checked');
    const config = JSON.parse(await readFile(path.join(dir, 'feature_extractor', 'preprocessor_config.json'), 'utf8')) as {
      crop_size: number;
      image_mean: number[];
    };
    expect(config.crop_size).toBe(224);
    expect(config.image_mean).toEqual([...CLIP_IMAGE_MEAN]);
  });

  it('upscales ×4 close to a nearest-neighbour resize, dynamic or fixed 128×128', async () => {
    const dynamicPath = path.join(root.dir, 'upscaler', 'model.onnx');
    await writeUpscaler(dynamicPath, { fixedSize: undefined, seed: 3 });
    const upscaler = await createSession(dynamicPath, cpuOptions);
    const input = randomFloats(3 * 5 * 7, 31, 0.5).map((value) => value + 0.5);
    const output = (await upscaler.run({ input: { data: input, dims: [1, 3, 5, 7] } }))['output'];
    expect(output?.dims).toEqual([1, 3, 5 * UPSCALER_SCALE, 7 * UPSCALER_SCALE]);
    // Output pixel (c, y, x) ≈ input pixel (c, y/4, x/4), within the 0.05 detail term.
    const width = 7 * UPSCALER_SCALE;
    const at = (channel: number, y: number, x: number): number => output?.data[(channel * 5 * UPSCALER_SCALE + y) * width + x] ?? NaN;
    expect(Math.abs(at(2, 13, 27) - (input[(2 * 5 + 3) * 7 + 6] ?? NaN))).toBeLessThanOrEqual(0.05);

    const fixedPath = path.join(root.dir, 'upscaler-fixed', 'model.onnx');
    await writeUpscaler(fixedPath, { fixedSize: 128, seed: 3 });
    const fixed = await createSession(fixedPath, cpuOptions);
    expect(fixed.inputs[0]?.shape).toEqual([1, 3, 128, 128]);
    await expect(fixed.run({ input: { data: new Float32Array(3 * 64 * 64), dims: [1, 3, 64, 64] } })).rejects.toThrow(/dim 2 must be 128/);
    await upscaler.release();
    await fixed.release();
  });
});

/**
 * The tiled upscaler on real onnxruntime sessions of tiny Real-ESRGAN-shaped graphs: tiled output
 * must equal the model run on the whole image (their receptive fields are smaller than the pad).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import { createSession, type ModelSession, type SessionOptions } from '../../../src/generation/onnx/index.ts';
import { createUpscaler, DEFAULT_UPSCALER_CONFIG, TiledOnnxUpscaler, type TilingOptions } from '../../../src/generation/upscale/index.ts';
import { writeUpscaler } from '../../fixtures/onnx/index.ts';
import { cropTopLeft, maxByteDiff, testImage } from '../../unit/upscale/support/fake-upscaler.session.ts';
import { writeUpscalerVariant, type UpscalerVariantSpec } from './support/upscaler-variants.fixture.ts';

const cpu: SessionOptions = { provider: 'cpu', threads: 1, freeDimensionOverrides: undefined, logger: undefined };
const noProgress = { signal: undefined, onProgress: undefined };

/** The model on the whole image at once, with this test's own pixel conversion. */
async function untiled(modelPath: string, image: RgbImage): Promise<RgbImage> {
  const session = await createSession(modelPath, cpu);
  const plane = image.width * image.height;
  const input = new Float32Array(3 * plane);
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let channel = 0; channel < 3; channel++) input[channel * plane + pixel] = (image.pixels[pixel * 3 + channel] ?? 0) / 255;
  }
  const inputName = session.inputs[0]?.name ?? '';
  const output = Object.values(await session.run({ [inputName]: { data: input, dims: [1, 3, image.height, image.width] } }))[0];
  await session.release();
  const [, , height = 0, width = 0] = output?.dims ?? [];
  const outPlane = width * height;
  const pixels = new Uint8Array(outPlane * 3);
  for (let pixel = 0; pixel < outPlane; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      pixels[pixel * 3 + channel] = Math.round(Math.min(1, Math.max(0, output?.data[channel * outPlane + pixel] ?? 0)) * 255);
    }
  }
  return { width, height, pixels };
}

/** Fraction of bytes that differ at all (the ≤ 1 tolerance is for rare float rounding ties, not for seams). */
function differingFraction(a: RgbImage, b: RgbImage): number {
  let differing = 0;
  for (let index = 0; index < a.pixels.length; index++) if (a.pixels[index] !== b.pixels[index]) differing++;
  return differing / a.pixels.length;
}

/** A real session that records the input dims of every run. */
function recording(session: ModelSession): { session: ModelSession; runDims: number[][] } {
  const runDims: number[][] = [];
  const wrapped: ModelSession = {
    path: session.path,
    provider: session.provider,
    inputs: session.inputs,
    outputs: session.outputs,
    hasInput: (name) => session.hasInput(name),
    run: (feeds, outputNames) => {
      for (const feed of Object.values(feeds)) runDims.push([...feed.dims]);
      return session.run(feeds, outputNames);
    },
    release: () => session.release(),
  };
  return { session: wrapped, runDims };
}

async function tiledRun(modelPath: string, tiling: TilingOptions, image: RgbImage) {
  const { session, runDims } = recording(await createSession(modelPath, cpu));
  const model = await TiledOnnxUpscaler.fromSession(session, tiling, undefined);
  const result = await model.upscale(image, noProgress);
  await model.release();
  return { ...result, runDims, layout: model.layout };
}

const variant = (overrides: Partial<UpscalerVariantSpec>): UpscalerVariantSpec => ({
  inputName: 'input',
  outputName: 'output',
  ioType: 'float32',
  fixedSize: undefined,
  scale: 2,
  resizeMode: 'nearest',
  convLayers: 2,
  seed: 5,
  ...overrides,
});

describe('TiledOnnxUpscaler on real ONNX sessions', () => {
  let root: string;
  const file = (name: string): string => path.join(root, name, 'model.onnx');
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'darkroom-upscale-'));
    await writeUpscaler(file('x4-dynamic'), { fixedSize: undefined, seed: 3 });
    await writeUpscaler(file('x4-fixed128'), { fixedSize: 128, seed: 3 });
    await writeUpscalerVariant(file('x2-fp16-data'), variant({ inputName: 'data', outputName: 'out', ioType: 'float16', resizeMode: 'linear' }));
    await writeUpscalerVariant(file('x2-wide-dynamic-fp16'), variant({ convLayers: 3, seed: 9, ioType: 'float16' }));
    await writeUpscalerVariant(file('x2-wide-fixed64-fp16'), variant({ convLayers: 3, seed: 9, fixedSize: 64, ioType: 'float16' }));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('Real-ESRGAN-shaped ×4, dynamic H/W: an odd 333×97 image in 12 bounded tiles equals the untiled run', async () => {
    const image = testImage(333, 97, 31);
    const result = await tiledRun(file('x4-dynamic'), { tileSize: 64, tilePad: 10, sizeMultiple: 1 }, image);
    expect([result.scale, result.image.width, result.image.height, result.tiles]).toEqual([4, 1332, 388, 12]);
    // A probe run, then 12 tiles that never exceed tile + 2·pad = 84 px per side.
    expect(result.runDims.length).toBe(13);
    expect(result.runDims.slice(1).every((dims) => dims.join() === '1,3,84,84')).toBe(true);
    const reference = await untiled(file('x4-dynamic'), image);
    expect(maxByteDiff(result.image, reference)).toBeLessThanOrEqual(1);
    expect(differingFraction(result.image, reference)).toBeLessThan(0.001);
  });

  it('the same weights with a static 128×128 input: only 128×128 runs, same image as the dynamic model untiled', async () => {
    const image = testImage(333, 197, 32);
    const result = await tiledRun(file('x4-fixed128'), { tileSize: 256, tilePad: 16, sizeMultiple: 1 }, image);
    expect(result.runDims.every((dims) => dims.join() === '1,3,128,128')).toBe(true);
    // Cores ≤ 128 − 2·16 = 96: ceil(333/96) = 4 columns × ceil(197/96) = 3 rows; no probe (static shapes).
    expect(result.runDims.length).toBe(12);
    expect(maxByteDiff(result.image, await untiled(file('x4-dynamic'), image))).toBeLessThanOrEqual(1);
  });

  it('a static 128×128 model on an image only 97 px tall: mirrored padding, cropped back to 4×', async () => {
    const image = testImage(333, 97, 33);
    const result = await tiledRun(file('x4-fixed128'), { tileSize: 256, tilePad: 16, sizeMultiple: 1 }, image);
    expect([result.image.width, result.image.height]).toEqual([1332, 388]);
    // Rows beyond the mirrored bottom edge's reach (one 3×3 conv → the last input row) match the untiled run.
    const reference = await untiled(file('x4-dynamic'), image);
    expect(maxByteDiff(cropTopLeft(result.image, 1332, 96 * 4), cropTopLeft(reference, 1332, 96 * 4))).toBeLessThanOrEqual(1);
  });

  it('float16 I/O, input named "data", ×2 with linear resize: scale probed, tiled equals untiled', async () => {
    const image = testImage(211, 150, 34);
    const result = await tiledRun(file('x2-fp16-data'), { tileSize: 48, tilePad: 8, sizeMultiple: 1 }, image);
    expect([result.layout.inputName, result.layout.outputName, result.scale]).toEqual(['data', 'out', 2]);
    expect([result.image.width, result.image.height]).toEqual([422, 300]);
    expect(result.tiles).toBe(5 * 4);
    expect(maxByteDiff(result.image, await untiled(file('x2-fp16-data'), image))).toBeLessThanOrEqual(1);
  });

  it('a wider receptive field (three 3×3 convs) on a fixed 64×64 fp16 model: seamless with pad 8, seams with pad 1', async () => {
    const image = testImage(150, 130, 35);
    const reference = await untiled(file('x2-wide-dynamic-fp16'), image);
    const padded = await tiledRun(file('x2-wide-fixed64-fp16'), { tileSize: 256, tilePad: 8, sizeMultiple: 1 }, image);
    expect(padded.runDims.every((dims) => dims.join() === '1,3,64,64')).toBe(true);
    expect(maxByteDiff(padded.image, reference)).toBeLessThanOrEqual(1);
    expect(differingFraction(padded.image, reference)).toBeLessThan(0.001);
    const seams = await tiledRun(file('x2-wide-fixed64-fp16'), { tileSize: 256, tilePad: 1, sizeMultiple: 1 }, image);
    expect(maxByteDiff(seams.image, reference)).toBeGreaterThan(1);
  });

  it('createUpscaler loads the file with createSession and returns the model scale when outputScale is undefined', async () => {
    const upscaler = createUpscaler(
      { ...DEFAULT_UPSCALER_CONFIG, modelPath: file('x4-dynamic'), provider: 'cpu', threads: 1, outputScale: undefined },
      { logger: undefined, loadOnnx: undefined },
    );
    const image = testImage(90, 60, 36);
    const result = await upscaler.upscale(image, { signal: undefined, onProgress: undefined, img2img: undefined });
    expect([result.method, result.scale, result.image.width, result.image.height]).toEqual(['onnx', 4, 360, 240]);
    expect(maxByteDiff(result.image, await untiled(file('x4-dynamic'), image))).toBeLessThanOrEqual(1);
    await upscaler.close();
  });

  it('names a missing model file', async () => {
    const upscaler = createUpscaler({ ...DEFAULT_UPSCALER_CONFIG, modelPath: file('missing'), provider: 'cpu', threads: 1 }, { logger: undefined, loadOnnx: undefined });
    await expect(upscaler.upscale(testImage(8, 8, 37), { signal: undefined, onProgress: undefined, img2img: undefined })).rejects.toThrow(/not found/);
  });
});

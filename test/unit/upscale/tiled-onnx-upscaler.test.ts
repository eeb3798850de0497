import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import { TiledOnnxUpscaler, UnsupportedUpscalerError, UpscaleAbortedError, type TilingOptions } from '../../../src/generation/upscale/index.ts';
import { cropTopLeft, FakeUpscalerSession, filteredValue, maxByteDiff, testImage, type FakeUpscalerSpec } from './support/fake-upscaler.session.ts';

const dynamicSpec: FakeUpscalerSpec = { inputName: 'input', inputType: 'float32', fixedSize: undefined, scale: 4, radius: 2, staticOutput: false };
const tiling = (tileSize: number, tilePad: number): TilingOptions => ({ tileSize, tilePad, sizeMultiple: 1 });
const noProgress = { signal: undefined, onProgress: undefined };

/** The fake model applied to the whole image, written independently of the tiling code. */
function untiledReference(image: RgbImage, scale: number, radius: number): RgbImage {
  const read = (channel: number, y: number, x: number): number =>
    y < 0 || x < 0 || y >= image.height || x >= image.width ? 0 : (image.pixels[(y * image.width + x) * 3 + channel] ?? 0) / 255;
  const filtered = new Uint8Array(image.pixels.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      for (let channel = 0; channel < 3; channel++) {
        const value = filteredValue(read, channel, y, x, radius);
        filtered[(y * image.width + x) * 3 + channel] = Math.round(Math.min(1, Math.max(0, value)) * 255);
      }
    }
  }
  const width = image.width * scale;
  const pixels = new Uint8Array(width * image.height * scale * 3);
  for (let y = 0; y < image.height * scale; y++) {
    for (let x = 0; x < width; x++) {
      const source = (Math.floor(y / scale) * image.width + Math.floor(x / scale)) * 3;
      pixels.set(filtered.subarray(source, source + 3), (y * width + x) * 3);
    }
  }
  return { width, height: image.height * scale, pixels };
}

async function upscaler(spec: FakeUpscalerSpec, options: TilingOptions): Promise<{ model: TiledOnnxUpscaler; session: FakeUpscalerSession }> {
  const session = new FakeUpscalerSession(spec);
  return { model: await TiledOnnxUpscaler.fromSession(session, options, undefined), session };
}

describe('TiledOnnxUpscaler on a dynamic-size model', () => {
  it('gives the untiled result for an odd 333×97 image when the pad covers the receptive field', async () => {
    const image = testImage(333, 97, 1);
    const { model, session } = await upscaler(dynamicSpec, tiling(64, 8));
    const result = await model.upscale(image, noProgress);
    expect([result.image.width, result.image.height, result.scale]).toEqual([1332, 388, 4]);
    // 333 px in cores of ≤ 64 → 6 columns; 97 px → 2 rows.
    expect(result.tiles).toBe(12);
    const whole = await (await upscaler(dynamicSpec, tiling(512, 0))).model.upscale(image, noProgress);
    expect(whole.tiles).toBe(1);
    expect(maxByteDiff(result.image, whole.image)).toBe(0);
    expect(maxByteDiff(result.image, untiledReference(image, 4, 2))).toBeLessThanOrEqual(1);
    // One probe run, then every tile with the same bounded input: at most tile + 2·pad per side.
    expect(session.runDims.slice(1).every((dims) => dims.join() === '1,3,80,80')).toBe(true);
    expect(session.runDims.length).toBe(1 + 12);
  });

  it('shows seams when the pad is smaller than the receptive field (so the test above can fail)', async () => {
    const image = testImage(200, 150, 2);
    const tiled = await (await upscaler(dynamicSpec, tiling(64, 1))).model.upscale(image, noProgress);
    expect(maxByteDiff(tiled.image, untiledReference(image, 4, 2))).toBeGreaterThan(1);
  });

  it('reports tile i of N after each tile and stops between tiles when aborted', async () => {
    const image = testImage(300, 300, 3);
    const { model, session } = await upscaler(dynamicSpec, tiling(100, 10));
    const controller = new AbortController();
    const seen: string[] = [];
    const run = model.upscale(image, {
      signal: controller.signal,
      onProgress: (progress) => {
        seen.push(`${progress.completedTiles}/${progress.totalTiles}`);
        if (progress.completedTiles === 2) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(UpscaleAbortedError);
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'aborted', completed: 2, total: 9 });
    expect(seen).toEqual(['1/9', '2/9']);
    expect(session.runDims.length).toBe(1 + 2);
  });

  it('feeds inputs rounded up to a required size multiple', async () => {
    const { model, session } = await upscaler(dynamicSpec, { tileSize: 64, tilePad: 8, sizeMultiple: 8 });
    const image = testImage(37, 21, 4);
    const result = await model.upscale(image, noProgress);
    expect(session.runDims.at(-1)).toEqual([1, 3, 24, 40]);
    expect([result.image.width, result.image.height]).toEqual([148, 84]);
    // Rows/columns past the image are mirrored real pixels, so only the last rows/columns near them may differ.
    const reference = untiledReference(image, 4, 2);
    expect(maxByteDiff(cropTopLeft(result.image, 35 * 4, 19 * 4), cropTopLeft(reference, 35 * 4, 19 * 4))).toBeLessThanOrEqual(1);
    expect(maxByteDiff(result.image, reference)).toBeGreaterThan(1);
  });
});

describe('TiledOnnxUpscaler on a fixed 64×64 model', () => {
  const fixedSpec: FakeUpscalerSpec = { ...dynamicSpec, inputName: 'data', inputType: 'float16', fixedSize: 64, staticOutput: true };

  it('reads the scale from static shapes (no probe run) and feeds exactly 64×64 tiles', async () => {
    const { model, session } = await upscaler(fixedSpec, tiling(256, 10));
    expect([model.scale, model.layout.inputName, session.runDims.length]).toEqual([4, 'data', 0]);
    const image = testImage(333, 97, 5);
    const result = await model.upscale(image, noProgress);
    expect(session.runDims.every((dims) => dims.join() === '1,3,64,64')).toBe(true);
    // Cores of at most 64 − 2·10 = 44 px: ceil(333/44) = 8 columns, ceil(97/44) = 3 rows.
    expect(result.tiles).toBe(24);
    expect(maxByteDiff(result.image, untiledReference(image, 4, 2))).toBeLessThanOrEqual(1);
  });

  it('mirrors a small image up to the fixed size and crops the result back to s× the input', async () => {
    const { model } = await upscaler(fixedSpec, tiling(256, 10));
    const image = testImage(50, 40, 6);
    const result = await model.upscale(image, noProgress);
    expect([result.image.width, result.image.height, result.tiles]).toEqual([200, 160, 1]);
    const reference = untiledReference(image, 4, 2);
    // Away from the mirrored right/bottom edge (radius 2 → last 2 input pixels), the result is the untiled one.
    expect(maxByteDiff(cropTopLeft(result.image, 48 * 4, 38 * 4), cropTopLeft(reference, 48 * 4, 38 * 4))).toBeLessThanOrEqual(1);
  });

  it('warns when the fixed input is too small for the requested overlap', async () => {
    const { model } = await upscaler({ ...fixedSpec, fixedSize: 32 }, tiling(256, 16));
    const result = await model.upscale(testImage(100, 40, 7), noProgress);
    expect(result.warnings.join()).toMatch(/overlap reduced from 16 to 8/);
  });
});

describe('TiledOnnxUpscaler model checks', () => {
  it('probes a dynamic model for its scale', async () => {
    const { model } = await upscaler({ ...dynamicSpec, scale: 3 }, tiling(64, 8));
    expect(model.scale).toBe(3);
  });

  it('refuses a graph with two inputs, and one that is not RGB', async () => {
    const twoInputs = new FakeUpscalerSession(dynamicSpec);
    twoInputs.inputs.push({ name: 'noise_level', type: 'float32', shape: [1] });
    await expect(TiledOnnxUpscaler.fromSession(twoInputs, tiling(64, 8), undefined)).rejects.toBeInstanceOf(UnsupportedUpscalerError);
    const gray = new FakeUpscalerSession(dynamicSpec);
    gray.inputs[0] = { name: 'input', type: 'float32', shape: ['batch', 1, 'height', 'width'] };
    await expect(TiledOnnxUpscaler.fromSession(gray, tiling(64, 8), undefined)).rejects.toMatchObject({ code: 'unsupported_upscaler' });
  });

  it('refuses tiling options that would leave no core', async () => {
    await expect(upscaler(dynamicSpec, tiling(64, 40))).rejects.toBeInstanceOf(RangeError);
  });
});

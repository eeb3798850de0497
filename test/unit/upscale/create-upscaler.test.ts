import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import {
  createUpscaler,
  DEFAULT_UPSCALER_CONFIG,
  TiledOnnxUpscaler,
  type Img2ImgFunction,
  type UpscaleProgress,
  type UpscalerConfig,
  type UpscalerDeps,
} from '../../../src/generation/upscale/index.ts';
import { FakeUpscalerSession, testImage } from './support/fake-upscaler.session.ts';

const onnxConfig: UpscalerConfig = { ...DEFAULT_UPSCALER_CONFIG, modelPath: '/models/realesrgan-x4.onnx', tileSize: 64, tilePad: 8 };

/** Deps whose ONNX loader wraps fake ×4 sessions and counts loads. */
function fakeDeps(): { deps: UpscalerDeps; sessions: FakeUpscalerSession[]; paths: string[] } {
  const sessions: FakeUpscalerSession[] = [];
  const paths: string[] = [];
  const deps: UpscalerDeps = {
    logger: undefined,
    loadOnnx: (modelPath, options) => {
      paths.push(modelPath);
      const session = new FakeUpscalerSession({ inputName: 'input', inputType: 'float32', fixedSize: undefined, scale: 4, radius: 1, staticOutput: false });
      sessions.push(session);
      return TiledOnnxUpscaler.fromSession(session, options, undefined);
    },
  };
  return { deps, sessions, paths };
}

const noImg2Img = { signal: undefined, onProgress: undefined, img2img: undefined };

describe('createUpscaler with an ONNX model', () => {
  it('loads the model once, on first use, and brings a ×4 model to the configured 2× with Lanczos', async () => {
    const { deps, sessions, paths } = fakeDeps();
    const upscaler = createUpscaler(onnxConfig, deps);
    expect(upscaler.method).toBe('onnx');
    expect(paths).toEqual([]);
    const progress: UpscaleProgress[] = [];
    const first = await upscaler.upscale(testImage(150, 90, 21), { ...noImg2Img, onProgress: (event) => progress.push(event) });
    expect([first.image.width, first.image.height, first.scale, first.method]).toEqual([300, 180, 2, 'onnx']);
    // Sides longer than one 64 + 2·8 window are cut into cores ≤ 64: 150 px → 3 columns, 90 px → 2 rows.
    expect(progress.map((event) => `${event.method} ${event.completed}/${event.total}`)).toEqual(
      [1, 2, 3, 4, 5, 6].map((tile) => `onnx ${tile}/6`),
    );
    await upscaler.upscale(testImage(20, 20, 22), noImg2Img);
    expect(paths).toEqual(['/models/realesrgan-x4.onnx']);
    await upscaler.close();
    expect(sessions[0]?.released).toBe(true);
  });

  it("keeps the model's own scale when outputScale is undefined, and warns when asked for more than the model gives", async () => {
    const native = await createUpscaler({ ...onnxConfig, outputScale: undefined }, fakeDeps().deps).upscale(testImage(30, 20, 23), noImg2Img);
    expect([native.image.width, native.image.height, native.scale, native.warnings]).toEqual([120, 80, 4, []]);
    const more = await createUpscaler({ ...onnxConfig, outputScale: 6 }, fakeDeps().deps).upscale(testImage(30, 20, 23), noImg2Img);
    expect([more.image.width, more.image.height]).toEqual([180, 120]);
    expect(more.warnings.join()).toMatch(/enlarges 4×.*Lanczos/);
  });

  it('caps the result at maxPixels and says so', async () => {
    const result = await createUpscaler({ ...onnxConfig, outputScale: 4, maxPixels: 100 * 50 }, fakeDeps().deps).upscale(testImage(40, 20, 24), noImg2Img);
    expect([result.image.width, result.image.height]).toEqual([100, 50]);
    expect(result.warnings.join()).toMatch(/100×50 instead of 4×/);
  });

  it('retries a model load that failed', async () => {
    const { deps } = fakeDeps();
    let attempts = 0;
    const flaky: UpscalerDeps = {
      ...deps,
      loadOnnx: (modelPath, options) => (++attempts === 1 ? Promise.reject(new Error('disk busy')) : (deps.loadOnnx?.(modelPath, options) as Promise<TiledOnnxUpscaler>)),
    };
    const upscaler = createUpscaler(onnxConfig, flaky);
    await expect(upscaler.upscale(testImage(10, 10, 25), noImg2Img)).rejects.toThrow('disk busy');
    expect((await upscaler.upscale(testImage(10, 10, 25), noImg2Img)).scale).toBe(2);
  });
});

describe('createUpscaler without a model (hires fix)', () => {
  it('runs the caller’s img2img at the default strength 0.3 on a 2× image and reports both stages', async () => {
    const strengths: number[] = [];
    const img2img: Img2ImgFunction = (image: RgbImage, strength) => {
      strengths.push(strength);
      return Promise.resolve(image);
    };
    const upscaler = createUpscaler({ ...DEFAULT_UPSCALER_CONFIG, modelPath: undefined }, fakeDeps().deps);
    const progress: string[] = [];
    const result = await upscaler.upscale(testImage(64, 48, 26), {
      signal: undefined,
      onProgress: (event) => progress.push(`${event.method} ${event.completed}/${event.total}`),
      img2img,
    });
    expect([upscaler.method, result.method, result.image.width, result.image.height, result.scale]).toEqual(['hires-fix', 'hires-fix', 128, 96, 2]);
    expect(strengths).toEqual([0.3]);
    expect(progress).toEqual(['hires-fix 1/2', 'hires-fix 2/2']);
  });

  it('needs an img2img function', async () => {
    const upscaler = createUpscaler({ ...DEFAULT_UPSCALER_CONFIG, modelPath: undefined }, fakeDeps().deps);
    await expect(upscaler.upscale(testImage(8, 8, 27), noImg2Img)).rejects.toThrow(/img2img/);
  });
});

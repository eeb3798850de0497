/**
 * The fake engine's jobs with full-size, incompressible images: each image is noise of the
 * requested size (a 1024² PNG is about 3 MiB), so a result is as heavy as a real SDXL one and
 * upload limits are met for real, without running a model.
 */
import type { GenerateOptions, GenerationRequest, GenerationResult, ImageEngine } from '../../../src/generation/engine.types.ts';
import { encodePng } from '../../../src/images/index.ts';

/** Deterministic noise (xorshift32 from the seed). */
function noise(width: number, height: number, seed: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  let state = seed >>> 0 || 1;
  for (let offset = 0; offset < pixels.length; offset++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pixels[offset] = state & 0xff;
  }
  return pixels;
}

export class NoisyImageEngine implements ImageEngine {
  constructor(private readonly inner: ImageEngine) {}

  async generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    return this.#noisy(await this.inner.generate(request, options));
  }

  async upscale(png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    return this.#noisy(await this.inner.upscale(png, request, options));
  }

  async #noisy(result: GenerationResult): Promise<GenerationResult> {
    const images = await Promise.all(
      result.images.map(async (image) => ({ ...image, png: await encodePng({ width: image.width, height: image.height, pixels: noise(image.width, image.height, image.seed) }, `noise\nSeed: ${image.seed}`) })),
    );
    return { ...result, images };
  }
}

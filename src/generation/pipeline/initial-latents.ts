/**
 * The latents a txt2img run starts from: per-image noise from each image's own generator, scaled
 * by the scheduler's initial sigma (diffusers `prepare_latents` with a list of generators).
 */
import type { NoiseSource } from '../engine.types.ts';

const f32 = Math.fround;

/**
 * Per-image `torch.randn(1, 4, h, w, generator=g_i) × init_noise_sigma`, one image at a time with a
 * turn of the event loop in between (a 512×512 image's draw is about a millisecond of work).
 */
export async function initialNoise(generators: readonly NoiseSource[], size: number, initNoiseSigma: number): Promise<Float32Array> {
  const latents = new Float32Array(size * generators.length);
  const sigma = f32(initNoiseSigma);
  for (const [index, generator] of generators.entries()) {
    if (index > 0) await new Promise((resolve) => setImmediate(resolve));
    const drawn = generator.randn(size);
    const offset = index * size;
    for (let element = 0; element < size; element++) latents[offset + element] = drawn[element]! * sigma;
  }
  return latents;
}

/**
 * The latents a txt2img run starts from: per-image noise from each image's own generator, scaled
 * by the scheduler's initial sigma (diffusers `prepare_latents` with a list of generators).
 */
import type { NoiseSource } from '../engine.types.ts';

const f32 = Math.fround;

/** Per-image `torch.randn(1, 4, h, w, generator=g_i) × init_noise_sigma`. */
export function initialNoise(generators: readonly NoiseSource[], size: number, initNoiseSigma: number): Float32Array {
  const latents = new Float32Array(size * generators.length);
  const sigma = f32(initNoiseSigma);
  generators.forEach((generator, index) => {
    const drawn = generator.randn(size);
    for (let element = 0; element < size; element++) latents[index * size + element] = drawn[element]! * sigma;
  });
  return latents;
}

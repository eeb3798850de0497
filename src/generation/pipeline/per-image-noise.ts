/**
 * Noise for a batch of images where each image owns its generator, as diffusers'
 * `randn_tensor(shape, generator=[g0, g1, …])` does: a draw for a [B, …] tensor takes the first
 * 1/B of the elements from g0, the next 1/B from g1, and so on.
 */
import type { NoiseSource } from '../engine.types.ts';

export class PerImageNoise implements NoiseSource {
  constructor(private readonly sources: readonly NoiseSource[]) {
    if (sources.length === 0) throw new Error('PerImageNoise needs at least one noise source');
  }

  randn(count: number): Float32Array {
    if (this.sources.length === 1) return this.sources[0]!.randn(count);
    const perImage = count / this.sources.length;
    if (!Number.isInteger(perImage)) {
      throw new Error(`noise draw of ${count} values does not split over ${this.sources.length} images`);
    }
    const result = new Float32Array(count);
    this.sources.forEach((source, index) => result.set(source.randn(perImage), index * perImage));
    return result;
  }
}

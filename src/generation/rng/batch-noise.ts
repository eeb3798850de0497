/**
 * Noise for a batch where every image has its own generator (image i seeded with seed + i), as
 * diffusers' `randn_tensor(shape, generator=[g0, g1, …])` draws it: each generator supplies its
 * image's share, one after the other, and the shares are concatenated.
 */
import type { NoiseSource } from './noise-source.ts';

export class PerImageNoiseSource implements NoiseSource {
  constructor(private readonly sources: readonly NoiseSource[]) {
    if (sources.length === 0) throw new RangeError('PerImageNoiseSource needs at least one source');
  }

  randn(count: number): Float32Array {
    const images = this.sources.length;
    if (count % images !== 0) throw new RangeError(`cannot split ${count} noise values over ${images} images`);
    const share = count / images;
    const out = new Float32Array(count);
    this.sources.forEach((source, index) => out.set(source.randn(share), index * share));
    return out;
  }
}

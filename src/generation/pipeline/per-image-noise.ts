/**
 * Noise for a batch of images where each image owns its generator, as diffusers'
 * `randn_tensor(shape, generator=[g0, g1, …])` does: a draw for a [B, …] tensor takes the first
 * 1/B of the elements from g0, the next 1/B from g1, and so on.
 *
 * A draw can be made ahead of time ({@link PerImageNoise.prefetch}): the denoising loop draws a
 * step's noise while the UNet runs in its worker thread, when the main thread would otherwise
 * wait. The values are the same, since they come from the same streams in the same order.
 */
import type { NoiseSource } from '../engine.types.ts';

export class PerImageNoise implements NoiseSource {
  #prefetched: Float32Array | undefined = undefined;

  constructor(private readonly sources: readonly NoiseSource[]) {
    if (sources.length === 0) throw new Error('PerImageNoise needs at least one noise source');
  }

  /** Draws the next `count` values now; the next {@link randn} call, which must ask for `count`, returns them. */
  prefetch(count: number): void {
    if (this.#prefetched) throw new Error('a prefetched noise draw was never used: the noise streams would go out of order');
    this.#prefetched = this.#draw(count);
  }

  randn(count: number): Float32Array {
    const ready = this.#prefetched;
    if (ready === undefined) return this.#draw(count);
    this.#prefetched = undefined;
    if (ready.length !== count) throw new Error(`noise draw of ${count} values after a prefetch of ${ready.length}: the noise streams would go out of order`);
    return ready;
  }

  #draw(count: number): Float32Array {
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

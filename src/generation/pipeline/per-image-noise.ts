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
  #prefetching = false;

  constructor(private readonly sources: readonly NoiseSource[]) {
    if (sources.length === 0) throw new Error('PerImageNoise needs at least one noise source');
  }

  /**
   * Draws the next `count` values ahead of time; the next {@link randn} call, which must ask for
   * `count`, returns them. One image's share is drawn at a time with a turn of the event loop in
   * between (a share of a 512×512 latent is about a millisecond of work, a batch of four could
   * hold the loop for five or more).
   */
  async prefetch(count: number): Promise<void> {
    if (this.#prefetched || this.#prefetching) throw new Error('a prefetched noise draw was never used: the noise streams would go out of order');
    this.#prefetching = true;
    try {
      if (this.sources.length === 1) {
        this.#prefetched = this.sources[0]!.randn(count);
        return;
      }
      const perImage = this.#share(count);
      const result = new Float32Array(count);
      for (const [index, source] of this.sources.entries()) {
        if (index > 0) await new Promise((resolve) => setImmediate(resolve));
        result.set(source.randn(perImage), index * perImage);
      }
      this.#prefetched = result;
    } finally {
      this.#prefetching = false;
    }
  }

  randn(count: number): Float32Array {
    if (this.#prefetching) throw new Error('noise drawn while a prefetch is still drawing: the noise streams would go out of order');
    const ready = this.#prefetched;
    if (ready === undefined) return this.#draw(count);
    this.#prefetched = undefined;
    if (ready.length !== count) throw new Error(`noise draw of ${count} values after a prefetch of ${ready.length}: the noise streams would go out of order`);
    return ready;
  }

  #share(count: number): number {
    const perImage = count / this.sources.length;
    if (!Number.isInteger(perImage)) {
      throw new Error(`noise draw of ${count} values does not split over ${this.sources.length} images`);
    }
    return perImage;
  }

  #draw(count: number): Float32Array {
    if (this.sources.length === 1) return this.sources[0]!.randn(count);
    const perImage = this.#share(count);
    const result = new Float32Array(count);
    this.sources.forEach((source, index) => result.set(source.randn(perImage), index * perImage));
    return result;
  }
}

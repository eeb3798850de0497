/** A source of standard-normal noise. One per image, seeded with that image's seed. */
export interface NoiseSource {
  /** The next `count` samples, in torch's order for `torch.randn(count, generator=g)`. */
  randn(count: number): Float32Array;
}

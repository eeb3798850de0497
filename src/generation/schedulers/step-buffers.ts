/**
 * The arrays a scheduler writes its step results into. By default every {@link StepBuffers.take}
 * is a fresh array, so results are values the caller may keep forever (what tests and one-off
 * callers want). After {@link StepBuffers.enableReuse} each named slot cycles through `depth`
 * arrays allocated on first use: a denoising loop then allocates no latent-sized array per step,
 * and an array handed out is overwritten `depth` takes of its slot later.
 */
export class StepBuffers {
  #reuse = false;
  readonly #slots = new Map<string, { arrays: Float32Array[]; next: number }>();

  get reusing(): boolean {
    return this.#reuse;
  }

  enableReuse(): void {
    this.#reuse = true;
  }

  /**
   * An array of `length` elements to overwrite completely. Its contents are unspecified when
   * reusing (the previous values of the slot), zeros otherwise.
   */
  take(slot: string, length: number, depth: number): Float32Array {
    if (!this.#reuse) return new Float32Array(length);
    let ring = this.#slots.get(slot);
    if (ring === undefined || ring.arrays.length !== depth || ring.arrays[0]!.length !== length) {
      ring = { arrays: Array.from({ length: depth }, () => new Float32Array(length)), next: 0 };
      this.#slots.set(slot, ring);
    }
    const array = ring.arrays[ring.next]!;
    ring.next = (ring.next + 1) % depth;
    return array;
  }

  /**
   * What a scheduler keeps of a caller's array across steps (PNDM's ε history and start sample):
   * the array itself when not reusing (the caller then hands in fresh arrays, as before), else a
   * copy in the slot's ring, because a reusing caller refills its arrays every step.
   */
  keep(slot: string, source: Float32Array, depth: number): Float32Array {
    if (!this.#reuse) return source;
    const copy = this.take(slot, source.length, depth);
    copy.set(source);
    return copy;
  }
}

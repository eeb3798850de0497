/**
 * The 32-bit Mersenne Twister (MT19937) exactly as PyTorch's `at::mt19937` runs it
 * (`aten/src/ATen/core/MT19937RNGEngine.h`): Matsumoto–Nishimura `init_genrand` seeding from the
 * low 32 bits of a 64-bit seed, then the standard tempered output. Its first output for the
 * reference seed 5489 is 3499211612, as for every conforming MT19937.
 */

const STATE_SIZE = 624;
const SHIFT_SIZE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** Low 32 bits of a seed, as torch keeps them (`state_[0] = seed & 0xffffffff`). */
export function seedLow32(seed: number | bigint): number {
  if (typeof seed === 'bigint') return Number(BigInt.asUintN(32, seed));
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  // Two's complement like torch (a negative Python int is reinterpreted as uint64); the low
  // 32 bits of that are the low 32 bits of the number itself.
  return Number(BigInt.asUintN(32, BigInt(seed)));
}

export class Mt19937 {
  private readonly state = new Uint32Array(STATE_SIZE);
  private index = STATE_SIZE;

  constructor(seed: number | bigint) {
    const state = this.state;
    state[0] = seedLow32(seed);
    for (let i = 1; i < STATE_SIZE; i++) {
      const previous = state[i - 1]!;
      const mixed = (previous ^ (previous >>> 30)) >>> 0;
      // 1812433253 * mixed overflows 2^53; Math.imul keeps exactly the low 32 bits, as uint32_t does.
      state[i] = (Math.imul(1812433253, mixed) + i) >>> 0;
    }
    this.index = STATE_SIZE;
  }

  /** Next 32-bit output as an unsigned integer. */
  nextUint32(): number {
    if (this.index >= STATE_SIZE) this.twist();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Fill `target` with the next `target.length` outputs (faster than calling nextUint32 in a loop). */
  fillUint32(target: Uint32Array): void {
    const state = this.state;
    let index = this.index;
    for (let i = 0; i < target.length; i++) {
      if (index >= STATE_SIZE) {
        this.twist();
        index = 0;
      }
      let y = state[index++]!;
      y ^= y >>> 11;
      y ^= (y << 7) & 0x9d2c5680;
      y ^= (y << 15) & 0xefc60000;
      y ^= y >>> 18;
      target[i] = y;
    }
    this.index = index;
  }

  private twist(): void {
    const state = this.state;
    for (let i = 0; i < STATE_SIZE; i++) {
      const next = state[(i + 1) % STATE_SIZE]!;
      const y = (state[i]! & UPPER_MASK) | (next & LOWER_MASK);
      state[i] = state[(i + SHIFT_SIZE) % STATE_SIZE]! ^ (y >>> 1) ^ (next & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }
}

/**
 * A CPU `torch.Generator` in TypeScript: `new TorchGenerator(seed).randn(n)` returns the same
 * float32 values as `torch.randn(n, generator=torch.Generator('cpu').manual_seed(seed))`, and
 * successive calls continue the stream the way torch does, so initial latents and later noise
 * draws (ancestral steps, img2img) match diffusers for the same seed.
 *
 * Sources followed (PyTorch `aten/src/ATen`): `core/MT19937RNGEngine.h` (engine and seeding),
 * `CPUGeneratorImpl.cpp` (`random64` = first output in the high word, `manual_seed` clears the
 * cached normal), `core/TransformationHelper.h` (`uniform_real`: the low 24 / 53 bits scaled by
 * 2^-24 / 2^-53), `core/DistributionsHelper.h` (`normal_distribution<double>`, which caches its second
 * Box–Muller value) and `native/cpu/DistributionTemplates.h` (`normal_kernel`: float tensors of 16
 * or more elements go through `normal_fill`, smaller ones element by element through the cached
 * double-precision path).
 */
import type { NoiseSource } from './noise-source.ts';
import { Mt19937 } from './mt19937.ts';
import { normalFill16, type NormalKernel } from './normal-fill.ts';

export type { NormalKernel } from './normal-fill.ts';

const TWO_POW_24 = 16777216;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

export class TorchGenerator implements NoiseSource {
  private readonly engine: Mt19937;
  private readonly kernel: NormalKernel;
  /** torch's `next_double_normal_sample_`: the sine half of the last scalar Box–Muller pair. */
  private cachedNormal: number | undefined = undefined;

  /**
   * @param seed any integer torch accepts (negative seeds wrap to uint64 like torch; MT19937 uses
   *   the low 32 bits, so 5 and 2^32 + 5 give the same stream, as in torch).
   * @param kernel which torch CPU kernel to reproduce for draws of 16 or more values; `avx` is
   *   what x86 builds run on AVX2/AVX-512 machines.
   */
  constructor(seed: number | bigint, kernel: NormalKernel = 'avx') {
    this.engine = new Mt19937(seed);
    this.kernel = kernel;
  }

  /** `torch.rand`-style float32 uniform in [0, 1): low 24 bits of one engine output. */
  uniformFloat(): number {
    return (this.engine.nextUint32() & 0xffffff) / TWO_POW_24;
  }

  /** float64 uniform in [0, 1) from `random64()`: low 53 bits of (first << 32 | second). */
  uniformDouble(): number {
    const high = this.engine.nextUint32() & 0x1fffff;
    const low = this.engine.nextUint32();
    return (high * TWO_POW_32 + low) / TWO_POW_53;
  }

  /** The next `count` standard normals, as `torch.randn(count, generator=g)` (float32, CPU). */
  randn(count: number): Float32Array {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`randn count must be a non-negative integer, got ${count}`);
    const out = new Float32Array(count);
    if (count >= 16) this.fillVectorPath(out);
    else for (let i = 0; i < count; i++) out[i] = this.scalarNormal();
    return out;
  }

  /** `normal_fill`: all uniforms first, Box–Muller per 16-block, then a fresh last block if count % 16 ≠ 0. */
  private fillVectorPath(out: Float32Array): void {
    const count = out.length;
    const bits = new Uint32Array(out.buffer, out.byteOffset, count);
    this.engine.fillUint32(bits);
    for (let i = 0; i < count; i++) out[i] = (bits[i]! & 0xffffff) / TWO_POW_24;
    for (let i = 0; i + 16 <= count; i += 16) normalFill16(out, i, this.kernel);
    if (count % 16 !== 0) {
      // torch overwrites the last 16 values (some already normal) with 16 new uniforms.
      const start = count - 16;
      for (let i = start; i < count; i++) out[i] = this.uniformFloat();
      normalFill16(out, start, this.kernel);
    }
  }

  /** `at::normal_distribution<double>(0, 1)` then cast to float, with torch's one-value cache. */
  private scalarNormal(): number {
    if (this.cachedNormal !== undefined) {
      const cached = this.cachedNormal;
      this.cachedNormal = undefined;
      return cached;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const radius = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.cachedNormal = radius * Math.sin(theta);
    return radius * Math.cos(theta);
  }
}

/** `torch.randn(count, generator=torch.Generator('cpu').manual_seed(seed))` as float32. */
export function randn(seed: number | bigint, count: number, kernel: NormalKernel = 'avx'): Float32Array {
  return new TorchGenerator(seed, kernel).randn(count);
}

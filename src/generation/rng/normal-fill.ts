/**
 * Box–Muller over blocks of 16 uniforms, as torch's `normal_fill_16` variants do: element j and
 * j+8 of each block form a pair; j gets r·cos θ and j+8 gets r·sin θ, with r = √(−2 ln(1 − u_j))
 * and θ = 2π·u_{j+8}. Only mean 0, std 1 (what `torch.randn` asks for).
 */
import { avxLog, avxSincos, sincosResult } from './avx-mathfun.ts';

const f32 = Math.fround;

/** `2.0f * c10::pi<double>` stored into a float lane. */
const TWO_PI_F32 = f32(2 * Math.PI);

/**
 * Which of torch's CPU kernels to reproduce.
 * - `avx`: `normal_fill_16_AVX2` (x86 builds running on AVX2 or AVX-512 CPUs: nearly every PC and server).
 * - `scalar`: the portable `normal_fill_16` with libm `logf`/`cosf`/`sinf` (torch's DEFAULT capability,
 *   e.g. `ATEN_CPU_CAPABILITY=default`, and non-x86 builds). Same values to within one float ulp.
 */
export type NormalKernel = 'avx' | 'scalar';

/** Replace `data[offset .. offset+16)` (uniforms in [0, 1)) by normals in place. */
export function normalFill16(data: Float32Array, offset: number, kernel: NormalKernel): void {
  if (kernel === 'avx') {
    for (let j = offset; j < offset + 8; j++) {
      const u1 = f32(1 - data[j]!);
      const u2 = data[j + 8]!;
      const radius = f32(Math.sqrt(f32(-2 * avxLog(u1))));
      avxSincos(f32(TWO_PI_F32 * u2));
      data[j] = f32(radius * sincosResult.cos);
      data[j + 8] = f32(radius * sincosResult.sin);
    }
  } else {
    for (let j = offset; j < offset + 8; j++) {
      const u1 = f32(1 - data[j]!);
      const u2 = data[j + 8]!;
      const radius = f32(Math.sqrt(f32(-2 * f32(Math.log(u1)))));
      // theta = 2.0f * pi<double> * u2 is computed in double, then stored as float.
      const theta = f32(2 * Math.PI * u2);
      data[j] = f32(radius * f32(Math.cos(theta)));
      data[j + 8] = f32(radius * f32(Math.sin(theta)));
    }
  }
}

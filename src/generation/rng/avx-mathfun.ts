/**
 * Float32 emulation of the `log256_ps` and `sincos256_ps` approximations in PyTorch's
 * `aten/src/ATen/native/cpu/avx_mathfun.h` (Cephes polynomials by way of Pommier's sse_mathfun),
 * which torch's vectorised `normal_fill` uses on x86 CPUs with AVX2 or AVX-512.
 *
 * Every operation is rounded to float32 like the SIMD lanes. PyTorch builds these kernels with
 * `-mfma` in GNU mode, so GCC contracts each multiply feeding an add into one fused
 * multiply-add; the `fma` calls below sit exactly where that contraction happens, which makes the
 * output bit-identical to torch (checked on all 65 536 values of several seeds against torch 2.13).
 */

const f32 = Math.fround;

/**
 * float32 fused multiply-add: a·b is exact in float64 (24+24 bits < 53), so only the final sum
 * rounds (double rounding through float64 is off by one ulp only in astronomically rare ties).
 */
function fma(a: number, b: number, c: number): number {
  return f32(a * b + c);
}

const bitsView = new Float32Array(1);
const bitsUint = new Uint32Array(bitsView.buffer);

const SQRT_HALF = f32(Math.SQRT1_2);
const LOG_P0 = f32(7.0376836292e-2);
const LOG_P1 = f32(-1.151461031e-1);
const LOG_P2 = f32(1.167699874e-1);
const LOG_P3 = f32(-1.2420140846e-1);
const LOG_P4 = f32(1.4249322787e-1);
const LOG_P5 = f32(-1.6668057665e-1);
const LOG_P6 = f32(2.0000714765e-1);
const LOG_P7 = f32(-2.4999993993e-1);
const LOG_P8 = f32(3.3333331174e-1);
const LOG_Q1 = f32(-2.1219444e-4);
const LOG_Q2 = f32(0.693359375);

/** `log256_ps` for one lane. Only called with x in (0, 1] (torch passes 1 − uniform). */
export function avxLog(input: number): number {
  if (!(input > 0)) return Number.NaN;
  // x = max(x, smallest normal): u1 ≥ 2^-24 here, so never clamps, but keep the semantics.
  bitsView[0] = Math.max(input, 1.1754943508222875e-38);
  const bits = bitsUint[0]!;
  let exponent = (bits >>> 23) - 127 + 1;
  bitsUint[0] = (bits & ~0x7f800000) | 0x3f000000; // mantissa scaled into [0.5, 1)
  let x = bitsView[0]!;
  const below = x < SQRT_HALF;
  const addBack = below ? x : 0;
  x = f32(x - 1);
  if (below) exponent -= 1;
  x = f32(x + addBack);
  const e = exponent; // small integer, exact in float32

  const z = f32(x * x);
  let y = fma(LOG_P0, x, LOG_P1);
  y = fma(y, x, LOG_P2);
  y = fma(y, x, LOG_P3);
  y = fma(y, x, LOG_P4);
  y = fma(y, x, LOG_P5);
  y = fma(y, x, LOG_P6);
  y = fma(y, x, LOG_P7);
  y = fma(y, x, LOG_P8);
  y = f32(y * x);
  y = fma(y, z, f32(e * LOG_Q1));
  y = f32(y - f32(z * 0.5));
  x = f32(x + y);
  return fma(e, LOG_Q2, x);
}

const MINUS_DP1 = f32(-0.78515625);
const MINUS_DP2 = f32(-2.4187564849853515625e-4);
const MINUS_DP3 = f32(-3.774894977445941e-8);
const SIN_P0 = f32(-1.9515295891e-4);
const SIN_P1 = f32(8.3321608736e-3);
const SIN_P2 = f32(-1.6666654611e-1);
const COS_P0 = f32(2.443315711809948e-5);
const COS_P1 = f32(-1.388731625493765e-3);
const COS_P2 = f32(4.166664568298827e-2);
const FOUR_OVER_PI = f32(1.27323954473516);

/** Results of the last {@link avxSincos} call (module scratch: no allocation per call). */
export const sincosResult = { sin: 0, cos: 0 };

/** `sincos256_ps` for one lane, writing into {@link sincosResult}. */
export function avxSincos(input: number): void {
  const negative = input < 0;
  let x = Math.abs(input);
  // Octant: j = (trunc(x·4/π) + 1) & ~1, as the int32 lane arithmetic does.
  let octant = Math.trunc(f32(x * FOUR_OVER_PI)) | 0;
  octant = (octant + 1) & ~1;
  const y = octant;
  const flipSin = ((octant & 4) !== 0) !== negative;
  const useSinPolynomialForSin = (octant & 2) === 0;
  const flipCos = ((octant - 2) & 4) === 0;

  // Extended-precision range reduction x − y·π/4 in three parts.
  x = fma(y, MINUS_DP1, x);
  x = fma(y, MINUS_DP2, x);
  x = fma(y, MINUS_DP3, x);

  const z = f32(x * x);
  let cosPoly = fma(COS_P0, z, COS_P1);
  cosPoly = fma(cosPoly, z, COS_P2);
  cosPoly = f32(cosPoly * z);
  cosPoly = fma(cosPoly, z, -f32(z * 0.5));
  cosPoly = f32(cosPoly + 1);

  let sinPoly = fma(SIN_P0, z, SIN_P1);
  sinPoly = fma(sinPoly, z, SIN_P2);
  sinPoly = f32(sinPoly * z);
  sinPoly = fma(sinPoly, x, x);

  const sin = useSinPolynomialForSin ? sinPoly : cosPoly;
  const cos = useSinPolynomialForSin ? cosPoly : sinPoly;
  sincosResult.sin = flipSin ? -sin : sin;
  sincosResult.cos = flipCos ? -cos : cos;
}

import { describe, expect, it } from 'vitest';
import { castInto, float16BitsToFloat32, float32ToFloat16Bits, toFloat32 } from '../../../src/generation/onnx/tensor-cast.ts';

// Expected bit patterns are worked out by hand from IEEE 754 binary16: 1 sign bit, 5 exponent
// bits (bias 15), 10 mantissa bits; subnormal unit 2^-24; round to nearest, ties to even.
describe('float32 → float16 bits', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [65519, 0x7bff], // below the midpoint to 65536: stays finite
    [65520, 0x7c00], // exact midpoint: ties to even (65536) overflows to Inf
    [1e6, 0x7c00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [3 * 2 ** -26, 0x0001], // 0.75 units rounds up
    [3 * 2 ** -25, 0x0002], // 1.5 units: tie → even (2)
    [5 * 2 ** -25, 0x0002], // 2.5 units: tie → even (2)
    [2 ** -25, 0x0000], // 0.5 units: tie → even (0)
    [1e-8, 0x0000],
    [-1e-8, 0x8000], // keeps the sign of zero
    [-0, 0x8000],
    [1 + 2 ** -11, 0x3c00], // half an ulp above 1: tie → even mantissa (1.0)
    [1 + 3 * 2 ** -11, 0x3c02], // 1.5 ulp: tie → even (…02)
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie rounds up
    [2049, 0x6800], // ulp is 2 here: tie → 2048
    [2051, 0x6802], // tie → 2052
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ])('%d → 0x%s', (value, bits) => {
    expect(float32ToFloat16Bits(value).toString(16)).toBe(bits.toString(16));
  });

  it('keeps NaN a NaN', () => {
    const bits = float32ToFloat16Bits(NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x03ff).not.toBe(0);
    expect(float16BitsToFloat32(bits)).toBeNaN();
  });
});

describe('float16 bits → number', () => {
  it.each([
    [0x3c00, 1],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0xfc00, -Infinity],
    [0xc000, -2],
  ])('0x%s', (bits, value) => {
    expect(float16BitsToFloat32(bits)).toBe(value);
  });

  it('round-trips every non-NaN half exactly', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const isNaN = (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
      if (!isNaN && float32ToFloat16Bits(float16BitsToFloat32(bits)) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('castInto', () => {
  it('truncates fractional float timesteps to int64, as numpy does in diffusers\' ONNX pipeline', () => {
    const target = new BigInt64Array(3);
    castInto(new Float32Array([999.6, 0.4, 480.5]), 'float32', target, 'int64', 3);
    expect([...target]).toEqual([999n, 0n, 480n]);
  });

  it('broadcasts a single value when more elements are asked for', () => {
    const target = new Float32Array(3);
    castInto(new BigInt64Array([7n]), 'int64', target, 'float32', 3);
    expect([...target]).toEqual([7, 7, 7]);
  });

  it('converts int32 ids to int64 and back', () => {
    const wide = new BigInt64Array(2);
    castInto(new Int32Array([49406, 49407]), 'int32', wide, 'int64', 2);
    expect([...wide]).toEqual([49406n, 49407n]);
    const narrow = new Int32Array(2);
    castInto(wide, 'int64', narrow, 'int32', 2);
    expect([...narrow]).toEqual([49406, 49407]);
  });
});

describe('toFloat32', () => {
  it('returns float32 output arrays without copying', () => {
    const data = new Float32Array([1, 2]);
    expect(toFloat32(data, 'float32')).toBe(data);
  });

  it('decodes float16 and bool outputs', () => {
    expect([...toFloat32(new Uint16Array([0x3c00, 0xc000]), 'float16')]).toEqual([1, -2]);
    expect([...toFloat32(new Uint8Array([1, 0]), 'bool')]).toEqual([1, 0]);
  });
});

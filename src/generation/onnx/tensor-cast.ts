/**
 * Element-type conversions between what the pipeline computes (float32, int32) and what a model
 * declares (float16, int64, …). Pure math, no onnxruntime. Node 20 has no Float16Array, so
 * float16 tensors travel as their IEEE 754 binary16 bit patterns in a Uint16Array.
 */

/** Element types a {@link TensorInput} can carry, named like onnxruntime does. */
export type SourceType = 'float32' | 'float16' | 'int32' | 'int64';
export type NumericArray = Float32Array | Int32Array | BigInt64Array | Uint16Array | Float64Array;

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/**
 * binary16 bits of a number, rounded to nearest, ties to even (like numpy's `astype(float16)`).
 * The value is first rounded to float32, which is exact for Float32Array inputs.
 */
export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    // Inf stays Inf; NaN keeps a set quiet bit so it cannot collapse into Inf.
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the full 24-bit significand right, then round.
    if (halfExponent < -10) return sign;
    const significand = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    return sign | roundShift(significand, shift);
  }
  // A carry out of the mantissa correctly bumps the exponent (up to Inf at 65520).
  return sign | (((halfExponent << 10) | (mantissa >>> 13)) + roundingCarry(mantissa, 13, mantissa >>> 13));
}

function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  return kept + roundingCarry(value, shift, kept);
}

/** 1 when the bits dropped by a right shift round the kept part up (nearest, ties to even). */
function roundingCarry(value: number, shift: number, kept: number): number {
  const half = 1 << (shift - 1);
  const dropped = value & ((1 << shift) - 1);
  return dropped > half || (dropped === half && (kept & 1) === 1) ? 1 : 0;
}

/** The number a binary16 bit pattern stands for (exact: every half is a float32). */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let halfTable: Float32Array | undefined;

/** All 65536 halves decoded once (256 kB), so decoding a 512×512 image is a table lookup. */
function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = float16BitsToFloat32(bits);
  }
  return halfTable;
}

/** Element type of a source array (Uint16Array means float16 bits). */
export function sourceTypeOf(data: Float32Array | Int32Array | BigInt64Array | Uint16Array): SourceType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'float16';
}

/** Whether {@link castInto} can produce `target` (the element types SD models use). */
export function isCastTarget(target: string): target is SourceType | 'float64' {
  return target === 'float32' || target === 'float16' || target === 'int32' || target === 'int64' || target === 'float64';
}

/** A fresh typed array of `length` elements of the given type. */
export function allocateArray(type: SourceType | 'float64', length: number): NumericArray {
  switch (type) {
    case 'float32':
      return new Float32Array(length);
    case 'float16':
      return new Uint16Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'float64':
      return new Float64Array(length);
  }
}

/** Reads element `index` of a source array as a JS number (float16 bits are decoded). */
function readNumber(source: NumericArray, sourceType: SourceType, index: number): number {
  if (sourceType === 'int64') return Number((source as BigInt64Array)[index] ?? 0n);
  if (sourceType === 'float16') return halfToFloatTable()[(source as Uint16Array)[index] ?? 0] ?? 0;
  return (source as Float32Array | Int32Array)[index] ?? 0;
}

/**
 * Copies `count` elements of `source` (starting at 0, repeating from the start when `count` is
 * larger, to broadcast a single timestep over a batch) into `target`, converting the type.
 * Floats going to integer types are truncated toward zero, as diffusers' and Optimum's ONNX
 * pipelines do (`np.array([t], dtype=np.int64)`): a fractional Karras or linspace timestep of
 * 499.7 reaches an int64 UNet as 499.
 */
export function castInto(
  source: NumericArray,
  sourceType: SourceType,
  target: NumericArray,
  targetType: SourceType | 'float64',
  count: number,
): void {
  const length = source.length;
  for (let index = 0; index < count; index++) {
    const sourceIndex = index < length ? index : index % length;
    const value = readNumber(source, sourceType, sourceIndex);
    switch (targetType) {
      case 'float16':
        (target as Uint16Array)[index] = sourceType === 'float16' ? ((source as Uint16Array)[sourceIndex] ?? 0) : float32ToFloat16Bits(value);
        break;
      case 'int64':
        (target as BigInt64Array)[index] =
          sourceType === 'int64' ? ((source as BigInt64Array)[sourceIndex] ?? 0n) : BigInt(Math.trunc(value));
        break;
      case 'int32':
        (target as Int32Array)[index] = Math.trunc(value);
        break;
      default:
        (target as Float32Array | Float64Array)[index] = value;
    }
  }
}

/**
 * Any output array as float32. Float32 arrays are returned as they are (no copy); float16,
 * integer and bool outputs are converted into a new array.
 */
export function toFloat32(data: unknown, type: string): Float32Array {
  if (data instanceof Float32Array) return data;
  if (type === 'float16' && data instanceof Uint16Array) {
    const table = halfToFloatTable();
    const result = new Float32Array(data.length);
    for (let index = 0; index < data.length; index++) result[index] = table[data[index] ?? 0] ?? 0;
    return result;
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, (value) => Number(value));
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return Float32Array.from(data as unknown as ArrayLike<number>);
  throw new TypeError(`Cannot convert an output of type ${type} to float32`);
}

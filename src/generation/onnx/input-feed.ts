/**
 * Turns what the pipeline hands over into exactly what a model declares: element type (float32 ↔
 * float16, int32 ↔ int64, float → int64 timesteps) and rank (scalar vs [1] vs [batch] timesteps).
 * Real exports disagree on both (see shared notes §0, §2), so nothing here trusts the caller's
 * layout; it trusts the session metadata. Pure: no onnxruntime import.
 */
import type { IoInfo, TensorInput } from './onnx.types.ts';
import { castInto, isCastTarget, sourceTypeOf, type NumericArray, type SourceType } from './tensor-cast.ts';

/** A feed ready to wrap in an onnxruntime tensor. */
export interface PreparedFeed {
  type: SourceType | 'float64';
  data: NumericArray;
  dims: readonly number[];
}

/** Supplies the destination array for a cast; the session reuses buffers across steps. */
export type CastBufferProvider = (type: SourceType | 'float64', length: number) => NumericArray;

/**
 * The batch size of a run: the largest leading dim among feeds whose declared rank is ≥ 2
 * (sample, encoder_hidden_states, text_embeds…). Undefined when no such feed exists.
 */
export function inferBatchSize(feeds: Record<string, TensorInput>, inputs: readonly IoInfo[]): number | undefined {
  let batch: number | undefined;
  for (const info of inputs) {
    const feed = feeds[info.name];
    if (!feed || info.shape.length < 2 || feed.dims.length < 2) continue;
    const leading = feed.dims[0] ?? 1;
    batch = batch === undefined ? leading : Math.max(batch, leading);
  }
  return batch;
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

function sameValues(data: TensorInput['data']): boolean {
  for (let index = 1; index < data.length; index++) if (data[index] !== data[0]) return false;
  return true;
}

/**
 * Dims the model should receive for a feed. Only rank-0/1 reshapes are implicit (timesteps); any
 * other mismatch is a caller bug and is reported with the input name.
 */
export function targetDims(info: IoInfo, input: TensorInput, batch: number | undefined, modelPath: string): readonly number[] {
  const declared = info.shape;
  const count = input.data.length;
  const fail = (why: string): never => {
    throw new Error(
      `Input "${info.name}" of ${modelPath}: ${why} (model declares [${declared.join(', ')}], got [${input.dims.join(', ')}])`,
    );
  };
  if (count !== elementCount(input.dims)) fail(`data has ${count} elements but dims say ${elementCount(input.dims)}`);
  if (declared.length === 0) {
    // Optimum ≥ 1.24 timestep: a scalar. Pipelines hand [1] or [batch] copies of the same value.
    if (count < 1 || !sameValues(input.data)) fail('a scalar input needs one value (or equal copies)');
    return [];
  }
  if (declared.length === 1 && input.dims.length <= 1) {
    const fixed = typeof declared[0] === 'number' ? declared[0] : undefined;
    const wanted = fixed ?? Math.max(batch ?? count, count);
    if (count === wanted) return input.dims.length === 1 ? input.dims : [count];
    if (count === 1) return [wanted]; // one timestep broadcast over the batch
    if (fixed === 1 && sameValues(input.data)) return [1];
    return fail(`expected ${wanted} value(s)`);
  }
  if (declared.length !== input.dims.length) fail('rank differs');
  declared.forEach((dim, axis) => {
    if (typeof dim === 'number' && dim >= 0 && input.dims[axis] !== dim) fail(`dim ${axis} must be ${dim}`);
  });
  return input.dims;
}

/**
 * Builds one feed. Returns the caller's own array (no copy) when type and element count already
 * match; otherwise casts into a buffer from `buffers`.
 */
export function prepareFeed(
  info: IoInfo,
  input: TensorInput,
  batch: number | undefined,
  modelPath: string,
  buffers: CastBufferProvider,
): PreparedFeed {
  const sourceType = sourceTypeOf(input.data);
  const dims = targetDims(info, input, batch, modelPath);
  const count = elementCount(dims);
  if (sourceType === info.type && count === input.data.length) return { type: sourceType, data: input.data, dims };
  if (!isCastTarget(info.type)) {
    throw new Error(`Input "${info.name}" of ${modelPath} has type ${info.type}; cannot convert ${sourceType} to it`);
  }
  const target = buffers(info.type, count);
  castInto(input.data, sourceType, target, info.type, count);
  return { type: info.type, data: target, dims };
}

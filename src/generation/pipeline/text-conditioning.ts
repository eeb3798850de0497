/**
 * Prompt → text embeddings, with A1111 weighting and long prompts: each 77-token chunk is encoded
 * on its own, its weights applied (mean-restoring), and the chunks concatenated along the
 * sequence axis. Positive and negative get the same chunk count so the UNet rows line up.
 * SDXL concatenates the two encoders' penultimate hidden states along the feature axis and takes
 * the pooled embedding from the last encoder (diffusers `StableDiffusionXLPipeline.encode_prompt`).
 */
import type { ModelSession } from '../onnx/index.ts';
import { applyPromptWeights, tokenizeWeightedPrompt, type ClipTokenizer } from '../tokenizer/prompt-weighting.ts';
import type { TextEncoderSignature } from './model-signature.ts';

/** One tokenizer + text encoder pair (SD1/2 have one, SDXL two). */
export interface PromptEncoder {
  tokenizer: ClipTokenizer;
  session: ModelSession;
  signature: TextEncoderSignature;
}

/** Embeddings of one prompt. */
export interface EncodedPrompt {
  /** [1, seqLen, hiddenSize] */
  hidden: Float32Array;
  seqLen: number;
  hiddenSize: number;
  /** Pooled embedding of the last encoder's first chunk [1, pooledSize] (SDXL), else undefined. */
  pooled: Float32Array | undefined;
}

interface Chunk {
  inputIds: number[];
  weights: number[];
}

interface EncoderResult {
  hidden: Float32Array;
  hiddenSize: number;
  pooled: Float32Array | undefined;
}

async function encodeChunks(encoder: PromptEncoder, chunks: readonly Chunk[]): Promise<EncoderResult> {
  const parts: Float32Array[] = [];
  let hiddenSize = 0;
  let pooled: Float32Array | undefined;
  const wanted = encoder.signature.pooledOutput ? [encoder.signature.hiddenOutput, encoder.signature.pooledOutput] : [encoder.signature.hiddenOutput];
  for (const [index, chunk] of chunks.entries()) {
    const ids = Int32Array.from(chunk.inputIds);
    const outputs = await encoder.session.run({ input_ids: { data: ids, dims: [1, ids.length] } }, wanted);
    const hidden = outputs[encoder.signature.hiddenOutput];
    if (!hidden) throw new Error(`${encoder.session.path}: output ${encoder.signature.hiddenOutput} missing`);
    hiddenSize = hidden.dims.at(-1) ?? 0;
    // Weight 1.0 everywhere is a no-op in A1111 too; skipping it keeps plain prompts bit-equal to diffusers.
    if (chunk.weights.some((weight) => weight !== 1)) applyPromptWeights(hidden.data, chunk.weights, ids.length, hiddenSize);
    parts.push(hidden.data);
    if (index === 0 && encoder.signature.pooledOutput) pooled = outputs[encoder.signature.pooledOutput]?.data.slice();
  }
  const hidden = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    hidden.set(part, offset);
    offset += part.length;
  }
  return { hidden, hiddenSize, pooled };
}

/** Concatenates per-encoder [seqLen, D_k] embeddings along the feature axis. */
function concatFeatures(results: readonly EncoderResult[], seqLen: number): Float32Array {
  const total = results.reduce((sum, result) => sum + result.hiddenSize, 0);
  if (results.length === 1) return results[0]!.hidden;
  const joined = new Float32Array(seqLen * total);
  for (let token = 0; token < seqLen; token++) {
    let column = token * total;
    for (const result of results) {
      joined.set(result.hidden.subarray(token * result.hiddenSize, (token + 1) * result.hiddenSize), column);
      column += result.hiddenSize;
    }
  }
  return joined;
}

/** Chunk count a prompt needs (at least 1) with every encoder's tokenizer. */
function chunkCount(encoders: readonly PromptEncoder[], prompt: string): number {
  return Math.max(...encoders.map((encoder) => tokenizeWeightedPrompt(encoder.tokenizer, prompt, 1).chunks.length));
}

async function encodePrompt(encoders: readonly PromptEncoder[], prompt: string, chunks: number): Promise<EncodedPrompt> {
  const results: EncoderResult[] = [];
  for (const encoder of encoders) {
    results.push(await encodeChunks(encoder, tokenizeWeightedPrompt(encoder.tokenizer, prompt, chunks).chunks));
  }
  const first = results[0]!;
  const seqLen = first.hidden.length / first.hiddenSize;
  return {
    hidden: concatFeatures(results, seqLen),
    seqLen,
    hiddenSize: results.reduce((sum, result) => sum + result.hiddenSize, 0),
    pooled: results.at(-1)?.pooled,
  };
}

/** What {@link encodeTextConditioning} needs to know. */
export interface TextConditioningRequest {
  prompt: string;
  /** Whether the unconditional (negative) pass runs: guidance > 1 and not LCM. */
  guided: boolean;
  /**
   * The negative prompt; undefined when none was given (diffusers' `negative_prompt=None`). An
   * explicitly empty string is encoded like any other text.
   */
  negativePrompt: string | undefined;
  /**
   * SDXL `force_zeros_for_empty_prompt`: with no negative prompt given, the negative pass gets
   * zero embeddings instead of the encoding of "". diffusers' `encode_prompt` tests
   * `negative_prompt is None`, so an explicit "" is encoded, not zeroed.
   */
  zeroUnsetNegative: boolean;
}

/** Encodes the positive prompt and, when guided, the negative one, padded to the same chunk count. */
export async function encodeTextConditioning(
  encoders: readonly PromptEncoder[],
  request: TextConditioningRequest,
): Promise<{ positive: EncodedPrompt; negative: EncodedPrompt | undefined }> {
  const zeroNegative = request.guided && request.negativePrompt === undefined && request.zeroUnsetNegative;
  // diffusers: `negative_prompt = negative_prompt or ""`
  const negativeText = request.guided && !zeroNegative ? (request.negativePrompt ?? '') : undefined;
  const chunks = Math.max(chunkCount(encoders, request.prompt), negativeText === undefined ? 1 : chunkCount(encoders, negativeText));
  const positive = await encodePrompt(encoders, request.prompt, chunks);
  if (zeroNegative) {
    return {
      positive,
      negative: {
        ...positive,
        hidden: new Float32Array(positive.hidden.length),
        pooled: positive.pooled ? new Float32Array(positive.pooled.length) : undefined,
      },
    };
  }
  if (negativeText === undefined) return { positive, negative: undefined };
  return { positive, negative: await encodePrompt(encoders, negativeText, chunks) };
}

import type { ClipTokenizer } from './clip.tokenizer.ts';
import { parsePromptAttention } from './prompt-attention.parser.ts';

export { parsePromptAttention, type PromptSegment } from './prompt-attention.parser.ts';
export type { ClipTokenizer } from './clip.tokenizer.ts';

/** One text-encoder input: `modelMaxLength` (77) ids and the attention weight of each position. */
export interface PromptChunk {
  inputIds: number[];
  weights: number[];
}

/** A prompt as text-encoder chunks; the encoded chunks are concatenated along the sequence axis. */
export interface TokenizedPrompt {
  chunks: PromptChunk[];
}

/**
 * A1111's `comma_padding_backtrack` default: when a chunk fills up and its last comma is at most
 * this many tokens back, the words after that comma move to the next chunk instead of being cut.
 */
const COMMA_BACKTRACK = 20;

/**
 * Tokenizes a weighted prompt (A1111 syntax, see `parsePromptAttention`) into chunks of
 * `modelMaxLength - 2` (75) prompt tokens, each laid out as diffusers pads a prompt:
 * `[BOS, tokens…, EOS, pad…]` with 77 ids, weight 1 on BOS, EOS and padding.
 * Splitting follows A1111 `tokenize_line`: each weighted run is tokenized on its own, a full chunk
 * is cut after its last comma when that comma is within the last 20 tokens, BREAK starts a new chunk.
 * The result has at least `minChunks` chunks (empty ones `[BOS, EOS, pad…]` are appended), so a
 * positive and a negative prompt can be made equally long for a batch-2 CFG call; an empty prompt is
 * one empty chunk. For SDXL, tokenize with both tokenizers and pass the largest count as
 * `minChunks` (their chunk counts can differ: tokenizer_2 reads every "!" as its own token).
 */
export function tokenizeWeightedPrompt(tokenizer: ClipTokenizer, prompt: string, minChunks: number): TokenizedPrompt {
  const chunkLength = tokenizer.modelMaxLength - 2;
  if (chunkLength < 1) throw new RangeError(`modelMaxLength ${tokenizer.modelMaxLength} leaves no room for tokens`);
  const commaId = tokenizer.encodeWithoutSpecialTokens(',')[0];
  const chunks: PromptChunk[] = [];
  let ids: number[] = [];
  let weights: number[] = [];
  let lastComma = -1;
  const closeChunk = (): void => {
    chunks.push(layOutChunk(tokenizer, ids, weights));
    ids = [];
    weights = [];
    lastComma = -1;
  };

  for (const segment of parsePromptAttention(prompt)) {
    if (segment.isBreak) {
      closeChunk();
      continue;
    }
    for (const id of tokenizer.encodeWithoutSpecialTokens(segment.text)) {
      if (id === commaId) {
        lastComma = ids.length;
      } else if (ids.length === chunkLength && lastComma !== -1 && ids.length - lastComma <= COMMA_BACKTRACK) {
        const cut = lastComma + 1;
        const movedIds = ids.slice(cut);
        const movedWeights = weights.slice(cut);
        ids = ids.slice(0, cut);
        weights = weights.slice(0, cut);
        closeChunk();
        ids = movedIds;
        weights = movedWeights;
      }
      if (ids.length === chunkLength) closeChunk();
      ids.push(id);
      weights.push(segment.weight);
    }
  }
  if (ids.length > 0 || chunks.length === 0) closeChunk();
  while (chunks.length < minChunks) chunks.push(layOutChunk(tokenizer, [], []));
  return { chunks };
}

/** `[BOS, ids…, EOS, pad…]` with weights `[1, weights…, 1, 1…]`, `modelMaxLength` long. */
function layOutChunk(tokenizer: ClipTokenizer, ids: number[], weights: number[]): PromptChunk {
  const padding = tokenizer.modelMaxLength - 2 - ids.length;
  return {
    inputIds: [tokenizer.bosTokenId, ...ids, tokenizer.eosTokenId, ...new Array<number>(padding).fill(tokenizer.padTokenId)],
    weights: [1, ...weights, 1, ...new Array<number>(padding).fill(1)],
  };
}

/**
 * Applies attention weights to one encoded chunk in place, as A1111's original emphasis does:
 * each position's embedding is multiplied by its weight, then the whole chunk is rescaled so its
 * mean equals the mean before weighting (which keeps heavy weights from washing out the image).
 * `hidden` is `[sequenceLength, hiddenSize]` row-major; all-1 weights leave it untouched.
 */
export function applyPromptWeights(
  hidden: Float32Array,
  weights: ArrayLike<number>,
  sequenceLength: number,
  hiddenSize: number,
): void {
  if (hidden.length !== sequenceLength * hiddenSize || weights.length !== sequenceLength) {
    throw new RangeError(
      `applyPromptWeights: ${hidden.length} values and ${weights.length} weights for ${sequenceLength}×${hiddenSize}`,
    );
  }
  let weighted = false;
  for (let position = 0; position < sequenceLength; position++) if (weights[position] !== 1) weighted = true;
  if (!weighted) return;

  let originalSum = 0;
  let weightedSum = 0;
  for (let position = 0; position < sequenceLength; position++) {
    const weight = weights[position] ?? 1;
    const offset = position * hiddenSize;
    for (let index = offset; index < offset + hiddenSize; index++) {
      const value = hidden[index] ?? 0;
      originalSum += value;
      hidden[index] = value * weight;
      weightedSum += hidden[index] ?? 0;
    }
  }
  // Same element count, so the ratio of sums is the ratio of means. A zero weighted mean (all
  // weights 0, or a chunk that sums to 0) has no rescale that restores the mean: keep the weighting.
  if (weightedSum === 0 || !Number.isFinite(originalSum / weightedSum)) return;
  const scale = originalSum / weightedSum;
  for (let index = 0; index < hidden.length; index++) hidden[index] = (hidden[index] ?? 0) * scale;
}

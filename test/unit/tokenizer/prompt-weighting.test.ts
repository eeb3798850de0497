import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../../src/generation/tokenizer/clip.tokenizer.ts';
import { applyPromptWeights, tokenizeWeightedPrompt } from '../../../src/generation/tokenizer/prompt-weighting.ts';
import { sharedDir, sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { removeDir, writeTinyTokenizerDir } from './tiny-tokenizer.fixture.ts';

const repeat = (word: string, count: number): string => Array.from({ length: count }, () => word).join(' ');

describe('tokenizeWeightedPrompt on a hand-made vocabulary (77 → 8 positions, 6 tokens a chunk)', () => {
  // ids: low 12, lower 15, "," 16, BOS 18, EOS 19 = pad
  let dir = '';
  let tiny: ClipTokenizer;
  beforeAll(async () => {
    dir = await writeTinyTokenizerDir({ padToken: '<|endoftext|>', modelMaxLength: 8 });
    tiny = await ClipTokenizer.fromDirectory(dir);
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('cuts a full chunk after its last comma and carries the rest over', () => {
    const { chunks } = tokenizeWeightedPrompt(tiny, 'low low low, lower lower lower lower', 1);
    expect(chunks.map((chunk) => chunk.inputIds)).toEqual([
      [18, 12, 12, 12, 16, 19, 19, 19],
      [18, 15, 15, 15, 15, 19, 19, 19],
    ]);
  });

  it('cuts at exactly 6 tokens when there is no comma', () => {
    const { chunks } = tokenizeWeightedPrompt(tiny, repeat('low', 8), 1);
    expect(chunks.map((chunk) => chunk.inputIds)).toEqual([
      [18, 12, 12, 12, 12, 12, 12, 19],
      [18, 12, 12, 19, 19, 19, 19, 19],
    ]);
  });

  it('moves the weights with the tokens they belong to', () => {
    const { chunks } = tokenizeWeightedPrompt(tiny, 'low low low, (lower:1.5) lower lower lower', 1);
    expect(chunks.map((chunk) => chunk.weights)).toEqual([
      [1, 1, 1, 1, 1, 1, 1, 1],
      [1, 1.5, 1, 1, 1, 1, 1, 1],
    ]);
  });
});

describe.skipIf(!sharedDir)('tokenizeWeightedPrompt on the real CLIP vocabulary' + sharedSkipReason, () => {
  const BOS = 49406;
  const EOS = 49407;
  const CAT = 2368;
  const DOG = 1929;
  const COMMA = 267;
  let clip: ClipTokenizer;
  let openClip: ClipTokenizer;

  beforeAll(async () => {
    clip = await ClipTokenizer.fromDirectory(sharedPath('fixtures', 'models', 'tiny-sdxl', 'tokenizer') ?? '');
    openClip = await ClipTokenizer.fromDirectory(sharedPath('fixtures', 'models', 'tiny-sdxl', 'tokenizer_2') ?? '');
  });

  it('lays a short prompt out like diffusers: BOS, tokens, EOS, then padding to 77', () => {
    const { chunks } = tokenizeWeightedPrompt(clip, 'a photo of a cat', 1);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.inputIds).toEqual([BOS, 320, 1125, 539, 320, CAT, EOS, ...new Array<number>(70).fill(EOS)]);
    expect(chunks[0]?.weights).toEqual(new Array<number>(77).fill(1));
  });

  it('pads with id 0 for a tokenizer whose pad token is "!"', () => {
    const { chunks } = tokenizeWeightedPrompt(openClip, 'a photo of a cat', 1);
    expect(chunks[0]?.inputIds).toEqual([BOS, 320, 1125, 539, 320, CAT, EOS, ...new Array<number>(70).fill(0)]);
  });

  it('gives each token the weight of its bracket', () => {
    const { chunks } = tokenizeWeightedPrompt(clip, 'a (cat:1.5) [dog]', 1);
    expect(chunks[0]?.inputIds.slice(0, 5)).toEqual([BOS, 320, CAT, DOG, EOS]);
    expect(chunks[0]?.weights.slice(0, 6)).toEqual([1, 1, 1.5, 1 / 1.1, 1, 1]);
  });

  it('splits 100 tokens into a full chunk of 75 and a padded chunk of 25', () => {
    const { chunks } = tokenizeWeightedPrompt(clip, repeat('cat', 100), 1);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]?.inputIds).toEqual([BOS, ...new Array<number>(75).fill(CAT), EOS]);
    expect(chunks[1]?.inputIds).toEqual([BOS, ...new Array<number>(25).fill(CAT), EOS, ...new Array<number>(50).fill(EOS)]);
    for (const chunk of chunks) expect(chunk.weights).toHaveLength(77);
  });

  it('moves the words after a comma within the last 20 tokens to the next chunk', () => {
    const { chunks } = tokenizeWeightedPrompt(clip, `${repeat('cat', 70)}, ${repeat('dog', 10)}`, 1);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]?.inputIds.slice(70, 74)).toEqual([CAT, COMMA, EOS, EOS]);
    expect(chunks[1]?.inputIds.slice(0, 12)).toEqual([BOS, ...new Array<number>(10).fill(DOG), EOS]);
  });

  it('cuts at 75 tokens when the last comma is further back', () => {
    const { chunks } = tokenizeWeightedPrompt(clip, `${repeat('cat', 10)}, ${repeat('dog', 80)}`, 1);
    expect(chunks[0]?.inputIds).toEqual([BOS, ...new Array<number>(10).fill(CAT), COMMA, ...new Array<number>(64).fill(DOG), EOS]);
    expect(chunks[1]?.inputIds.slice(0, 18)).toEqual([BOS, ...new Array<number>(16).fill(DOG), EOS]);
  });

  it('starts a new chunk at BREAK', () => {
    const { chunks } = tokenizeWeightedPrompt(clip, 'cat BREAK dog', 1);
    expect(chunks.map((chunk) => chunk.inputIds.slice(0, 3))).toEqual([
      [BOS, CAT, EOS],
      [BOS, DOG, EOS],
    ]);
  });

  it('appends empty chunks up to minChunks so two prompts can be batched', () => {
    const { chunks } = tokenizeWeightedPrompt(clip, 'cat', 3);
    expect(chunks).toHaveLength(3);
    expect(chunks[1]?.inputIds).toEqual([BOS, EOS, ...new Array<number>(75).fill(EOS)]);
    expect(chunks[2]?.weights).toEqual(new Array<number>(77).fill(1));
    expect(tokenizeWeightedPrompt(clip, repeat('cat', 100), 1).chunks).toHaveLength(2);
  });

  it('gives an empty prompt one chunk of BOS, EOS and padding', () => {
    const { chunks } = tokenizeWeightedPrompt(openClip, '', 1);
    expect(chunks).toEqual([{ inputIds: [BOS, EOS, ...new Array<number>(75).fill(0)], weights: new Array<number>(77).fill(1) }]);
  });
});

describe('applyPromptWeights', () => {
  const mean = (values: ArrayLike<number>): number => Array.from(values).reduce((sum, value) => sum + value, 0) / values.length;

  it('scales each position by its weight, then restores the mean (worked by hand)', () => {
    // weighted [2, 4, 3, 4] sums to 13, the original to 10: everything times 10/13
    const hidden = new Float32Array([1, 2, 3, 4]);
    applyPromptWeights(hidden, [2, 1], 2, 2);
    const expected = [20 / 13, 40 / 13, 30 / 13, 40 / 13];
    hidden.forEach((value, index) => expect(value).toBeCloseTo(expected[index] ?? NaN, 6));
  });

  it('keeps the mean of a whole 77×768 chunk and the ratios between weighted positions', () => {
    const sequenceLength = 77;
    const hiddenSize = 768;
    let state = 12345;
    const nextValue = (): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648 - 0.3;
    };
    const original = Float32Array.from({ length: sequenceLength * hiddenSize }, nextValue);
    const weights = Array.from({ length: sequenceLength }, (_, position) => (position % 5 === 0 ? 1.5 : position % 7 === 0 ? 0.6 : 1));
    const hidden = original.slice();
    applyPromptWeights(hidden, weights, sequenceLength, hiddenSize);

    expect(mean(hidden)).toBeCloseTo(mean(original), 6);
    // position 5 (×1.5) against position 1 (×1): the same rescale factor applies to both
    const factor = (hidden[1 * hiddenSize] ?? 0) / (original[1 * hiddenSize] ?? 1);
    expect((hidden[5 * hiddenSize + 3] ?? 0) / (original[5 * hiddenSize + 3] ?? 1)).toBeCloseTo(1.5 * factor, 4);
    expect((hidden[7 * hiddenSize + 9] ?? 0) / (original[7 * hiddenSize + 9] ?? 1)).toBeCloseTo(0.6 * factor, 4);
  });

  it('leaves an unweighted chunk bit-for-bit unchanged', () => {
    const original = Float32Array.from({ length: 6 }, (_, index) => Math.sin(index) * 3);
    const hidden = original.slice();
    applyPromptWeights(hidden, [1, 1, 1], 3, 2);
    expect(hidden).toEqual(original);
  });

  it('throws when the sizes do not match (a caller bug)', () => {
    expect(() => applyPromptWeights(new Float32Array(10), [1, 1], 2, 4)).toThrow(RangeError);
    expect(() => applyPromptWeights(new Float32Array(8), [1], 2, 4)).toThrow(RangeError);
  });
});

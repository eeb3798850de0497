import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSession, TensorInput } from '../../../src/generation/onnx/index.ts';
import { encodeTextConditioning, type PromptEncoder } from '../../../src/generation/pipeline/text-conditioning.ts';
import { ClipTokenizer } from '../../../src/generation/tokenizer/clip.tokenizer.ts';
import { writeTokenizerFolder } from '../../fixtures/onnx/clip-tokenizer.fixture.ts';

/**
 * A fake text encoder: token t at position p becomes the row [id, p, scale] (width 3), so a test
 * can read back which ids were encoded where. `hidden_states.k` = rows × (k + 1).
 */
function fakeEncoder(scale: number, sdxl: boolean, calls: number[][]): ModelSession {
  const outputs = sdxl
    ? ['text_embeds', 'last_hidden_state', 'hidden_states.0', 'hidden_states.1', 'hidden_states.2']
    : ['last_hidden_state', 'pooler_output'];
  return {
    path: 'fake.onnx',
    provider: 'cpu',
    inputs: [{ name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] }],
    outputs: outputs.map((name) => ({ name, type: 'float32', shape: ['batch', 'sequence', 3] })),
    hasInput: (name) => name === 'input_ids',
    run: async (feeds: Record<string, TensorInput>) => {
      const ids = Array.from(feeds['input_ids']!.data as Int32Array);
      calls.push(ids);
      const rows = (factor: number) => {
        const data = new Float32Array(ids.length * 3);
        ids.forEach((id, position) => data.set([id * factor, position * factor, scale * factor], position * 3));
        return { data, dims: [1, ids.length, 3] };
      };
      return {
        last_hidden_state: rows(1),
        'hidden_states.1': rows(2),
        text_embeds: { data: Float32Array.from([ids[1] ?? 0, scale]), dims: [1, 2] },
      };
    },
    release: async () => {},
  };
}

describe('text conditioning', () => {
  let dir: string;
  let tokenizer: ClipTokenizer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'darkroom-text-'));
    await writeTokenizerFolder(dir, { padToken: '<|endoftext|>', style: 'transformers', vocabFrom: undefined });
    tokenizer = await ClipTokenizer.fromDirectory(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const encoder = (scale: number, sdxl: boolean, calls: number[][]): PromptEncoder => ({
    tokenizer,
    session: fakeEncoder(scale, sdxl, calls),
    signature: sdxl ? { hiddenOutput: 'hidden_states.1', pooledOutput: 'text_embeds' } : { hiddenOutput: 'last_hidden_state', pooledOutput: undefined },
  });

  it('encodes a long prompt in 77-token chunks and pads the negative prompt to the same length', async () => {
    const calls: number[][] = [];
    const long = Array.from({ length: 40 }, () => 'red car').join(' '); // 80 tokens → 2 chunks
    const { positive, negative } = await encodeTextConditioning([encoder(1, false, calls)], {
      prompt: long,
      guided: true,
      negativePrompt: 'blurry',
      zeroUnsetNegative: false,
    });
    expect(calls).toHaveLength(4);
    expect(calls.every((ids) => ids.length === 77 && ids[0] === tokenizer.bosTokenId)).toBe(true);
    expect(positive.seqLen).toBe(154);
    expect(negative!.seqLen).toBe(154);
    expect(positive.hidden.length).toBe(154 * 3);
    // Second chunk starts at row 77 with BOS.
    expect(positive.hidden[77 * 3]).toBe(tokenizer.bosTokenId);
  });

  it('concatenates the SDXL encoders along the feature axis and pools from the last encoder', async () => {
    const calls: number[][] = [];
    const { positive } = await encodeTextConditioning([encoder(1, true, calls), encoder(5, true, calls)], {
      prompt: 'a photo of a cat',
      guided: false,
      negativePrompt: undefined,
      zeroUnsetNegative: true,
    });
    expect(positive.hiddenSize).toBe(6);
    // Row 1 (first real token): encoder 1's hidden_states.1 (×2) then encoder 2's.
    const id = calls[0]![1]!;
    expect(Array.from(positive.hidden.subarray(6, 12))).toEqual([2 * id, 2, 2, 2 * id, 2, 10]);
    expect(Array.from(positive.pooled!)).toEqual([id, 5]);
  });

  it('zeroes the SDXL negative when none was given (force_zeros_for_empty_prompt) without encoding it', async () => {
    const calls: number[][] = [];
    const { positive, negative } = await encodeTextConditioning([encoder(1, true, calls), encoder(5, true, calls)], {
      prompt: 'a photo of a cat',
      guided: true,
      negativePrompt: undefined,
      zeroUnsetNegative: true,
    });
    expect(calls).toHaveLength(2);
    expect(negative!.hidden.length).toBe(positive.hidden.length);
    expect(negative!.hidden.every((value) => value === 0)).toBe(true);
    expect(Array.from(negative!.pooled!)).toEqual([0, 0]);
  });

  it('encodes an explicitly empty SDXL negative prompt, as diffusers does for negative_prompt=""', async () => {
    const calls: number[][] = [];
    const { negative } = await encodeTextConditioning([encoder(1, true, calls), encoder(5, true, calls)], {
      prompt: 'a photo of a cat',
      guided: true,
      negativePrompt: '',
      zeroUnsetNegative: true,
    });
    expect(calls).toHaveLength(4); // positive and negative, each through both encoders
    expect(calls[2]![0]).toBe(tokenizer.bosTokenId);
    expect(calls[2]![1]).toBe(tokenizer.eosTokenId);
    expect(negative!.hidden.some((value) => value !== 0)).toBe(true);
  });

  it('runs no negative pass unguided, and encodes "" when guided without a negative on SD 1.x', async () => {
    const calls: number[][] = [];
    const unguided = await encodeTextConditioning([encoder(1, false, calls)], { prompt: 'a cat', guided: false, negativePrompt: 'blurry', zeroUnsetNegative: false });
    expect(unguided.negative).toBeUndefined();
    expect(calls).toHaveLength(1);
    const none = await encodeTextConditioning([encoder(1, false, calls)], { prompt: 'a cat', guided: true, negativePrompt: undefined, zeroUnsetNegative: false });
    const empty = await encodeTextConditioning([encoder(1, false, calls)], { prompt: 'a cat', guided: true, negativePrompt: '', zeroUnsetNegative: false });
    expect(Array.from(none.negative!.hidden)).toEqual(Array.from(empty.negative!.hidden));
  });

  it('applies (word:1.5) weights and keeps plain prompts untouched', async () => {
    const calls: number[][] = [];
    const plain = await encodeTextConditioning([encoder(1, false, calls)], { prompt: 'red car', guided: false, negativePrompt: undefined, zeroUnsetNegative: false });
    const weighted = await encodeTextConditioning([encoder(1, false, calls)], { prompt: '(red:1.5) car', guided: false, negativePrompt: undefined, zeroUnsetNegative: false });
    expect(calls[0]).toEqual(calls[1]); // same ids
    expect(plain.positive.hidden[3]).toBe(calls[0]![1]); // unweighted row = the raw id
    expect(weighted.positive.hidden).not.toEqual(plain.positive.hidden);
  });
});

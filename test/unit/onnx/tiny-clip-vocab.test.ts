import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOS_ID, buildTinyClipVocab, EOS_ID, TINY_VOCAB_WORDS } from '../../fixtures/onnx/clip-tokenizer.fixture.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';

describe('tiny CLIP vocab for fixture tokenizers', () => {
  const { vocab, merges } = buildTinyClipVocab();

  it('has BOS 49406, EOS 49407 and a whole-word token per listed word, all ids distinct', () => {
    expect(vocab['<|startoftext|>']).toBe(BOS_ID);
    expect(vocab['<|endoftext|>']).toBe(EOS_ID);
    for (const word of TINY_VOCAB_WORDS) expect(vocab[`${word}</w>`]).toBeTypeOf('number');
    const ids = Object.values(vocab);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('only merges symbols that are themselves in the vocab', () => {
    for (const merge of merges) {
      const [left, right] = merge.split(' ');
      expect(vocab[left ?? '']).toBeTypeOf('number');
      expect(vocab[right ?? '']).toBeTypeOf('number');
      expect(vocab[`${left}${right}`]).toBeTypeOf('number');
    }
  });

  const realVocabPath = sharedPath('ref', 'clip', 'vocab.json');
  it.skipIf(!realVocabPath)('gives single characters their real CLIP ids' + sharedSkipReason, () => {
    const real = JSON.parse(readFileSync(realVocabPath ?? '', 'utf8')) as Record<string, number>;
    for (const [token, id] of Object.entries(vocab)) if (id < 512) expect([token, real[token]]).toEqual([token, id]);
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../../src/generation/tokenizer/clip.tokenizer.ts';
import { TokenizerLoadError } from '../../../src/generation/tokenizer/tokenizer.errors.ts';
import { removeDir, TINY_MERGES, TINY_VOCAB, writeTinyTokenizerDir } from './tiny-tokenizer.fixture.ts';

const BOS = 18;
const EOS = 19;

describe('ClipTokenizer on a hand-made vocabulary', () => {
  const dirs: string[] = [];
  let endOfTextPad: ClipTokenizer;
  let bangPad: ClipTokenizer;

  beforeAll(async () => {
    const plainDir = await writeTinyTokenizerDir({ padToken: '<|endoftext|>', modelMaxLength: 8 });
    const bangDir = await writeTinyTokenizerDir({ padToken: { content: '!' }, modelMaxLength: 8 });
    dirs.push(plainDir, bangDir);
    endOfTextPad = await ClipTokenizer.fromDirectory(plainDir);
    bangPad = await ClipTokenizer.fromDirectory(bangDir);
  });
  afterAll(async () => {
    await Promise.all(dirs.map(removeDir));
  });

  it('applies the merges in rank order and wraps the ids in BOS and EOS', () => {
    expect(endOfTextPad.encode('low')).toEqual([BOS, 12, EOS]);
    expect(endOfTextPad.encode('lower')).toEqual([BOS, 15, EOS]);
    expect(endOfTextPad.encode('owl')).toEqual([BOS, 2, 3, 6, EOS]);
    expect(endOfTextPad.encodeWithoutSpecialTokens('low lower')).toEqual([12, 15]);
  });

  it('ignores case and extra whitespace like the slow CLIP tokenizer', () => {
    expect(endOfTextPad.encode('  LOW\t\nLoWeR  ')).toEqual([BOS, 12, 15, EOS]);
  });

  it('reads the special token ids and model_max_length from the folder', () => {
    expect([endOfTextPad.bosTokenId, endOfTextPad.eosTokenId, endOfTextPad.padTokenId]).toEqual([BOS, EOS, EOS]);
    expect(bangPad.padTokenId).toBe(0);
    expect(endOfTextPad.modelMaxLength).toBe(8);
  });

  it('reads "!" as the pad token (id 0) when "!" is the pad token, as transformers does', () => {
    expect(endOfTextPad.encode('lower!')).toEqual([BOS, 15, 17, EOS]);
    expect(bangPad.encode('lower!')).toEqual([BOS, 15, 0, EOS]);
  });

  it('gives an empty prompt as BOS, EOS', () => {
    expect(endOfTextPad.encode('')).toEqual([BOS, EOS]);
    expect(endOfTextPad.encode('   ')).toEqual([BOS, EOS]);
  });

  it('loads a folder that only has a tokenizer.json to the same ids', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'darkroom-tokenizer-json-'));
    dirs.push(dir);
    const tokenizerJson = {
      version: '1.0',
      added_tokens: [
        { id: BOS, content: '<|startoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
        { id: EOS, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      ],
      normalizer: {
        type: 'Sequence',
        normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
      },
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          {
            type: 'Split',
            pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
            behavior: 'Removed',
            invert: true,
          },
          { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      },
      post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', EOS], cls: ['<|startoftext|>', BOS], trim_offsets: false, add_prefix_space: false },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: '<|endoftext|>',
        continuing_subword_prefix: '',
        end_of_word_suffix: '</w>',
        fuse_unk: false,
        byte_fallback: false,
        vocab: TINY_VOCAB,
        merges: TINY_MERGES.trim().split('\n').slice(1),
      },
    };
    await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    const fromJson = await ClipTokenizer.fromDirectory(dir);
    expect(fromJson.encode('Lower  low, owl')).toEqual([BOS, 15, 12, 16, 2, 3, 6, EOS]);
    expect(fromJson.padTokenId).toBe(EOS); // transformers' CLIPTokenizer default pad token
    expect(fromJson.modelMaxLength).toBe(77); // no tokenizer_config.json: CLIP's 77
  });

  it('refuses a folder without vocabulary files with a stable code', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'darkroom-empty-tokenizer-'));
    dirs.push(dir);
    const error = await ClipTokenizer.fromDirectory(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenizerLoadError);
    expect((error as TokenizerLoadError).code).toBe('tokenizer-files-missing');
  });

  it('refuses a broken vocab.json with a stable code', async () => {
    const dir = await writeTinyTokenizerDir({ padToken: '<|endoftext|>', modelMaxLength: 77 });
    dirs.push(dir);
    await writeFile(path.join(dir, 'vocab.json'), '{"l": 1,');
    const error = await ClipTokenizer.fromDirectory(dir).catch((caught: unknown) => caught);
    expect((error as TokenizerLoadError).code).toBe('tokenizer-files-invalid');
  });
});

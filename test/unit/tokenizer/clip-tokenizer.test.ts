import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../../src/generation/tokenizer/clip.tokenizer.ts';
import { sharedDir, sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';

const BOS = 49406;
const EOS = 49407;

/**
 * Expected ids are vocab.json look-ups of the BPE pieces (e.g. "photo" 1153 + "realistic</w>" 16157,
 * "ü" is the byte pair "Ã¼" 6522), or values published elsewhere (diffusers issue 4153).
 */
describe.skipIf(!sharedDir)('ClipTokenizer on the real CLIP vocabulary' + sharedSkipReason, () => {
  let clip: ClipTokenizer;

  beforeAll(async () => {
    clip = await ClipTokenizer.fromDirectory(sharedPath('ref', 'clip') ?? '');
  });

  it('encodes the reference prompt', () => {
    expect(clip.encode('a photo of a cat')).toEqual([BOS, 320, 1125, 539, 320, 2368, EOS]);
  });

  it('lower-cases and collapses whitespace', () => {
    expect(clip.encode('  A Photo  OF\ta CAT\n')).toEqual([BOS, 320, 1125, 539, 320, 2368, EOS]);
  });

  it('splits words missing from the vocabulary into BPE pieces', () => {
    expect(clip.encode('photorealistic')).toEqual([BOS, 1153, 16157, EOS]); // photo + realistic</w>
    expect(clip.encode('sunflowers')).toEqual([BOS, 39809, EOS]); // a whole word in the vocab
  });

  it('makes punctuation its own word', () => {
    expect(clip.encode('cat, dog.')).toEqual([BOS, 2368, 267, 1929, 269, EOS]);
    expect(clip.encode('(cat)')).toEqual([BOS, 263, 2368, 264, EOS]);
  });

  it('splits numbers into single digits', () => {
    expect(clip.encode('1234')).toEqual([BOS, 272, 273, 274, 275, EOS]);
    expect(clip.encode('85mm')).toEqual([BOS, 279, 276, 2848, EOS]); // 8</w> 5</w> mm</w>
  });

  it("separates 's and other English contractions", () => {
    expect(clip.encode("it's")).toEqual([BOS, 585, 568, EOS]); // it</w> 's</w>
  });

  it('encodes accented letters through the byte-level alphabet, composing them first (NFC)', () => {
    expect(clip.encode('café')).toEqual([BOS, 15304, EOS]); // cafÃ©</w>
    expect(clip.encode('über')).toEqual([BOS, 6522, 1516, EOS]); // Ã¼ ber</w>
    expect(clip.encode('naïve')).toEqual([BOS, 1097, 35689, 563, EOS]); // na Ã¯ ve</w>
    expect(clip.encode('cafe\u0301')).toEqual(clip.encode('café'));
  });

  it('encodes emoji, dropping zero-width joiners like the slow tokenizer', () => {
    expect(clip.encode('😀')).toEqual([BOS, 7334, EOS]); // ðŁĺĢ</w>
    expect(clip.encode('🇫🇷')).toEqual([BOS, 16223, EOS]);
    expect(clip.encode('👨\u200d👩\u200d👧')).toEqual(clip.encode('👨👩👧'));
    expect(clip.encode('👨👩👧')).not.toEqual(clip.encode('👨 👩 👧'));
  });

  it('makes each CJK ideograph its own word', () => {
    expect(clip.encode('東京')).toEqual(clip.encode('東 京'));
  });

  it('reads <|endoftext|> typed in a prompt as the EOS token', () => {
    expect(clip.encode('cat <|endoftext|> dog')).toEqual([BOS, 2368, EOS, 1929, EOS]);
  });

  it('reads exclamation marks as CLIP words (open_clip ids from diffusers issue 4153)', () => {
    expect(clip.encode('! !! !!!')).toEqual([BOS, 256, 748, 995, EOS]);
  });

  it('does not truncate or pad', () => {
    const ids = clip.encode(Array.from({ length: 100 }, () => 'cat').join(' '));
    expect(ids).toHaveLength(102);
    expect(ids[0]).toBe(BOS);
    expect(ids[101]).toBe(EOS);
  });
});

const fixtureTokenizers = [
  { folder: 'tiny-sd15/tokenizer', style: 'SD1.x repo style (AddedToken objects)', pad: EOS },
  { folder: 'tiny-sd15-optimum/tokenizer', style: 'added_tokens_decoder style', pad: EOS },
  { folder: 'tiny-sdxl/tokenizer', style: 'SDXL tokenizer', pad: EOS },
  { folder: 'tiny-sdxl/tokenizer_2', style: 'SDXL tokenizer_2 (pad "!")', pad: 0 },
];

describe.skipIf(!sharedDir)('ClipTokenizer on the fixture model folders' + sharedSkipReason, () => {
  for (const fixture of fixtureTokenizers) {
    it(`loads ${fixture.folder} (${fixture.style})`, async () => {
      const dir = sharedPath('fixtures', 'models', ...fixture.folder.split('/')) ?? '';
      expect(existsSync(dir)).toBe(true);
      const tokenizer = await ClipTokenizer.fromDirectory(dir);
      expect(tokenizer.encode('a photo of a cat')).toEqual([BOS, 320, 1125, 539, 320, 2368, EOS]);
      expect([tokenizer.bosTokenId, tokenizer.eosTokenId, tokenizer.padTokenId]).toEqual([BOS, EOS, fixture.pad]);
      expect(tokenizer.modelMaxLength).toBe(77);
    });
  }

  it('reads every "!" as the pad token in SDXL tokenizer_2, as diffusers does (issue 4153)', async () => {
    const tokenizer2 = await ClipTokenizer.fromDirectory(sharedPath('fixtures', 'models', 'tiny-sdxl', 'tokenizer_2') ?? '');
    expect(tokenizer2.encode('! !! !!!')).toEqual([BOS, 0, 0, 0, 0, 0, 0, EOS]);
    expect(tokenizer2.encode('hello!world')).toEqual([BOS, 3306, 0, 1002, EOS]);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A hand-made CLIP-style BPE small enough to derive every encoding by hand:
 *   low   → l o w</w> → (l o) lo w</w> → (lo w</w>) low</w>                     = [12]
 *   lower → l o w e r</w> → lo w e r</w> → low e r</w> → low er</w> → lower</w> = [15]
 *   owl   → o w l</w>, no merge applies                                         = [2, 3, 6]
 */
export const TINY_VOCAB: Record<string, number> = {
  '!': 0,
  l: 1,
  o: 2,
  w: 3,
  e: 4,
  r: 5,
  'l</w>': 6,
  'o</w>': 7,
  'w</w>': 8,
  'e</w>': 9,
  'r</w>': 10,
  lo: 11,
  'low</w>': 12,
  low: 13,
  'er</w>': 14,
  'lower</w>': 15,
  ',</w>': 16,
  '!</w>': 17,
  '<|startoftext|>': 18,
  '<|endoftext|>': 19,
};

export const TINY_MERGES = ['#version: 0.2', 'l o', 'lo w</w>', 'lo w', 'e r</w>', 'low er</w>'].join('\n') + '\n';

export interface TinyTokenizerOptions {
  /** special_tokens_map.json `pad_token`: a string or an AddedToken object. */
  padToken: string | { content: string };
  modelMaxLength: number;
}

/** Writes vocab.json, merges.txt, special_tokens_map.json and tokenizer_config.json to a new temp dir. */
export async function writeTinyTokenizerDir(options: TinyTokenizerOptions): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'darkroom-tiny-tokenizer-'));
  await writeFile(path.join(dir, 'vocab.json'), JSON.stringify(TINY_VOCAB));
  await writeFile(path.join(dir, 'merges.txt'), TINY_MERGES);
  await writeFile(
    path.join(dir, 'special_tokens_map.json'),
    JSON.stringify({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>', pad_token: options.padToken }),
  );
  await writeFile(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ model_max_length: options.modelMaxLength, tokenizer_class: 'CLIPTokenizer' }),
  );
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

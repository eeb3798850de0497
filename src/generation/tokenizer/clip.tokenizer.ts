import { Tokenizer } from '@huggingface/tokenizers';
import { cleanClipText } from './clip-text-cleaner.ts';
import { buildTokenizerJson, CLIP_WORD_PATTERN, resolveAddedTokens } from './clip-tokenizer-json.ts';
import { readTokenizerFiles, type TokenizerFiles } from './tokenizer-files.ts';
import { TokenizerLoadError } from './tokenizer.errors.ts';

/**
 * CLIP's BPE maps these two words to themselves (its cache is seeded with them), so after clean-up
 * `<|ENDOFTEXT|>` typed as a word still becomes the EOS id, but only where CLIP's word pattern
 * starts a word on it ("x <|endoftext|>"), not inside a run of symbols ("!<|endoftext|>").
 */
const SELF_MAPPED_WORDS: readonly string[] = ['<|startoftext|>', '<|endoftext|>'];

/**
 * The CLIP BPE tokenizer of a Stable Diffusion text encoder, giving the same ids as transformers'
 * slow `CLIPTokenizer` (what diffusers loads). Word splitting, the byte-level alphabet and BPE run in
 * `@huggingface/tokenizers` (which caches the pieces of each word). Around it, in the slow
 * tokenizer's order: added tokens are matched in the raw text first, then each piece between them
 * is cleaned (`cleanClipText`, which a tokenizer.json normalizer cannot express) and encoded.
 */
export class ClipTokenizer {
  /** `<|startoftext|>`, 49406 in CLIP. */
  readonly bosTokenId: number;
  /** `<|endoftext|>`, 49407 in CLIP. */
  readonly eosTokenId: number;
  /** 49407 (`<|endoftext|>`) for SD1.x and SDXL `tokenizer/`; 0 (`!`) for SD2.x and SDXL `tokenizer_2/`. */
  readonly padTokenId: number;
  /** Positions of the text encoder, 77 for every CLIP in Stable Diffusion. */
  readonly modelMaxLength: number;

  readonly #engine: Tokenizer;
  /** Added tokens (content → id), matched in raw text by `#addedTokenPattern`. */
  readonly #addedTokens: Map<string, number>;
  readonly #addedTokenPattern: RegExp;
  readonly #selfMappedIds: Map<string, number>;

  private constructor(engine: Tokenizer, files: TokenizerFiles) {
    this.#engine = engine;
    this.#addedTokens = resolveAddedTokens(files);
    // Longest first, so a token that starts with another one wins (as in transformers' trie).
    const alternatives = [...this.#addedTokens.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.#addedTokenPattern = new RegExp(`(${alternatives.join('|')})`, 'u');
    this.#selfMappedIds = new Map(SELF_MAPPED_WORDS.map((word) => [word, idOf(engine, word)]));
    this.bosTokenId = this.#addedId(files.bosToken);
    this.eosTokenId = this.#addedId(files.eosToken);
    this.padTokenId = this.#addedId(files.padToken);
    this.modelMaxLength = files.modelMaxLength;
  }

  /**
   * Loads a diffusers `tokenizer/` or `tokenizer_2/` folder (vocab.json + merges.txt, or
   * tokenizer.json; special_tokens_map.json and tokenizer_config.json when present).
   * Throws `TokenizerLoadError` when the folder is missing files or holds invalid ones.
   */
  static async fromDirectory(dir: string): Promise<ClipTokenizer> {
    return ClipTokenizer.fromFiles(await readTokenizerFiles(dir));
  }

  /** Builds a tokenizer from files already read (see `readTokenizerFiles`). */
  static fromFiles(files: TokenizerFiles): ClipTokenizer {
    return new ClipTokenizer(new Tokenizer(buildTokenizerJson(files), { clean_up_tokenization_spaces: false }), files);
  }

  /** Token ids of `text` wrapped in BOS and EOS; no padding, no truncation. */
  encode(text: string): number[] {
    return [this.bosTokenId, ...this.encodeWithoutSpecialTokens(text), this.eosTokenId];
  }

  /** Token ids of `text` alone (no BOS/EOS), e.g. for one weighted piece of a prompt. */
  encodeWithoutSpecialTokens(text: string): number[] {
    const ids: number[] = [];
    // split() with a capturing group alternates text, added token, text, …
    text.split(this.#addedTokenPattern).forEach((piece, index) => {
      if (index % 2 === 1) ids.push(this.#addedId(piece));
      else this.#encodeCleaned(cleanClipText(piece), ids);
    });
    return ids;
  }

  #encodeCleaned(cleaned: string, ids: number[]): void {
    if (cleaned.length === 0) return;
    if (!cleaned.includes('<|')) {
      ids.push(...this.#engine.encode(cleaned, { add_special_tokens: false }).ids);
      return;
    }
    // Rare: find the words CLIP's pattern yields; a scan restarted at a word boundary yields the
    // same words, so the text between self-mapped words can go to the library unchanged.
    let start = 0;
    for (const match of cleaned.matchAll(new RegExp(CLIP_WORD_PATTERN, 'gu'))) {
      const selfMapped = this.#selfMappedIds.get(match[0]);
      if (selfMapped === undefined) continue;
      this.#encodeCleaned(cleaned.slice(start, match.index), ids);
      ids.push(selfMapped);
      start = match.index + match[0].length;
    }
    if (start > 0) this.#encodeCleaned(cleaned.slice(start), ids);
    else ids.push(...this.#engine.encode(cleaned, { add_special_tokens: false }).ids);
  }

  #addedId(content: string): number {
    const id = this.#addedTokens.get(content);
    if (id === undefined) throw new Error(`"${content}" is not an added token`);
    return id;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function idOf(engine: Tokenizer, content: string): number {
  const id = engine.token_to_id(content);
  if (id === undefined) {
    throw new TokenizerLoadError('tokenizer-files-invalid', `special token "${content}" is not in the vocabulary`);
  }
  return id;
}

import type { TokenizerFiles } from './tokenizer-files.ts';
import { TokenizerLoadError } from './tokenizer.errors.ts';

/**
 * CLIP's word pattern (transformers `CLIPTokenizer.pat`). The original is compiled with IGNORECASE;
 * not needed here because the text is lower-cased before it is split.
 */
export const CLIP_WORD_PATTERN = "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

/**
 * Builds the in-memory tokenizer.json that `@huggingface/tokenizers` runs: the folder's own
 * tokenizer.json when that is all it has, otherwise one assembled from vocab.json + merges.txt in the
 * shape of the CLIP tokenizer.json on the Hub (split on CLIP's pattern, byte-level alphabet, BPE with
 * the `</w>` end-of-word suffix).
 *
 * The library gets no added tokens, no normalizer and no post-processor: `ClipTokenizer` matches
 * special tokens in the raw text, cleans each piece between them like the slow tokenizer, and adds
 * BOS/EOS itself (see clip.tokenizer.ts for why the order matters).
 */
export function buildTokenizerJson(files: TokenizerFiles): Record<string, unknown> {
  const model = files.model;
  if (model.kind === 'tokenizer-json') {
    return { ...model.tokenizerJson, added_tokens: [], post_processor: null };
  }
  return {
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_WORD_PATTERN }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    model: {
      type: 'BPE',
      vocab: model.vocab,
      merges: model.merges,
      unk_token: files.unkToken,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      dropout: null,
    },
  };
}

/**
 * Content → id of every token transformers treats as an added token of a CLIP tokenizer: the
 * special tokens (bos, eos, unk, pad), tokenizer_config's `added_tokens_decoder` and
 * tokenizer.json's `added_tokens`. transformers
 * matches these in the raw text before any clean-up or BPE: that is why SDXL's tokenizer_2, whose
 * pad token is "!", turns every "!" of a prompt into id 0 (diffusers issue 4153).
 */
export function resolveAddedTokens(files: TokenizerFiles): Map<string, number> {
  const vocab = modelVocab(files);
  const ids = new Map<string, number>();
  for (const token of jsonAddedTokens(files)) ids.set(token.content, token.id);
  for (const token of files.addedTokens) ids.set(token.content, token.id);
  for (const content of [files.bosToken, files.eosToken, files.unkToken, files.padToken]) {
    if (ids.has(content)) continue;
    const id = vocab[content];
    if (id === undefined) {
      throw new TokenizerLoadError('tokenizer-files-invalid', `special token "${content}" is not in the vocabulary`);
    }
    ids.set(content, id);
  }
  return ids;
}

function modelVocab(files: TokenizerFiles): Record<string, number | undefined> {
  if (files.model.kind === 'vocab-merges') return files.model.vocab;
  const model = files.model.tokenizerJson['model'];
  const vocab = typeof model === 'object' && model !== null ? (model as Record<string, unknown>)['vocab'] : undefined;
  return typeof vocab === 'object' && vocab !== null ? (vocab as Record<string, number>) : {};
}

/** The `added_tokens` of a folder's tokenizer.json (none for vocab.json + merges.txt). */
function jsonAddedTokens(files: TokenizerFiles): Array<{ id: number; content: string }> {
  if (files.model.kind === 'vocab-merges') return [];
  const added = files.model.tokenizerJson['added_tokens'];
  if (!Array.isArray(added)) return [];
  return (added as Array<{ content?: unknown; id?: unknown }>).flatMap((token) =>
    typeof token.content === 'string' && typeof token.id === 'number' ? [{ id: token.id, content: token.content }] : [],
  );
}

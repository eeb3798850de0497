import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TokenizerLoadError } from './tokenizer.errors.ts';

/** The BPE model of a tokenizer folder, in whichever form the folder ships it. */
export type TokenizerModelFiles =
  | { kind: 'vocab-merges'; vocab: Record<string, number>; merges: Array<[string, string]> }
  | { kind: 'tokenizer-json'; tokenizerJson: Record<string, unknown> };

/** Everything `ClipTokenizer` needs from a tokenizer folder. */
export interface TokenizerFiles {
  model: TokenizerModelFiles;
  /** Contents of the special tokens (defaults of transformers' `CLIPTokenizer` when unset). */
  bosToken: string;
  eosToken: string;
  padToken: string;
  unkToken: string;
  /** `added_tokens_decoder` of tokenizer_config.json (id → content), e.g. `0 → "!"` in SDXL tokenizer_2. */
  addedTokens: Array<{ id: number; content: string }>;
  modelMaxLength: number;
}

/** CLIP's text encoders have 77 positions; used when tokenizer_config.json does not say. */
const DEFAULT_MODEL_MAX_LENGTH = 77;

/**
 * transformers reads `merges.txt` as `lines[1 : 49152 - 256 - 2 + 1]`: it drops the `#version`
 * line and never uses more merges than CLIP's 49408-token vocabulary was built from.
 */
const MERGES_END_LINE = 49152 - 256 - 2 + 1;

/** A special token is a plain string or an AddedToken object (`{"content": "!", …}`); both occur. */
const tokenSpec = z.union([z.string(), z.looseObject({ content: z.string() })]).nullish();
const specialTokensSchema = z.looseObject({
  bos_token: tokenSpec,
  eos_token: tokenSpec,
  pad_token: tokenSpec,
  unk_token: tokenSpec,
});
const tokenizerConfigSchema = specialTokensSchema.extend({
  model_max_length: z.number().nullish(),
  added_tokens_decoder: z.record(z.string(), z.looseObject({ content: z.string() })).nullish(),
});

type TokenSpec = z.infer<typeof tokenSpec>;

/**
 * Reads a diffusers tokenizer folder: `vocab.json` + `merges.txt` (what every SD/SDXL folder ships,
 * and what the slow tokenizer diffusers uses reads) or else `tokenizer.json`, plus the optional
 * `special_tokens_map.json` and `tokenizer_config.json`.
 */
export async function readTokenizerFiles(dir: string): Promise<TokenizerFiles> {
  const specialTokensMap = await parseOptional(dir, 'special_tokens_map.json', specialTokensSchema);
  const config = await parseOptional(dir, 'tokenizer_config.json', tokenizerConfigSchema);
  // transformers lets special_tokens_map.json override tokenizer_config.json.
  const pick = (key: 'bos_token' | 'eos_token' | 'pad_token' | 'unk_token', fallback: string): string =>
    tokenContent(specialTokensMap[key]) ?? tokenContent(config[key]) ?? fallback;
  const maxLength = config.model_max_length;
  return {
    model: await readModelFiles(dir),
    bosToken: pick('bos_token', '<|startoftext|>'),
    eosToken: pick('eos_token', '<|endoftext|>'),
    padToken: pick('pad_token', '<|endoftext|>'),
    unkToken: pick('unk_token', '<|endoftext|>'),
    addedTokens: Object.entries(config.added_tokens_decoder ?? {}).map(([id, token]) => ({
      id: Number(id),
      content: token.content,
    })),
    // Configs without a limit store transformers' VERY_LARGE_INTEGER (1e30); the encoder still has 77.
    modelMaxLength:
      maxLength !== undefined && maxLength !== null && Number.isInteger(maxLength) && maxLength > 0 && maxLength <= 1e6
        ? maxLength
        : DEFAULT_MODEL_MAX_LENGTH,
  };
}

async function readModelFiles(dir: string): Promise<TokenizerModelFiles> {
  const vocabText = await readOptionalText(dir, 'vocab.json');
  const mergesText = await readOptionalText(dir, 'merges.txt');
  if (vocabText !== undefined && mergesText !== undefined) {
    return { kind: 'vocab-merges', vocab: parseVocab(dir, vocabText), merges: parseMerges(mergesText) };
  }
  const tokenizerJson = await readOptionalJson(dir, 'tokenizer.json');
  if (tokenizerJson !== undefined) {
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null || Array.isArray(tokenizerJson)) {
      throw new TokenizerLoadError('tokenizer-files-invalid', `${path.join(dir, 'tokenizer.json')} is not a JSON object`);
    }
    return { kind: 'tokenizer-json', tokenizerJson: tokenizerJson as Record<string, unknown> };
  }
  throw new TokenizerLoadError(
    'tokenizer-files-missing',
    `${dir} has neither vocab.json + merges.txt nor tokenizer.json`,
  );
}

function parseVocab(dir: string, text: string): Record<string, number> {
  const vocab = parseJson(path.join(dir, 'vocab.json'), text);
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) {
    throw new TokenizerLoadError('tokenizer-files-invalid', `${path.join(dir, 'vocab.json')} is not a JSON object`);
  }
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id)) {
      throw new TokenizerLoadError('tokenizer-files-invalid', `${path.join(dir, 'vocab.json')}: id of "${token}" is not an integer`);
    }
  }
  return vocab as Record<string, number>;
}

function parseMerges(text: string): Array<[string, string]> {
  const merges: Array<[string, string]> = [];
  for (const line of text.trim().split(/\r?\n/).slice(1, MERGES_END_LINE)) {
    const [first, second] = line.trim().split(/\s+/);
    if (first !== undefined && second !== undefined) merges.push([first, second]);
  }
  return merges;
}

/** An optional JSON file checked against `schema`; a missing file counts as `{}`. */
async function parseOptional<Schema extends z.ZodType>(dir: string, name: string, schema: Schema): Promise<z.infer<Schema>> {
  const parsed = schema.safeParse((await readOptionalJson(dir, name)) ?? {});
  if (!parsed.success) {
    throw new TokenizerLoadError('tokenizer-files-invalid', `${path.join(dir, name)}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

function tokenContent(spec: TokenSpec): string | undefined {
  if (spec === undefined || spec === null) return undefined;
  return typeof spec === 'string' ? spec : spec.content;
}

async function readOptionalJson(dir: string, name: string): Promise<unknown> {
  const text = await readOptionalText(dir, name);
  return text === undefined ? undefined : parseJson(path.join(dir, name), text);
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TokenizerLoadError('tokenizer-files-invalid', `${file}: ${(error as Error).message}`);
  }
}

async function readOptionalText(dir: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(dir, name), 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

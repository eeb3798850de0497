/**
 * Midjourney-style flags inside the prompt text: `a lighthouse at dusk --ar 16:9 --seed 42
 * --no people, text`. A flag starts with `--` (or `—`, which phones make of `--`) after a space
 * or at the start. `--no` takes everything up to the next flag (a negative prompt has spaces);
 * every other flag takes one word, and words after it go back into the prompt, so
 * `a cat --ar 2:3 on a sofa` still means "a cat on a sofa". `--name=value` works too.
 */
import type { ImagineOptionName } from '../generation/requests/imagine-options.ts';

/** Flag spellings → option. */
export const PROMPT_FLAGS: Readonly<Record<string, ImagineOptionName>> = {
  ar: 'aspect',
  aspect: 'aspect',
  seed: 'seed',
  no: 'negative',
  steps: 'steps',
  guidance: 'guidance',
  cfg: 'guidance',
  model: 'model',
  count: 'count',
  scheduler: 'scheduler',
  sampler: 'scheduler',
};

/** Options whose value runs to the next flag. */
const TEXT_OPTIONS: ReadonlySet<ImagineOptionName> = new Set(['negative']);

export interface PromptFlag {
  /** As typed, with its dashes normalised: `--ar`. */
  label: string;
  option: ImagineOptionName;
  value: string;
}

export interface ExtractedFlags {
  /** The prompt with the flags and their values removed. */
  prompt: string;
  flags: PromptFlag[];
  /** Flags that mean nothing to us, as typed (`--foo`). */
  unknown: string[];
}

const FLAG = /(^|\s)(?:--|—)([A-Za-z][A-Za-z0-9_-]*)(=|(?=\s|$))/g;

/** Splits prompt text into the prompt and its flags. */
export function extractFlags(text: string): ExtractedFlags {
  const matches = [...text.matchAll(FLAG)];
  const promptParts = [text.slice(0, matches[0]?.index ?? text.length)];
  const flags: PromptFlag[] = [];
  const unknown: string[] = [];
  matches.forEach((match, index) => {
    const name = (match[2] ?? '').toLowerCase();
    const label = `--${name}`;
    const valueStart = (match.index ?? 0) + match[0].length;
    const valueEnd = matches[index + 1]?.index ?? text.length;
    const rest = text.slice(valueStart, valueEnd).trim();
    const option = PROMPT_FLAGS[name];
    if (option === undefined) {
      unknown.push(label);
      return;
    }
    if (TEXT_OPTIONS.has(option)) {
      flags.push({ label, option, value: rest });
      return;
    }
    const [word = '', ...words] = rest.split(/\s+/);
    flags.push({ label, option, value: word });
    if (words.length > 0) promptParts.push(words.join(' '));
  });
  const prompt = promptParts
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ');
  return { prompt, flags, unknown };
}

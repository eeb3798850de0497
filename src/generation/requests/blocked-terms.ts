/**
 * Blocked-term matching, on the text the model will see. Text and terms go through the CLIP
 * tokenizer's own clean-up first (`cleanClipText`: control and zero-width/format characters such
 * as U+200B, the soft hyphen and U+2060 are dropped, whitespace collapsed, lower case), then
 * Unicode NFKC (so full-width letters, ligatures and other compatibility forms match their plain
 * spelling). A1111 attention markup is looked through too: `nu()de`, `nu\de` and `(nu)(de)`
 * reach the tokenizer as "nude", so they are matched as such. Terms match only as whole words:
 * a term matches where the characters around it are not letters or digits, so "ass" blocks "ass"
 * and "(ass:1.2)" but not "class" or "assistant". Underscores and punctuation separate words
 * (booru-style tags).
 */
import { cleanClipText } from '../tokenizer/clip-text-cleaner.ts';
import { parsePromptAttention } from '../tokenizer/prompt-attention.parser.ts';

/** The form text and terms are compared in: what the tokenizer keeps, folded by NFKC. */
export function normalizeForMatching(text: string): string {
  // NFKC can turn a compatibility character into spaces or a control; clean again after it.
  return cleanClipText(cleanClipText(text).normalize('NFKC'));
}

/**
 * The forms of a prompt that are searched: as typed (markup characters are word boundaries),
 * and its attention runs joined without and with a space (markup removed, as the tokenizer
 * receives them).
 */
export function matchingViews(prompt: string): string[] {
  const runs = parsePromptAttention(prompt).map((segment) => (segment.isBreak ? ' ' : segment.text));
  return [...new Set([prompt, runs.join(''), runs.join(' ')].map(normalizeForMatching))];
}

const WORD_CHARACTER = /[\p{L}\p{N}\p{M}]/u;

function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && WORD_CHARACTER.test(character);
}

export interface BlockedTermHit {
  /** The term as it was configured. */
  term: string;
  field: 'prompt' | 'negative prompt';
}

/** A set of terms, normalised once, that can be searched for in prompts. */
export class BlockedTermMatcher {
  readonly #terms: Array<{ original: string; normalized: string }>;

  constructor(terms: Iterable<string>) {
    const seen = new Set<string>();
    this.#terms = [];
    for (const original of terms) {
      const normalized = normalizeForMatching(original);
      if (normalized === '' || seen.has(normalized)) continue;
      seen.add(normalized);
      this.#terms.push({ original, normalized });
    }
  }

  /** The first term found in `text` as a whole word, or undefined. */
  find(text: string): string | undefined {
    const views = matchingViews(text);
    for (const { original, normalized } of this.#terms) {
      if (views.some((view) => containsWholeWord(view, normalized))) return original;
    }
    return undefined;
  }

  /** The first term found in the prompt, then in the negative prompt. */
  check(prompt: string, negativePrompt: string): BlockedTermHit | undefined {
    const inPrompt = this.find(prompt);
    if (inPrompt !== undefined) return { term: inPrompt, field: 'prompt' };
    const inNegative = this.find(negativePrompt);
    return inNegative === undefined ? undefined : { term: inNegative, field: 'negative prompt' };
  }
}

function containsWholeWord(haystack: string, needle: string): boolean {
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const before = at === 0 ? undefined : [...haystack.slice(Math.max(0, at - 2), at)].at(-1);
    const after = [...haystack.slice(at + needle.length, at + needle.length + 2)][0];
    // A term that itself starts/ends with punctuation only needs the boundary on its word side.
    const startsWithWord = isWordCharacter([...needle][0]);
    const endsWithWord = isWordCharacter([...needle].at(-1));
    if ((!startsWithWord || !isWordCharacter(before)) && (!endsWithWord || !isWordCharacter(after))) return true;
  }
  return false;
}

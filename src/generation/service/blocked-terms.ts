/**
 * Blocked-term matching. Text and terms are compared after Unicode NFKC normalisation (so
 * full-width letters, ligatures and other compatibility forms match their plain spelling),
 * lower-casing and collapsing whitespace, and only as whole words: a term matches where the
 * characters around it are not letters or digits, so "ass" blocks "ass" and "(ass:1.2)" but not
 * "class" or "assistant". Underscores and punctuation separate words (booru-style tags).
 */

/** The form text and terms are compared in. */
export function normalizeForMatching(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
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
    const haystack = normalizeForMatching(text);
    for (const { original, normalized } of this.#terms) {
      if (containsWholeWord(haystack, normalized)) return original;
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

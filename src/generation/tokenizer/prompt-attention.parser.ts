/**
 * AUTOMATIC1111's attention syntax (`modules/prompt_parser.py` parse_prompt_attention), so prompts
 * copied from A1111 / civitai weigh the same here:
 *   `(abc)` ×1.1 · `((abc))` ×1.21 · `(abc:1.3)` ×1.3 · `[abc]` ÷1.1 ·
 *   `\(` `\)` `\[` `\]` `\\` literal characters · `BREAK` starts a new 75-token chunk.
 * Unbalanced brackets behave as in A1111: an unclosed `(` or `[` applies to the end of the prompt,
 * a stray `)` or `]` is plain text.
 */

/** A run of prompt text and its attention weight, or a BREAK between chunks. */
export interface PromptSegment {
  text: string;
  weight: number;
  /** True for a `BREAK` keyword (text "BREAK", weight 1): the tokens after it start a new chunk. */
  isBreak: boolean;
}

const ROUND_BRACKET_MULTIPLIER = 1.1;
const SQUARE_BRACKET_MULTIPLIER = 1 / 1.1;

/**
 * A1111's `re_attention`, in its current form that allows spaces around the number in `(x: 1.2 )`.
 * One deliberate difference: the number must be a valid float, so `(x:1.2.3)` reads as text plus a
 * ×1.1 bracket instead of failing the whole generation as Python's `float("1.2.3")` does.
 */
const ATTENTION_TOKEN =
  /\\\(|\\\)|\\\[|\\\]|\\\\|\\|\(|\[|:\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*\)|\)|\]|[^\\()[\]:]+|:/g;

/** A1111's `re_break`: the word BREAK (upper case) with the whitespace around it. */
const BREAK_KEYWORD = /\s*\bBREAK\b\s*/;

/**
 * Splits a prompt into runs of text with their weights, merging neighbouring runs of equal weight.
 * Gives the same texts and weights as A1111 for every example of its docstring; BREAK is marked by
 * `isBreak` rather than A1111's weight -1, which brackets around it would otherwise change.
 */
export function parsePromptAttention(prompt: string): PromptSegment[] {
  const segments: PromptSegment[] = [];
  const roundBrackets: number[] = [];
  const squareBrackets: number[] = [];
  const multiplyFrom = (start: number, multiplier: number): void => {
    for (let index = start; index < segments.length; index++) {
      const segment = segments[index];
      if (segment !== undefined && !segment.isBreak) segment.weight *= multiplier;
    }
  };

  for (const match of prompt.matchAll(ATTENTION_TOKEN)) {
    const token = match[0];
    const weight = match[1];
    if (token.startsWith('\\')) {
      segments.push({ text: token.slice(1), weight: 1, isBreak: false });
    } else if (token === '(') {
      roundBrackets.push(segments.length);
    } else if (token === '[') {
      squareBrackets.push(segments.length);
    } else if (weight !== undefined && roundBrackets.length > 0) {
      multiplyFrom(roundBrackets.pop() ?? 0, Number(weight));
    } else if (token === ')' && roundBrackets.length > 0) {
      multiplyFrom(roundBrackets.pop() ?? 0, ROUND_BRACKET_MULTIPLIER);
    } else if (token === ']' && squareBrackets.length > 0) {
      multiplyFrom(squareBrackets.pop() ?? 0, SQUARE_BRACKET_MULTIPLIER);
    } else {
      token.split(BREAK_KEYWORD).forEach((part, index) => {
        if (index > 0) segments.push({ text: 'BREAK', weight: 1, isBreak: true });
        segments.push({ text: part, weight: 1, isBreak: false });
      });
    }
  }
  // Unclosed brackets apply to the end, in the order they were opened (as A1111 does).
  for (const start of roundBrackets) multiplyFrom(start, ROUND_BRACKET_MULTIPLIER);
  for (const start of squareBrackets) multiplyFrom(start, SQUARE_BRACKET_MULTIPLIER);

  if (segments.length === 0) return [{ text: '', weight: 1, isBreak: false }];
  return mergeEqualWeights(segments);
}

/** Joins neighbouring text runs whose weights are exactly equal (A1111's final pass). */
function mergeEqualWeights(segments: PromptSegment[]): PromptSegment[] {
  const merged: PromptSegment[] = [];
  for (const segment of segments) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && !previous.isBreak && !segment.isBreak && previous.weight === segment.weight) {
      previous.text += segment.text;
    } else {
      merged.push({ ...segment });
    }
  }
  return merged;
}

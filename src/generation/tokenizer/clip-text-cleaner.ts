/**
 * Text clean-up done by Hugging Face's slow `CLIPTokenizer` (the class diffusers loads) before BPE
 * when `ftfy` is not installed: it runs BERT's `BasicTokenizer(strip_accents=False,
 * do_split_on_punc=False)` and joins the words with single spaces. Reproduced here step by step so
 * a prompt gives the same ids as in diffusers, including the cases a fast tokenizer.json treats
 * differently (control and zero-width characters dropped, CJK ideographs split one per word).
 */

/** Tab, newline, carriage return and space separators (`_is_whitespace`) become a plain space. */
const WHITESPACE = /[\t\n\r\p{Zs}]/gu;

/**
 * NUL, U+FFFD and every "other" character (`_is_control`: categories Cc, Cf, Cn, Co, Cs; tab,
 * newline and return were turned into spaces first) are dropped. This removes zero-width joiners,
 * so an emoji ZWJ sequence is tokenized as its separate emoji.
 */
const DROPPED = /[\0\uFFFD\p{C}]/gu;

/** The CJK ideograph blocks of `_is_chinese_char`; each such character becomes its own word. */
const CJK_IDEOGRAPH =
  /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;

/** Prompts made only of printable ASCII skip the Unicode passes (the common case, kept cheap). */
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

/**
 * Cleans text the way the slow CLIP tokenizer does: whitespace and control characters, CJK
 * spacing, NFC, lower case, words joined by one space, no leading or trailing space.
 * Accents are kept (`strip_accents=False`) and HTML entities are left alone, as in transformers.
 */
export function cleanClipText(text: string): string {
  let cleaned = text;
  if (!PRINTABLE_ASCII.test(text)) {
    cleaned = text
      .replace(WHITESPACE, ' ')
      .replace(DROPPED, '')
      .replace(CJK_IDEOGRAPH, ' $& ')
      .normalize('NFC');
  }
  // Python's str.split() also splits on U+2028/U+2029, which survive the passes above; \s does too.
  return cleaned
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .join(' ')
    .toLowerCase();
}

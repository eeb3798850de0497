/**
 * Text a person typed that Darkroom stores or echoes back (prompts, negative prompts, /settings
 * values, blocked terms, reasons), made safe before anything is stored:
 *
 * - Control characters (C0 and C1, DEL; so also the ESC that starts a terminal escape) other
 *   than tab, newline and carriage return, and broken UTF-16 (a lone surrogate), are refused with
 *   an `invalid_option` refusal naming the field. PostgreSQL cannot store NUL in text, and none of
 *   them is typed on purpose.
 * - Invisible format characters (Unicode category Cf: zero-width space and joiners, soft hyphen,
 *   word joiner, byte-order mark, bidirectional overrides such as U+202E…) are removed. The CLIP
 *   tokenizer drops them anyway (see `cleanClipText`), so the picture is the same; removing them
 *   first means a blocked term cannot hide behind them and an echoed prompt cannot reorder the
 *   text around it in chat.
 *
 * A prompt with nothing visible left (only spaces, format characters, combining marks or blank
 * "filler" letters such as U+3164) counts as missing.
 */
import type { ImagineOptions, OptionText } from './imagine-options.ts';
import { refuse, type Refusal } from './refusal.ts';

/** C0 and C1 controls and DEL, except tab (U+0009), newline (U+000A) and carriage return (U+000D). */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;
/** Half of a surrogate pair without its other half (no `u` flag: it must see the halves). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_GLOBAL = new RegExp(LONE_SURROGATE.source, 'g');
/** Invisible format characters (removed). */
const FORMAT = /\p{Cf}/gu;
/** Letters that render as nothing (Hangul fillers, braille blank), used to fake "empty" text. */
const BLANK_LETTERS = /[\u115F\u1160\u3164\uFFA0\u2800]/gu;
/** Something a reader can see: a letter, digit, punctuation mark or symbol. */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Text as stored, or the refusal that names the field. */
export type SafeText = { ok: true; text: string } | Refusal<'invalid_option'>;

/** `U+001B` */
function codePointLabel(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Refuses control characters and broken characters, removes invisible format characters.
 * `field` is how the person named the field (`prompt`, `--no`, `term`, `reason`).
 */
export function safeText(field: string, text: string): SafeText {
  const control = CONTROL.exec(text);
  if (control !== null) return refuse('invalid_option', { problem: 'characters', option: field, character: codePointLabel(control[0]) });
  const broken = LONE_SURROGATE.exec(text);
  if (broken !== null) return refuse('invalid_option', { problem: 'characters', option: field, character: codePointLabel(broken[0]) });
  return { ok: true, text: text.replace(FORMAT, '') };
}

/** True when the text shows something (see the module comment); `safeText` output expected. */
export function hasVisibleText(text: string): boolean {
  return VISIBLE.test(text.replace(BLANK_LETTERS, ''));
}

/** {@link safeText} for optional text (reasons): undefined stays undefined. */
export function safeOptionalText(field: string, text: string | undefined): { ok: true; text: string | undefined } | Refusal<'invalid_option'> {
  return text === undefined ? { ok: true, text: undefined } : safeText(field, text);
}

/**
 * /imagine options made safe: the prompt and every option value through {@link safeText}; a
 * prompt or negative prompt with nothing visible left is refused as missing.
 */
export function safeImagineOptions(options: ImagineOptions): { ok: true; options: ImagineOptions } | Refusal<'invalid_option'> {
  const prompt = safeText('prompt', options.prompt);
  if (!prompt.ok) return prompt;
  if (!hasVisibleText(prompt.text)) return refuse('invalid_option', { problem: 'missing', option: 'prompt', expected: 'describe the picture you want' });
  const values = safeOptionValues(options.values);
  return values.ok ? { ok: true, options: { prompt: prompt.text, values: values.values } } : values;
}

/** Option values (/imagine options, /settings changes) made safe, each named as the person named it. */
export function safeOptionValues<N extends string>(values: Partial<Record<N, OptionText>>): { ok: true; values: Partial<Record<N, OptionText>> } | Refusal<'invalid_option'> {
  const safe: Partial<Record<N, OptionText>> = {};
  for (const [name, value] of Object.entries(values) as Array<[N, OptionText | undefined]>) {
    if (value === undefined) continue;
    const text = safeText(value.label, value.text);
    if (!text.ok) return text;
    if (name === 'negative' && value.text.trim() !== '' && !hasVisibleText(text.text)) {
      return refuse('invalid_option', { problem: 'missing', option: value.label, expected: 'the things to leave out of the picture' });
    }
    safe[name] = { label: value.label, text: text.text };
  }
  return { ok: true, values: safe };
}

/**
 * A name the platform gave (display name, workspace name) as stored and shown: control and
 * invisible format characters removed (no NUL for PostgreSQL, no right-to-left override in chat),
 * `fallback` (the platform id) when nothing visible is left.
 */
export function plainName(name: string, fallback: string): string {
  const plain = name.replace(/\p{Cc}|\p{Cf}/gu, '').replace(LONE_SURROGATE_GLOBAL, '').trim();
  return hasVisibleText(plain) ? plain : fallback;
}

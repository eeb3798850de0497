/**
 * The options of /imagine as a person gave them (text, with the name they used), and the rules
 * that turn each into a value or an `invalid_option` refusal naming the option and what it
 * accepts. Platform adapters and the prompt-flag parser produce {@link ImagineOptions}; the
 * service validates them here, where the limits are known.
 */
import type { SchedulerName } from '../engine.types.ts';
import { SCHEDULER_NAMES } from '../engine.types.ts';
import { MAX_ASPECT, parseAspect, type AspectRatio } from './aspect-size.ts';
import { refuse, type Refusal } from './refusal.ts';
import { parseSchedulerName } from './scheduler-names.ts';

export const IMAGINE_OPTIONS = ['negative', 'aspect', 'seed', 'steps', 'guidance', 'model', 'count', 'scheduler'] as const;
export type ImagineOptionName = (typeof IMAGINE_OPTIONS)[number];

/** One option as given: `label` is how the person named it (`--ar`, `--cfg`, `steps`). */
export interface OptionText {
  label: string;
  text: string;
}

/** A request as typed: the prompt (flags removed) and the options that were given. */
export interface ImagineOptions {
  prompt: string;
  values: Partial<Record<ImagineOptionName, OptionText>>;
}

/** Largest seed (unsigned 32-bit, like A1111 and diffusers); the stored rows check the same one. */
export { MAX_SEED } from '../../db/domain.types.ts';
/** Classifier-free guidance above this burns images; 30 is A1111's slider maximum. */
export const MAX_GUIDANCE = 30;
/** Characters in a prompt (CLIP reads 75 tokens per chunk; this allows many chunks). */
export const MAX_PROMPT_LENGTH = 2000;

export type OptionResult<T> = { ok: true; value: T } | Refusal<'invalid_option'>;

function invalid(option: OptionText, expected: string): Refusal<'invalid_option'> {
  if (option.text.trim() === '') return refuse('invalid_option', { problem: 'missing', option: option.label, expected });
  return refuse('invalid_option', { problem: 'value', option: option.label, value: option.text, expected });
}

/** A whole number in [minimum, maximum]. */
export function readWholeNumber(option: OptionText, minimum: number, maximum: number): OptionResult<number> {
  const text = option.text.trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < minimum || value > maximum) {
    return invalid(option, `a whole number from ${minimum} to ${maximum}`);
  }
  return { ok: true, value };
}

/** A decimal number in [minimum, maximum]. */
export function readDecimal(option: OptionText, minimum: number, maximum: number): OptionResult<number> {
  const text = option.text.trim();
  const value = Number(text);
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(text) || value < minimum || value > maximum) {
    return invalid(option, `a number from ${minimum} to ${maximum}`);
  }
  return { ok: true, value };
}

/** An aspect ratio between 1:4 and 4:1. */
export function readAspect(option: OptionText): OptionResult<AspectRatio> {
  const aspect = parseAspect(option.text);
  if (aspect === undefined || aspect.ratio > MAX_ASPECT || aspect.ratio < 1 / MAX_ASPECT) {
    return invalid(option, `a ratio like 16:9 or 2:3, between 1:${MAX_ASPECT} and ${MAX_ASPECT}:1`);
  }
  return { ok: true, value: aspect };
}

export function readScheduler(option: OptionText): OptionResult<SchedulerName> {
  const name = parseSchedulerName(option.text);
  if (name === undefined) return invalid(option, `one of ${SCHEDULER_NAMES.join(', ')}`);
  return { ok: true, value: name };
}

/** Free text (negative prompt): trimmed, at most {@link MAX_PROMPT_LENGTH} characters. */
export function readText(option: OptionText): OptionResult<string> {
  const text = option.text.trim();
  if (text === '') return invalid(option, 'the things to leave out of the picture');
  if (text.length > MAX_PROMPT_LENGTH) return invalid(option, `at most ${MAX_PROMPT_LENGTH} characters long`);
  return { ok: true, value: text };
}

/**
 * /imagine as every platform delivers it: slash-command options (Discord) and/or flags typed in
 * the prompt (Discord and Slack). The result is the options as text, named the way the person
 * named them; the service validates them against the limits that apply to that person.
 * When an option is given both ways, the slash-command option wins and a warning says so.
 */
import { IMAGINE_OPTIONS, type ImagineOptionName, type ImagineOptions, type OptionText } from '../generation/requests/imagine-options.ts';
import { refuse, type Refusable } from '../generation/requests/refusal.ts';
import { PROMPT_FLAGS, extractFlags } from './prompt-flags.parser.ts';

/** Slash-command options; numbers may arrive typed (Discord) or as text. undefined = not given. */
export type SlashImagineOptions = { prompt: string } & { [K in ImagineOptionName]: string | number | undefined };

/** Every flag spelling, for "unknown option" messages. */
export const KNOWN_FLAGS: readonly string[] = Object.keys(PROMPT_FLAGS).map((name) => `--${name}`);

/** Slash options with nothing set but the prompt (Slack, tests). */
export function promptOnly(prompt: string): SlashImagineOptions {
  const empty = Object.fromEntries(IMAGINE_OPTIONS.map((name) => [name, undefined])) as { [K in ImagineOptionName]: undefined };
  return { prompt, ...empty };
}

/** Parses an /imagine request; unknown flags are refused, naming the flag and the known ones. */
export function parseImagineRequest(slash: SlashImagineOptions): Refusable<{ options: ImagineOptions; warnings: string[] }> {
  const extracted = extractFlags(slash.prompt);
  const [unknown] = extracted.unknown;
  if (unknown !== undefined) return refuse('invalid_option', { problem: 'unknown', option: unknown, known: KNOWN_FLAGS });

  const warnings: string[] = [];
  const values: Partial<Record<ImagineOptionName, OptionText>> = {};
  // One warning per option however often it repeats (a pasted prompt can hold thousands of flags).
  const given = new Map<ImagineOptionName, { label: string; times: number }>();
  for (const flag of extracted.flags) {
    const seen = given.get(flag.option);
    given.set(flag.option, { label: seen?.label ?? flag.label, times: (seen?.times ?? 0) + 1 });
    values[flag.option] = { label: flag.label, text: flag.value };
  }
  for (const [option, { label, times }] of given) {
    if (times > 1) warnings.push(`${label} was given ${times === 2 ? 'twice' : `${times} times`}; using the last one (${values[option]?.text ?? ''}).`);
  }
  for (const name of IMAGINE_OPTIONS) {
    const value = slash[name];
    if (value === undefined) continue;
    const flag = values[name];
    if (flag !== undefined) warnings.push(`${flag.label} in the prompt was ignored: the ${name} option says ${value}.`);
    values[name] = { label: name, text: String(value) };
  }
  return { ok: true, options: { prompt: extracted.prompt, values }, warnings };
}

import { describe, expect, it } from 'vitest';
import { slashCommands, type SlashCommandJson } from '../../../src/bots/discord/slash-commands.ts';
import { SCHEDULER_NAMES } from '../../../src/generation/engine.types.ts';
import { IMAGINE_OPTIONS } from '../../../src/generation/requests/index.ts';

type Option = { type: number; name: string; description: string; required?: boolean; choices?: unknown[]; options?: Option[]; autocomplete?: boolean };

/** Discord's documented limits for application commands. */
function problems(command: SlashCommandJson): string[] {
  const found: string[] = [];
  const check = (options: Option[] | undefined, where: string) => {
    if (options === undefined) return;
    if (options.length > 25) found.push(`${where}: more than 25 options`);
    let optionalSeen = false;
    for (const option of options) {
      if (!/^[-_\p{Ll}\p{N}]{1,32}$/u.test(option.name)) found.push(`${where} ${option.name}: bad name`);
      if (option.description.length < 1 || option.description.length > 100) found.push(`${where} ${option.name}: description length`);
      if ((option.choices?.length ?? 0) > 25) found.push(`${where} ${option.name}: more than 25 choices`);
      if (option.choices !== undefined && option.autocomplete === true) found.push(`${where} ${option.name}: choices and autocomplete`);
      if (option.required === true && optionalSeen) found.push(`${where} ${option.name}: required after optional`);
      if (option.required !== true && option.type > 2) optionalSeen = true;
      check(option.options, `${where} ${option.name}`);
    }
  };
  if (!/^[-_\p{Ll}\p{N}]{1,32}$/u.test(command.name)) found.push(`${command.name}: bad name`);
  if (command.description.length > 100) found.push(`${command.name}: description too long`);
  check(command.options as Option[] | undefined, `/${command.name}`);
  return found;
}

describe('slash commands', () => {
  const commands = slashCommands({ allowDMs: false });

  it('stay within Discord’s limits', () => {
    expect(commands.flatMap(problems)).toEqual([]);
  });

  it('give /imagine every option the command layer knows, with the model left to autocomplete', () => {
    const imagine = commands.find((command) => command.name === 'imagine');
    const options = (imagine?.options ?? []) as Option[];
    expect(options.map((option) => option.name).sort()).toEqual(['prompt', ...IMAGINE_OPTIONS].sort());
    expect(options.find((option) => option.name === 'model')?.autocomplete).toBe(true);
    expect(options.find((option) => option.name === 'aspect')?.choices).toHaveLength(7);
  });

  it('offer every scheduler of the registry, Karras variants included, in /imagine and /settings', () => {
    const choicesOf = (command: string) =>
      ((commands.find((each) => each.name === command)?.options ?? []) as Option[]).find((option) => option.name === 'scheduler')?.choices as
        | Array<{ name: string; value: string }>
        | undefined;
    const imagine = choicesOf('imagine') ?? [];
    expect(imagine.map((choice) => choice.value)).toEqual([...SCHEDULER_NAMES]);
    expect(imagine).toContainEqual({ name: 'DPM++ 2M Karras', value: 'dpmpp-2m-karras' });
    expect(imagine).toContainEqual({ name: 'LMS Karras', value: 'lms-karras' });
    expect(choicesOf('settings')?.map((choice) => choice.value)).toEqual([...SCHEDULER_NAMES, 'default']);
  });

  it('hide moderator commands behind Manage Messages and keep them out of DMs', () => {
    const moderated = commands.filter((command) => command.default_member_permissions !== undefined);
    expect(moderated.map((command) => command.name).sort()).toEqual(['ban', 'blocklist', 'history', 'unban', 'usage']);
    expect(moderated.every((command) => command.default_member_permissions === 1 << 13 && JSON.stringify(command.contexts) === '[0]')).toBe(true);
  });

  it('offer the everyday commands in DMs only when allowed', () => {
    const contexts = (allowDMs: boolean) => slashCommands({ allowDMs }).find((command) => command.name === 'imagine')?.contexts;
    expect(contexts(false)).toEqual([0]);
    expect(contexts(true)).toEqual([0, 1]);
  });
});

/**
 * `/darkroom <subcommand> …` as typed in Slack, into a platform-free {@link ChatCommand}.
 * Slack has one text field per slash command, so options are words: people and channels are
 * mentions, which Slack sends escaped (`<@U024BE7LH|bob>`, `<#C024BE7LR|general>`) because the
 * manifest sets `should_escape`; bare ids work too. Mistakes come back as refusals that say
 * what was expected.
 */
import { KNOWN_FLAGS, PROMPT_FLAGS, extractFlags, refuse, type ChatCommand, type Refusal } from '../../commands/index.ts';
import type { OptionText, SettingName } from '../../generation/requests/index.ts';

export type DarkroomRequest =
  | { kind: 'command'; command: ChatCommand }
  | { kind: 'help' }
  | { kind: 'refusal'; refusal: Refusal };

/** Days a usage summary covers when none are given. */
export const DEFAULT_USAGE_DAYS = 7;
const MAX_DAYS = 3650;

const USER_MENTION = /^<@([UW][A-Z0-9]{2,})(?:\|([^>]*))?>$|^([UW][A-Z0-9]{6,})$/;
const CHANNEL_MENTION = /^<#([CGD][A-Z0-9]{2,})(?:\|([^>]*))?>$|^([CGD][A-Z0-9]{6,})$/;
const GENERATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The words of `/darkroom help`. */
export const DARKROOM_HELP = [
  '**Darkroom** develops photos from text.',
  '`/imagine <prompt> [--ar 16:9] [--seed 42] [--no <things>] [--steps 30] [--guidance 6] [--model <name>] [--count 4]`',
  '`/darkroom settings [--ar 3:2 --steps 20 …]` your defaults (`--steps default` clears one)',
  '`/darkroom show <id>` posts a past result again · `/darkroom queue` your jobs and their places',
  'Moderators: `/darkroom history [@person] [#channel] [days]` · `usage [@person] [days]` · `ban @person [--global] <reason>` · `unban @person [--global]` · `blocklist add|remove <term>` · `blocklist list`',
  'On a result: 🔄 reroll · ⬆️ upscale · 🔀 vary · ❌ delete (buttons, or react on the result or on one image).',
].join('\n');

const missing = (option: string, expected: string): DarkroomRequest => ({ kind: 'refusal', refusal: refuse('invalid_option', { problem: 'missing', option, expected }) });
const badValue = (option: string, value: string, expected: string): DarkroomRequest => ({
  kind: 'refusal',
  refusal: refuse('invalid_option', { problem: 'value', option, value, expected }),
});

function userOf(word: string): { platform: 'slack'; externalId: string; displayName: string } | undefined {
  const match = USER_MENTION.exec(word);
  if (match === null) return undefined;
  const id = (match[1] ?? match[3]) as string;
  return { platform: 'slack', externalId: id, displayName: match[2] || id };
}

function channelOf(word: string): string | undefined {
  const match = CHANNEL_MENTION.exec(word);
  return match === null ? undefined : (match[1] ?? match[3]);
}

function daysOf(word: string): number | undefined {
  if (!/^\d{1,5}$/.test(word)) return undefined;
  const days = Number(word);
  return days >= 1 && days <= MAX_DAYS ? days : undefined;
}

/** Parses the text after `/darkroom`. */
export function parseDarkroomCommand(text: string): DarkroomRequest {
  const trimmed = text.trim();
  const [first = '', ...words] = trimmed.split(/\s+/);
  const rest = trimmed.slice(first.length).trim();
  switch (first.toLowerCase()) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'queue':
      return { kind: 'command', command: { name: 'queue' } };
    case 'settings':
      return settings(rest);
    case 'show': {
      const id = words[0];
      if (id === undefined) return missing('id', 'the id of a result (shown in /darkroom history)');
      if (!GENERATION_ID.test(id)) return badValue('id', id, 'the id of a result (letters, digits, - and _)');
      return { kind: 'command', command: { name: 'show', generationId: id } };
    }
    case 'history':
      return history(words);
    case 'usage':
      return usage(words);
    case 'ban':
    case 'unban': {
      const target = words[0] === undefined ? undefined : userOf(words[0]);
      if (target === undefined) return missing('person', `@someone to ${first.toLowerCase()} (type @ and pick them, so Slack makes it a mention)`);
      // `ban @person --global <reason>`: everywhere (admins), as `blocklist add --global`.
      const global = words[1] === '--global';
      const reason = words.slice(global ? 2 : 1).join(' ').trim();
      const scope = global ? 'global' : 'workspace';
      return { kind: 'command', command: { name: first.toLowerCase() as 'ban' | 'unban', target, scope, reason: reason === '' ? undefined : reason } };
    }
    case 'blocklist':
      return blocklist(words);
    default:
      return {
        kind: 'refusal',
        refusal: refuse('invalid_option', {
          problem: 'unknown',
          option: first,
          known: ['settings', 'show', 'queue', 'history', 'usage', 'ban', 'unban', 'blocklist', 'help'],
        }),
      };
  }
}

function settings(rest: string): DarkroomRequest {
  const extracted = extractFlags(rest);
  const known = KNOWN_FLAGS.filter((flag) => PROMPT_FLAGS[flag.slice(2)] !== 'seed');
  const [unknown] = extracted.unknown;
  if (unknown !== undefined) return { kind: 'refusal', refusal: refuse('invalid_option', { problem: 'unknown', option: unknown, known }) };
  if (extracted.prompt !== '') return badValue('settings', extracted.prompt, 'flags such as `--steps 20 --ar 3:2`');
  const changes: Partial<Record<SettingName, OptionText>> = {};
  for (const flag of extracted.flags) {
    if (flag.option === 'seed') return { kind: 'refusal', refusal: refuse('invalid_option', { problem: 'unknown', option: flag.label, known }) };
    changes[flag.option] = { label: flag.label, text: flag.value };
  }
  return { kind: 'command', command: { name: 'settings', changes } };
}

function history(words: readonly string[]): DarkroomRequest {
  let user: ReturnType<typeof userOf>;
  let channelId: string | undefined;
  let days: number | undefined;
  for (const word of words) {
    const person = userOf(word);
    const channel = channelOf(word);
    const count = daysOf(word);
    if (person !== undefined) user = person;
    else if (channel !== undefined) channelId = channel;
    else if (count !== undefined) days = count;
    else return badValue('history', word, `an @person, a #channel and/or a number of days from 1 to ${MAX_DAYS}`);
  }
  return { kind: 'command', command: { name: 'history', user, channelId, statuses: undefined, cursor: undefined, days } };
}

function usage(words: readonly string[]): DarkroomRequest {
  let user: ReturnType<typeof userOf>;
  let days = DEFAULT_USAGE_DAYS;
  for (const word of words) {
    const person = userOf(word);
    const count = daysOf(word);
    if (person !== undefined) user = person;
    else if (count !== undefined) days = count;
    else return badValue('usage', word, `an @person and/or a number of days from 1 to ${MAX_DAYS}`);
  }
  return { kind: 'command', command: { name: 'usage', user, days } };
}

function blocklist(words: readonly string[]): DarkroomRequest {
  const [action = '', ...termWords] = words;
  const verb = action.toLowerCase();
  if (verb === 'list') return { kind: 'command', command: { name: 'blocklist', action: 'list' } };
  if (verb !== 'add' && verb !== 'remove') return missing('blocklist', '`add <term>`, `remove <term>` or `list`');
  const global = termWords[0] === '--global';
  const term = (global ? termWords.slice(1) : termWords).join(' ').trim();
  if (term === '') return missing('term', `the word or phrase to ${verb === 'add' ? 'block' : 'unblock'}`);
  return { kind: 'command', command: { name: 'blocklist', action: verb, term, scope: global ? 'global' : 'workspace', reason: undefined } };
}

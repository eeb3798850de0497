/**
 * Native interactions → platform-free {@link ChatCommand}s. Slash options arrive typed (numbers
 * as numbers); everything is handed on as the person gave it, and the command layer validates.
 * Component ids are the command layer's button targets (commands/button-ids.ts: job buttons,
 * history paging, image pickers), so they work on messages from before a restart.
 */
import type { ChatInputCommandInteraction, User } from 'discord.js';
import { commandForButton, parseButtonId, type ChatCommand, type HistoryPage, type JobAction } from '../../commands/index.ts';
import { SETTING_NAMES, type OptionText, type SettingName } from '../../generation/requests/index.ts';
import type { ChatIdentity } from '../../generation/requests/request.types.ts';
import { identityOf } from './request-context.ts';

/** /usage without `days`. */
export const DEFAULT_USAGE_DAYS = 7;

/** Commands whose answer everyone in the channel sees (deferred publicly). */
export const PUBLIC_COMMANDS: ReadonlySet<string> = new Set(['imagine', 'show']);

function person(user: User | null): ChatIdentity | undefined {
  return user === null ? undefined : identityOf(user, undefined);
}

/** The command of a slash interaction; undefined for a command this version does not know. */
export function slashCommand(interaction: ChatInputCommandInteraction): ChatCommand | undefined {
  const options = interaction.options;
  const string = (name: string) => options.getString(name) ?? undefined;
  const number = (name: string) => options.getNumber(name) ?? options.getInteger(name) ?? undefined;
  switch (interaction.commandName) {
    case 'imagine':
      return {
        name: 'imagine',
        options: {
          prompt: options.getString('prompt', true),
          negative: string('negative'),
          aspect: string('aspect'),
          seed: options.getInteger('seed') ?? undefined,
          steps: options.getInteger('steps') ?? undefined,
          guidance: number('guidance'),
          model: string('model'),
          count: options.getInteger('count') ?? undefined,
          scheduler: string('scheduler'),
        },
      };
    case 'settings': {
      const changes: Partial<Record<SettingName, OptionText>> = {};
      for (const name of SETTING_NAMES) {
        const value = string(name);
        if (value !== undefined) changes[name] = { label: name, text: value };
      }
      return { name: 'settings', changes };
    }
    case 'show':
      return { name: 'show', generationId: options.getString('id', true).trim() };
    case 'queue':
      return { name: 'queue' };
    case 'history':
      return {
        name: 'history',
        user: person(options.getUser('user')),
        channelId: options.getChannel('channel')?.id,
        statuses: undefined,
        cursor: undefined,
        days: options.getInteger('days') ?? undefined,
      };
    case 'usage':
      return { name: 'usage', user: undefined, days: options.getInteger('days') ?? DEFAULT_USAGE_DAYS };
    case 'ban':
    case 'unban': {
      const target = person(options.getUser('user', true));
      if (target === undefined) return undefined;
      return { name: interaction.commandName, target, scope: string('scope') === 'global' ? 'global' : 'workspace', reason: string('reason') };
    }
    case 'blocklist': {
      const action = options.getSubcommand(true);
      if (action === 'list') return { name: 'blocklist', action: 'list' };
      if (action !== 'add' && action !== 'remove') return undefined;
      const scope = string('scope') === 'global' ? 'global' : 'workspace';
      return { name: 'blocklist', action, term: options.getString('term', true), scope, reason: string('reason') };
    }
    default:
      return undefined;
  }
}

/** What a pressed component stands for. */
export type ComponentCommand =
  | { kind: 'job'; command: ChatCommand; action: JobAction }
  | ({ kind: 'history-next' } & HistoryPage)
  | { kind: 'history-back'; userExternalId: string | undefined };

/** A pressed button or picked image (`values`: a select menu's picks) as a command; undefined for an id that is not ours. */
export function componentCommand(customId: string, values: readonly string[]): ComponentCommand | undefined {
  const target = parseButtonId(customId);
  if (target === undefined) return undefined;
  switch (target.action) {
    case 'history-next':
      return { kind: 'history-next', cursor: target.cursor, userExternalId: target.userExternalId };
    case 'history-back':
      return { kind: 'history-back', userExternalId: target.userExternalId };
    case 'pick': {
      const index = Number(values[0]);
      if (!Number.isInteger(index) || index < 0 || index > 3) return undefined;
      return { kind: 'job', command: commandForButton({ action: target.pick, generationId: target.generationId, imageIndex: index }), action: target.pick };
    }
    case 'pick-region': {
      // Vary (Region)'s multi-select: the picked grid cells.
      const cells = [...new Set(values.map(Number))].sort((a, b) => a - b);
      if (cells.length === 0 || cells.some((cell) => !Number.isInteger(cell) || cell < 1 || cell > 9)) return undefined;
      const command: ChatCommand = { name: 'edit', generationId: target.generationId, imageIndex: target.imageIndex, edit: { kind: 'region', cells } };
      return { kind: 'job', command, action: 'region-cell' };
    }
    default:
      return { kind: 'job', command: commandForButton(target), action: target.action };
  }
}

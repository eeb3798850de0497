/**
 * Native interactions → platform-free {@link ChatCommand}s. Slash options arrive typed (numbers
 * as numbers); everything is handed on as the person gave it, and the command layer validates.
 * Component ids carry only an action and ids (see button-ids.ts, the history buttons, and the
 * image pickers below), so they work on messages from before a restart.
 */
import type { ChatInputCommandInteraction, User } from 'discord.js';
import { commandForButton, parseButtonId, parseHistoryButtonId, type ButtonAction, type ChatCommand, type Reply } from '../../commands/index.ts';
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

/** Select menu that picks one image of a grid for a reaction: `pick-upscale:<generationId>`. */
const PICKER = /^pick-(upscale|vary):([A-Za-z0-9_-]{1,64})$/;

export function formatPickerId(action: 'upscale' | 'vary', generationId: string): string {
  return `pick-${action}:${generationId}`;
}

/** Previous page of a history listing: `history-back[:<user>]` (the page stack is kept per message). */
const HISTORY_BACK = /^history-back(?::([A-Za-z0-9_.-]{1,40}))?$/;

export function formatHistoryBackId(userExternalId: string | undefined): string {
  return userExternalId === undefined ? 'history-back' : `history-back:${userExternalId}`;
}

/** What a pressed component stands for. */
export type ComponentCommand =
  | { kind: 'job'; command: ChatCommand; action: ButtonAction }
  | { kind: 'history-next'; cursor: string; userExternalId: string | undefined }
  | { kind: 'history-back'; userExternalId: string | undefined };

export function componentCommand(customId: string, values: readonly string[]): ComponentCommand | undefined {
  const button = parseButtonId(customId);
  if (button !== undefined) return { kind: 'job', command: commandForButton(button), action: button.action };
  const picker = PICKER.exec(customId);
  if (picker !== null) {
    const index = Number(values[0]);
    if (!Number.isInteger(index) || index < 0 || index > 3) return undefined;
    const action = picker[1] as 'upscale' | 'vary';
    return { kind: 'job', command: commandForButton({ action, generationId: picker[2] as string, imageIndex: index }), action };
  }
  const history = parseHistoryButtonId(customId);
  if (history !== undefined) return { kind: 'history-next', cursor: customId.split(':')[1] ?? '', userExternalId: history.userExternalId };
  const back = HISTORY_BACK.exec(customId);
  if (back !== null) return { kind: 'history-back', userExternalId: back[1] };
  return undefined;
}

/** The job an answer accepted: the one its Cancel button cancels. */
export function acceptedJobId(reply: Reply): string | undefined {
  if (reply.refusal !== undefined || reply.visibility !== 'public') return undefined;
  for (const button of reply.buttons.flat()) {
    const target = parseButtonId(button.id);
    if (target?.action === 'cancel') return target.generationId;
  }
  return undefined;
}

/**
 * Native interactions → platform-free {@link ChatCommand}s. Slash options arrive typed (numbers
 * as numbers); everything is handed on as the person gave it, and the command layer validates.
 * Component ids are the command layer's button targets (commands/button-ids.ts: job buttons,
 * history paging, image pickers), so they work on messages from before a restart.
 */
import type { ChatInputCommandInteraction, User } from 'discord.js';
import { commandForButton, formatButtonId, parseButtonId, type ChatCommand, type HistoryPage, type JobAction } from '../../commands/index.ts';
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
  | { kind: 'history-back'; userExternalId: string | undefined }
  /** A form to fill in first (a Discord modal): Custom Zoom, or a new prompt for the picked region. */
  | { kind: 'form'; modal: EditModal };

/** A Discord modal (interaction callback 9): text inputs in action rows. */
export interface EditModal {
  custom_id: string;
  title: string;
  components: Array<{ type: 1; components: Array<{ type: 4; custom_id: string; label: string; style: 1 | 2; required: boolean; max_length: number; value?: string; placeholder?: string }> }>;
}

const PROMPT_FIELD = { type: 4, custom_id: 'prompt', label: 'New prompt (leave empty to keep it)', style: 2, required: false, max_length: 1000 } as const;

/** Custom Zoom's form: a new prompt and the factor. */
function zoomModal(generationId: string, imageIndex: number): EditModal {
  return {
    custom_id: formatButtonId({ action: 'modal-zoom', generationId, imageIndex }),
    title: 'Custom Zoom',
    components: [
      { type: 1, components: [{ ...PROMPT_FIELD }] },
      { type: 1, components: [{ type: 4, custom_id: 'factor', label: 'Zoom out by (more than 1, at most 4)', style: 1, required: true, max_length: 5, value: '1.5' }] },
    ],
  };
}

/** Vary (Region)'s form: the picked cells travel in its id, the new prompt in its field. */
function regionModal(generationId: string, imageIndex: number, cells: number[]): EditModal {
  return {
    custom_id: formatButtonId({ action: 'modal-region', generationId, imageIndex, cells }),
    title: `Vary (Region): part${cells.length === 1 ? '' : 's'} ${cells.join(', ')}`,
    components: [{ type: 1, components: [{ ...PROMPT_FIELD, label: 'Prompt for the region (empty: keep it)' }] }],
  };
}

/** A submitted form as a command; `field` reads a text input. Undefined for an id that is not ours. */
export function modalCommand(customId: string, field: (name: string) => string | undefined): ChatCommand | undefined {
  const target = parseButtonId(customId);
  const prompt = field('prompt')?.trim() || undefined;
  if (target?.action === 'modal-zoom') {
    const factor = Number((field('factor') ?? '').trim().replace(',', '.').replace(/[x×]$/i, ''));
    return { name: 'edit', generationId: target.generationId, imageIndex: target.imageIndex, edit: { kind: 'zoom', factor }, prompt };
  }
  if (target?.action === 'modal-region') {
    return { name: 'edit', generationId: target.generationId, imageIndex: target.imageIndex, edit: { kind: 'region', cells: target.cells }, prompt };
  }
  return undefined;
}

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
      // Vary (Region)'s multi-select: the picked grid cells, then a form for the region's prompt.
      const cells = [...new Set(values.map(Number))].sort((a, b) => a - b);
      if (cells.length === 0 || cells.some((cell) => !Number.isInteger(cell) || cell < 1 || cell > 9)) return undefined;
      return { kind: 'form', modal: regionModal(target.generationId, target.imageIndex, cells) };
    }
    case 'zoom-custom':
      return { kind: 'form', modal: zoomModal(target.generationId, target.imageIndex ?? 0) };
    // Forms are submitted, not pressed.
    case 'modal-zoom':
    case 'modal-region':
      return undefined;
    default:
      return { kind: 'job', command: commandForButton(target), action: target.action };
  }
}

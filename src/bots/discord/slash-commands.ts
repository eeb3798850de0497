/**
 * The slash commands Darkroom registers, as Discord's JSON. Choices only where the list is short
 * and fixed (aspect, scheduler); models use autocomplete, since a server may install more than
 * Discord's 25 choices. Moderator commands are hidden from people without Manage Messages
 * (`default_member_permissions`); the service checks again when they run.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandBasicOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { MAX_GUIDANCE, MAX_PROMPT_LENGTH, MAX_SEED } from '../../generation/requests/imagine-options.ts';
import { SCHEDULER_CHOICES } from '../../generation/requests/scheduler-names.ts';

export const ASPECT_CHOICES = ['1:1', '3:2', '2:3', '4:3', '3:4', '16:9', '9:16'] as const;

/** Days history and usage may look back. */
const MAX_DAYS = 3650;
const STRING = ApplicationCommandOptionType.String;

type CommandJson = Omit<RESTPostAPIChatInputApplicationCommandsJSONBody, 'default_member_permissions'>;
/** A command as sent in the bulk overwrite. */
export type SlashCommandJson = CommandJson & { default_member_permissions?: number };

function text(name: string, description: string, extra: Partial<APIApplicationCommandBasicOption> = {}): APIApplicationCommandBasicOption {
  return { type: STRING, name, description, ...extra } as APIApplicationCommandBasicOption;
}

/** Every scheduler of the registry (Discord allows 25 choices; `/settings` adds "server default"). */
const schedulerChoices = SCHEDULER_CHOICES.map((choice) => ({ name: choice.label, value: choice.name }));
const aspectChoices = ASPECT_CHOICES.map((ratio) => ({ name: ratio, value: ratio }));
const DEFAULT_CHOICE = { name: 'server default', value: 'default' };

function imagineCommand(): CommandJson {
  return {
    name: 'imagine',
    description: 'Develop a photo from a description',
    options: [
      text('prompt', 'What to picture; flags like --ar 16:9 --seed 42 --no text work too', { required: true, max_length: MAX_PROMPT_LENGTH }),
      text('negative', 'What to leave out', { max_length: MAX_PROMPT_LENGTH }),
      text('aspect', 'Aspect ratio', { choices: aspectChoices }),
      { type: ApplicationCommandOptionType.Integer, name: 'seed', description: 'Same seed + same settings = same picture', min_value: 0, max_value: MAX_SEED },
      { type: ApplicationCommandOptionType.Integer, name: 'steps', description: 'Denoising steps', min_value: 1, max_value: 150 },
      { type: ApplicationCommandOptionType.Number, name: 'guidance', description: 'How closely to follow the prompt (CFG scale)', min_value: 0, max_value: MAX_GUIDANCE },
      text('model', 'Model to use', { autocomplete: true }),
      { type: ApplicationCommandOptionType.Integer, name: 'count', description: 'Images (1–4)', min_value: 1, max_value: 4 },
      text('scheduler', 'Sampler', { choices: schedulerChoices }),
    ],
  };
}

function settingsCommand(): CommandJson {
  return {
    name: 'settings',
    description: 'Your defaults for /imagine (only you see them); "default" clears one',
    options: [
      text('model', 'Default model', { autocomplete: true }),
      text('aspect', 'Default aspect ratio', { choices: [...aspectChoices, DEFAULT_CHOICE] }),
      text('steps', 'Default steps (a whole number, or default)', { max_length: 10 }),
      text('guidance', 'Default guidance (a number, or default)', { max_length: 10 }),
      text('count', 'Default number of images, 1–4 (or default)', { max_length: 10 }),
      text('scheduler', 'Default sampler', { choices: [...schedulerChoices, DEFAULT_CHOICE] }),
      text('negative', 'Default negative prompt (or default)', { max_length: MAX_PROMPT_LENGTH }),
    ],
  };
}

const days = (description: string): APIApplicationCommandBasicOption => ({ type: ApplicationCommandOptionType.Integer, name: 'days', description, min_value: 1, max_value: MAX_DAYS });
const user = (required: boolean): APIApplicationCommandBasicOption => ({ type: ApplicationCommandOptionType.User, name: 'user', description: 'Who', required });
const reason = text('reason', 'Why (kept in the audit log)', { max_length: 500 });
const scope = text('scope', 'This server (default) or everywhere (admins)', { choices: [{ name: 'this server', value: 'workspace' }, { name: 'everywhere', value: 'global' }] });

function moderatorCommands(): CommandJson[] {
  return [
    {
      name: 'history',
      description: 'Jobs made here, newest first (moderators)',
      options: [user(false), { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Only this channel', channel_types: [ChannelType.GuildText] }, days('Only the last N days')],
    },
    { name: 'usage', description: 'Jobs, images and GPU time per person (moderators)', options: [days('Look back N days (default 7)')] },
    { name: 'ban', description: 'Stop someone from using Darkroom here (moderators)', options: [user(true), { ...reason, required: true }, scope] },
    { name: 'unban', description: 'Lift a ban (moderators)', options: [user(true), reason, scope] },
    {
      name: 'blocklist',
      description: 'Terms refused in prompts (moderators)',
      options: [
        { type: ApplicationCommandOptionType.Subcommand, name: 'add', description: 'Block a word or phrase', options: [text('term', 'Word or phrase', { required: true, max_length: 100 }), scope, reason] },
        { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Unblock a word or phrase', options: [text('term', 'Word or phrase', { required: true, max_length: 100 }), scope, reason] },
        { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'Show the blocked terms' },
      ],
    },
  ];
}


/** Every command, in Discord's JSON, for a bulk overwrite. */
export function slashCommands(options: { allowDMs: boolean }): SlashCommandJson[] {
  const everywhere = options.allowDMs ? [InteractionContextType.Guild, InteractionContextType.BotDM] : [InteractionContextType.Guild];
  const forEveryone: SlashCommandJson[] = [
    imagineCommand(),
    settingsCommand(),
    { name: 'show', description: 'Post a past result again, with its buttons', options: [text('id', 'Generation id', { required: true, min_length: 1, max_length: 64 })] },
    { name: 'queue', description: 'Your jobs and their places in the queue' },
  ].map((command) => ({ ...command, contexts: everywhere }));
  const forModerators: SlashCommandJson[] = moderatorCommands().map((command) => ({
    ...command,
    contexts: [InteractionContextType.Guild],
    // Discord's OpenAPI spec types permissions here as an integer (its docs show a string; both are accepted).
    default_member_permissions: Number(PermissionFlagsBits.ManageMessages),
  }));
  return [...forEveryone, ...forModerators].map((command) => ({
    ...command,
    type: ApplicationCommandType.ChatInput,
    integration_types: [ApplicationIntegrationType.GuildInstall],
  }));
}

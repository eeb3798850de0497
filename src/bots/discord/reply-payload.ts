/**
 * A platform-free {@link Reply} as a Discord message: Markdown content (Discord renders it),
 * files, buttons in action rows, and for a finished job an embed with its details and the
 * originals next to the grid. Mentions are off unless a person is named on purpose (prompts may
 * contain `@everyone`). Edits list `attachments: []` so older files (previews) go away.
 */
import { ButtonStyle, ComponentType, MessageFlags, type APIActionRowComponent, type APIButtonComponent, type APIComponentInMessageActionRow, type APIEmbed } from 'discord.js';
import { formatButtonId, renderMentions, type Reply, type ReplyButton } from '../../commands/index.ts';
import { resultEmbed, resultFiles, type FilePayload } from './result-embed.ts';

export type { FilePayload } from './result-embed.ts';

/** Discord's limits. */
const MAX_CONTENT = 2000;

/** What discord.js takes for a send, reply or edit. */
export interface MessagePayload {
  content: string;
  embeds: APIEmbed[];
  files: FilePayload[];
  attachments: [];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  allowedMentions: { parse: []; users: string[]; repliedUser: boolean };
}

const STYLES: Record<ReplyButton['style'], ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
};

export function buttonRows(rows: readonly ReplyButton[][]): APIActionRowComponent<APIButtonComponent>[] {
  return rows
    .filter((row) => row.length > 0)
    .slice(0, 5)
    .map((row) => ({
      type: ComponentType.ActionRow,
      components: row.slice(0, 5).map((button) => ({ type: ComponentType.Button, style: STYLES[button.style], label: button.label, custom_id: button.id })),
    }));
}

/** Vary (Region)'s grid as one multi-select menu (cells 1–9), under its buttons. */
function regionMenu(picker: NonNullable<Reply['regionPicker']>): APIActionRowComponent<APIComponentInMessageActionRow> {
  const names = ['top left', 'top', 'top right', 'left', 'middle', 'right', 'bottom left', 'bottom', 'bottom right'];
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.StringSelect,
        custom_id: formatButtonId({ action: 'pick-region', ...picker }),
        placeholder: 'Or pick several parts',
        min_values: 1,
        max_values: names.length,
        options: names.map((name, index) => ({ label: `${index + 1} (${name})`, value: String(index + 1) })),
      },
    ],
  };
}

function components(reply: Reply): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = buttonRows(reply.buttons);
  if (reply.regionPicker !== undefined && rows.length < 5) rows.push(regionMenu(reply.regionPicker));
  return rows;
}

export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/**
 * The message for a reply. `mention` names one person (pinged) at the start: results posted
 * after the interaction expired. Private replies get the ephemeral flag when sent.
 */
export function messagePayload(reply: Reply, mention: string | undefined): MessagePayload {
  const content = mention === undefined ? discordMentions(reply.text) : `<@${mention}> ${discordMentions(reply.text)}`;
  const files = reply.result === undefined ? reply.attachments.map(file) : resultFiles(reply.result, reply.attachments.map(file));
  return {
    content: truncate(content, MAX_CONTENT),
    embeds: reply.result === undefined ? [] : [resultEmbed(reply.result, files[0]?.name)],
    files,
    attachments: [],
    components: components(reply),
    allowedMentions: { parse: [], users: mention === undefined ? [] : [mention], repliedUser: false },
  };
}

const SNOWFLAKE = /^\d{15,21}$/;

/**
 * People named in the text (mention tokens, see commands/mentions.ts) as `<@id>`: shown as a
 * mention, never a ping (`allowedMentions.parse` is empty; only `mention` above is pinged).
 */
export function discordMentions(text: string): string {
  return renderMentions(text, (person) => (person.platform === 'discord' && SNOWFLAKE.test(person.externalId) ? `<@${person.externalId}>` : person.displayName));
}

function file(attachment: Reply['attachments'][number]): FilePayload {
  return { attachment: attachment.bytes, name: attachment.spoiler ? `SPOILER_${attachment.name}` : attachment.name, description: truncate(attachment.description, 1024) };
}

/** Flags for a first answer: ephemeral for private replies. */
export function replyFlags(reply: Reply): MessageFlags.Ephemeral | undefined {
  return reply.visibility === 'private' ? MessageFlags.Ephemeral : undefined;
}

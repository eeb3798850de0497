/**
 * A {@link Reply} as a Slack message: the text as mrkdwn sections (≤ 3000 characters each) and
 * each row of buttons as an actions block. A button's `action_id` and `value` are the id from
 * the command layer (`upscale:<generationId>:<index>`): only ids, everything else is read from
 * the database when it is pressed. The Delete button of a result also carries the Slack file
 * ids of the images it posted (Slack ids, nothing more), so deleting removes them from Slack
 * without any state kept in this process.
 *
 * Block Kit's limits are enforced here, whatever the reply holds (Slack rejects the whole
 * message with `invalid_blocks` otherwise): at most 50 blocks (text that does not fit ends with
 * a note that it was shortened), 3000 characters per section, 25 buttons per actions block,
 * 75 characters per button label, 2000 per button value. People named in the text (mention
 * tokens, see commands/mentions.ts) become Slack mentions `<@U…>`.
 */
import { formatButtonId, parseJobButtonId, renderMentions, type Reply, type ReplyButton } from '../../commands/index.ts';
import { splitText, toMrkdwn } from './slack-mrkdwn.ts';

/** The JSON Slack takes as `text` + `blocks`. */
export interface SlackMessageBody {
  /** Notification / fallback text (mrkdwn). */
  text: string;
  blocks: SlackBlock[];
}

export type SlackBlock =
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'actions'; elements: SlackButton[] }
  /** A section with a menu beside it: Vary (Region)'s multi-select. */
  | { type: 'section'; text: { type: 'mrkdwn'; text: string }; accessory: SlackMultiSelect };

/** Vary (Region)'s grid as a multi-select (issue 15): the picked values are the cells 1–9. */
export interface SlackMultiSelect {
  type: 'multi_static_select';
  action_id: string;
  placeholder: { type: 'plain_text'; text: string };
  options: Array<{ text: { type: 'plain_text'; text: string }; value: string }>;
}

const REGION_CELLS = ['top left', 'top', 'top right', 'left', 'middle', 'right', 'bottom left', 'bottom', 'bottom right'];

function regionSelect(picker: NonNullable<Reply['regionPicker']>): SlackBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: 'Or pick several parts:' },
    accessory: {
      type: 'multi_static_select',
      action_id: formatButtonId({ action: 'pick-region', ...picker }),
      placeholder: { type: 'plain_text', text: 'Parts of the image' },
      options: REGION_CELLS.map((name, index) => ({ text: { type: 'plain_text', text: `${index + 1} (${name})` }, value: String(index + 1) })),
    },
  };
}

export interface SlackButton {
  type: 'button';
  action_id: string;
  value: string;
  text: { type: 'plain_text'; text: string; emoji: true };
  style?: 'primary' | 'danger';
}

/** Block Kit's limits for what this renderer makes (Slack's Block Kit reference). */
export const BLOCK_KIT_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  /** The top-level `text` (notifications and fallback). */
  messageText: 40_000,
} as const;

const SHORTENED = '\n_… (shortened: too long for one Slack message)_';
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** Mention tokens as Slack mentions (a person of another platform by name). */
function slackMentions(mrkdwn: string): string {
  return renderMentions(mrkdwn, (person) => (person.platform === 'slack' && SLACK_USER_ID.test(person.externalId) ? `<@${person.externalId}>` : person.displayName));
}

/** The label a person reads on Slack (Discord's compact U1/V1 labels fit its button rows; Slack's are wider). */
function label(button: ReplyButton): string {
  const target = parseJobButtonId(button.id);
  const number = target?.imageIndex === undefined ? '' : ` ${target.imageIndex + 1}`;
  switch (target?.action) {
    case 'upscale':
      return `Upscale${number}`;
    // A single image's editing row names them in full ("Vary (Strong)").
    case 'vary':
      return button.label.startsWith('Vary (') ? button.label : `Vary${number}`;
    case 'vary-strong':
      return button.label.startsWith('Vary (') ? button.label : `Vary${number} (strong)`;
    case 'reroll':
      return '🔄 Reroll';
    case 'delete':
      return '❌ Delete';
    case 'cancel':
      return 'Cancel';
    case 'zoom2':
    case 'zoom15':
    case 'zoom-custom':
    case 'pan-left':
    case 'pan-right':
    case 'pan-up':
    case 'pan-down':
    case 'region':
    case 'region-cell':
    case undefined:
      return button.label;
  }
}

function button(reply: ReplyButton, fileIds: readonly string[]): SlackButton {
  const isDelete = parseJobButtonId(reply.id)?.action === 'delete';
  const files = fileIds.join(',');
  const value = isDelete && fileIds.length > 0 && files.length <= BLOCK_KIT_LIMITS.buttonValue ? files : reply.id;
  const style = reply.style === 'danger' ? 'danger' : reply.style === 'primary' || reply.style === 'success' ? 'primary' : undefined;
  return { type: 'button', action_id: reply.id, value, text: { type: 'plain_text', text: clip(label(reply), BLOCK_KIT_LIMITS.buttonText), emoji: true }, ...(style ? { style } : {}) };
}

/** Button rows as actions blocks of at most 25 buttons; buttons with ids Slack would refuse are left out. */
function actionBlocks(rows: readonly ReplyButton[][], fileIds: readonly string[]): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  for (const row of rows) {
    // Custom Zoom needs a form (a Discord modal); Slack offers the fixed zooms.
    const usable = row.filter((entry) => entry.id.length > 0 && entry.id.length <= BLOCK_KIT_LIMITS.actionId && parseJobButtonId(entry.id)?.action !== 'zoom-custom');
    for (let start = 0; start < usable.length; start += BLOCK_KIT_LIMITS.actionsElements) {
      blocks.push({ type: 'actions', elements: usable.slice(start, start + BLOCK_KIT_LIMITS.actionsElements).map((entry) => button(entry, fileIds)) });
    }
  }
  return blocks;
}

/** The text as sections, in the room the buttons leave; what does not fit is cut with a note. */
function sections(text: string, room: number): SlackBlock[] {
  let pieces = splitText(text, BLOCK_KIT_LIMITS.sectionText);
  if (pieces.length > room) {
    pieces = pieces.slice(0, Math.max(room, 1));
    const last = pieces.length - 1;
    pieces[last] = `${(pieces[last] ?? '').slice(0, BLOCK_KIT_LIMITS.sectionText - SHORTENED.length)}${SHORTENED}`;
  }
  return pieces.map((piece) => ({ type: 'section', text: { type: 'mrkdwn', text: piece } }));
}

/** Slack file ids from a Delete button's value (empty when it carries the button id instead). */
export function fileIdsFromDeleteValue(value: string | undefined): string[] {
  if (value === undefined || !/^F[A-Z0-9]+(,F[A-Z0-9]+)*$/.test(value)) return [];
  return value.split(',');
}

/** Renders a reply; `fileIds` = the Slack files of a result, carried by its Delete button. */
export function renderReply(reply: Reply, fileIds: readonly string[] = []): SlackMessageBody {
  const text = slackMentions(toMrkdwn(reply.text));
  // Buttons first: they are what a person acts on; the text takes the blocks that are left.
  const picker = reply.regionPicker === undefined ? [] : [regionSelect(reply.regionPicker)];
  const buttons = [...actionBlocks(reply.buttons, fileIds), ...picker].slice(0, BLOCK_KIT_LIMITS.blocks - 1);
  const blocks = [...sections(text, BLOCK_KIT_LIMITS.blocks - buttons.length), ...buttons];
  return { text: clip(text, BLOCK_KIT_LIMITS.messageText), blocks };
}

/** Plain text as a message body (no buttons). */
export function renderText(text: string): SlackMessageBody {
  return renderReply({ visibility: 'public', text, attachments: [], buttons: [], refusal: undefined });
}

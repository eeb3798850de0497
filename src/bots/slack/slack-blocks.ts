/**
 * A {@link Reply} as a Slack message: the text as mrkdwn sections (≤ 3000 characters each) and
 * each row of buttons as an actions block. A button's `action_id` and `value` are the id from
 * the command layer (`upscale:<generationId>:<index>`): only ids, everything else is read from
 * the database when it is pressed. The Delete button of a result also carries the Slack file
 * ids of the images it posted (Slack ids, nothing more), so deleting removes them from Slack
 * without any state kept in this process.
 */
import { parseButtonId, type Reply, type ReplyButton } from '../../commands/index.ts';
import { splitText, toMrkdwn } from './slack-mrkdwn.ts';

/** The JSON Slack takes as `text` + `blocks`. */
export interface SlackMessageBody {
  /** Notification / fallback text (mrkdwn). */
  text: string;
  blocks: SlackBlock[];
}

export type SlackBlock =
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'actions'; elements: SlackButton[] };

export interface SlackButton {
  type: 'button';
  action_id: string;
  value: string;
  text: { type: 'plain_text'; text: string; emoji: true };
  style?: 'primary' | 'danger';
}

const SECTION_LIMIT = 3000;
/** Slack's limit for the whole message text. */
const TEXT_LIMIT = 40_000;

/** The label a person reads on Slack (Discord's compact U1/V1 labels fit its button rows; Slack's are wider). */
function label(button: ReplyButton): string {
  const target = parseButtonId(button.id);
  const number = target?.imageIndex === undefined ? '' : ` ${target.imageIndex + 1}`;
  switch (target?.action) {
    case 'upscale':
      return `Upscale${number}`;
    case 'vary':
      return `Vary${number}`;
    case 'vary-strong':
      return `Vary${number} (strong)`;
    case 'reroll':
      return '🔄 Reroll';
    case 'delete':
      return '❌ Delete';
    case 'cancel':
      return 'Cancel';
    case undefined:
      return button.label;
  }
}

function button(reply: ReplyButton, fileIds: readonly string[]): SlackButton {
  const isDelete = parseButtonId(reply.id)?.action === 'delete';
  const value = isDelete && fileIds.length > 0 ? fileIds.join(',') : reply.id;
  const style = reply.style === 'danger' ? 'danger' : reply.style === 'primary' || reply.style === 'success' ? 'primary' : undefined;
  return { type: 'button', action_id: reply.id, value, text: { type: 'plain_text', text: label(reply), emoji: true }, ...(style ? { style } : {}) };
}

/** Slack file ids from a Delete button's value (empty when it carries the button id instead). */
export function fileIdsFromDeleteValue(value: string | undefined): string[] {
  if (value === undefined || !/^F[A-Z0-9]+(,F[A-Z0-9]+)*$/.test(value)) return [];
  return value.split(',');
}

/** Renders a reply; `fileIds` = the Slack files of a result, carried by its Delete button. */
export function renderReply(reply: Reply, fileIds: readonly string[] = []): SlackMessageBody {
  const text = toMrkdwn(reply.text);
  const blocks: SlackBlock[] = splitText(text, SECTION_LIMIT).map((piece) => ({ type: 'section', text: { type: 'mrkdwn', text: piece } }));
  for (const row of reply.buttons) {
    if (row.length > 0) blocks.push({ type: 'actions', elements: row.map((entry) => button(entry, fileIds)) });
  }
  return { text: text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT - 1)}…` : text, blocks };
}

/** Plain text as a message body (no buttons). */
export function renderText(text: string): SlackMessageBody {
  return renderReply({ visibility: 'public', text, attachments: [], buttons: [], refusal: undefined });
}

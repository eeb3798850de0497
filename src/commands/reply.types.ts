/**
 * What a command answers, for every platform: text with light Markdown (`**bold**`, `` `code` ``,
 * which Discord renders and the Slack adapter converts), images, and rows of buttons whose ids
 * carry only ids (see button-ids.ts). Adapters turn a Reply into their native message.
 */
import type { Refusal } from '../generation/service/refusal.ts';

export interface ReplyButton {
  /** `<action>:<generationId>:<imageIndex>`; see {@link formatButtonId}. */
  id: string;
  label: string;
  style: 'primary' | 'secondary' | 'success' | 'danger';
}

export interface ReplyAttachment {
  /** File name with extension (`abc123-grid.png`). */
  name: string;
  bytes: Buffer;
  /** Hide behind a click (Discord spoiler): blurred NSFW stand-ins. */
  spoiler: boolean;
  /** Alt text. */
  description: string;
}

export interface Reply {
  /** private = only the person who asked sees it (ephemeral). */
  visibility: 'private' | 'public';
  text: string;
  attachments: ReplyAttachment[];
  /** Rows of buttons (at most 5 per row, 5 rows, as Discord allows). */
  buttons: ReplyButton[][];
  /** The refusal this reply explains, if any. */
  refusal: Refusal | undefined;
}

/** A plain text reply. */
export function textReply(text: string, visibility: Reply['visibility']): Reply {
  return { visibility, text, attachments: [], buttons: [], refusal: undefined };
}

/** A refusal, privately, in the words of the refusal table. */
export function refusalReply(refusal: Refusal): Reply {
  return { visibility: 'private', text: refusal.message, attachments: [], buttons: [], refusal };
}

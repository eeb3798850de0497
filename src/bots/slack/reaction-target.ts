/**
 * Reactions on a result: 🔄 reroll, ⬆️ upscale, 🔀 vary, ❌ delete. A reaction event names only
 * the message (channel + ts), so the adapter reads that message back with `reactions.get`
 * (scope `reactions:read`, which reactions need anyway) and finds the job in it: a status
 * message's buttons carry the job id, an image message's file is named `<job id>-<n>.png`.
 * Nothing is kept in memory, so this works on results from before a restart, and a message
 * that is not the bot's own is never taken for a result.
 */
import { parseJobButtonId } from '../../commands/index.ts';
import { parseImageFileName } from './result-files.ts';
import { fileIdsFromDeleteValue } from './slack-blocks.ts';

export type ReactionAction = 'reroll' | 'upscale' | 'vary' | 'delete';

/** Slack reaction names (as events spell them) → what they do. */
export const REACTION_ACTIONS: Readonly<Record<string, ReactionAction>> = {
  arrows_counterclockwise: 'reroll',
  arrow_up: 'upscale',
  twisted_rightwards_arrows: 'vary',
  x: 'delete',
};

/** A result message, as far as a reaction on it needs to know. */
export interface ReactedResult {
  generationId: string;
  /** The image a reaction on an image message means; undefined on the status message. */
  imageIndex: number | undefined;
  /** Images the status message offers buttons for (0-based); the one image when reacting on an image. */
  imageIndexes: number[];
  /** Slack files that go with a delete: the image's own file, or every file of the job. */
  fileIds: string[];
  /** The reacted message is the job's status message (its text can be replaced after a delete). */
  isStatusMessage: boolean;
}

interface MessageShape {
  user?: unknown;
  bot_id?: unknown;
  files?: Array<{ id?: unknown; name?: unknown }>;
  blocks?: Array<{ type?: unknown; elements?: Array<{ action_id?: unknown; value?: unknown }> }>;
}

/** The result a message shows, or undefined when it is not one of the bot's results. */
export function resultOfMessage(message: unknown, bot: { userId: string; botId: string }): ReactedResult | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const shape = message as MessageShape;
  if (shape.user !== bot.userId && shape.bot_id !== bot.botId) return undefined;
  for (const file of shape.files ?? []) {
    const image = typeof file.name === 'string' ? parseImageFileName(file.name) : undefined;
    if (image !== undefined && typeof file.id === 'string') {
      return { generationId: image.generationId, imageIndex: image.imageIndex, imageIndexes: [image.imageIndex], fileIds: [file.id], isStatusMessage: false };
    }
  }
  let generationId: string | undefined;
  const imageIndexes = new Set<number>();
  let fileIds: string[] = [];
  for (const block of shape.blocks ?? []) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements ?? []) {
      const target = typeof element.action_id === 'string' ? parseJobButtonId(element.action_id) : undefined;
      if (target === undefined) continue;
      generationId ??= target.generationId;
      if (target.generationId !== generationId) continue;
      if (target.imageIndex !== undefined) imageIndexes.add(target.imageIndex);
      if (target.action === 'delete') fileIds = fileIdsFromDeleteValue(typeof element.value === 'string' ? element.value : undefined);
    }
  }
  if (generationId === undefined) return undefined;
  return { generationId, imageIndex: undefined, imageIndexes: [...imageIndexes].sort((a, b) => a - b), fileIds, isStatusMessage: true };
}

/** The Slack files a status message's Delete button carries (empty when it has none). */
export function deleteButtonFiles(message: unknown): string[] {
  if (typeof message !== 'object' || message === null) return [];
  for (const block of (message as MessageShape).blocks ?? []) {
    for (const element of block.type === 'actions' ? (block.elements ?? []) : []) {
      const target = typeof element.action_id === 'string' ? parseJobButtonId(element.action_id) : undefined;
      if (target?.action === 'delete') return fileIdsFromDeleteValue(typeof element.value === 'string' ? element.value : undefined);
    }
  }
  return [];
}

/**
 * The private answers to Cancel and ❌, and what they did to the job (see {@link JobChange}), so
 * that the adapter updates every message of the job, not only the one that was pressed.
 */
import { textReply, type Reply } from './reply.types.ts';

/** The answer to a Cancel that went through (`cancelled`) or came too late. */
export function cancelAnswer(generationId: string, outcome: 'cancelled' | 'already_finished'): Reply {
  if (outcome === 'already_finished') return textReply('That job had already finished.', 'private');
  return { ...textReply('Cancelled.', 'private'), jobChange: { generationId, change: 'cancelled' } };
}

/**
 * The answer to ❌. On a whole job that was still waiting or running, ❌ cancels it (there is
 * nothing to delete yet); `imageIndex` set = one image, which changes no other message.
 */
export function deleteAnswer(generationId: string, imageIndex: number | undefined, deleted: number, wasUnfinished: boolean): Reply {
  const wholeJob = imageIndex === undefined;
  if (deleted === 0 && wholeJob && wasUnfinished) {
    return { ...textReply('Cancelled. It had not made any images yet, so there was nothing to delete.', 'private'), jobChange: { generationId, change: 'cancelled' } };
  }
  const text = deleted === 0 ? 'Nothing left to delete.' : `Deleted ${deleted} image${deleted === 1 ? '' : 's'}.`;
  return { ...textReply(text, 'private'), ...(wholeJob ? { jobChange: { generationId, change: 'deleted' as const } } : {}) };
}

/**
 * ❌ delete, retryable whatever fails: the file is removed first, then the image is marked
 * deleted (who, when) and the audit log names who deleted what, whose, and why. When the image
 * store fails (full or read-only disk) the image stays as it was (not marked, still shown), the
 * failed attempt is audited too, and the person is told with `storage_unavailable`; pressing ❌
 * again once the store works completes it. A crash between the two steps leaves a row whose file
 * is gone (shown as missing, never as broken), and the next ❌ finishes the job. Files of images
 * marked deleted by an older order (mark first) are removed again on the next ❌ too.
 */
import type { Logger } from 'pino';
import type { Repositories } from '../../db/repositories.ts';
import type { ImageStore } from '../../storage/image.store.ts';
import { refuse, type Refusal } from '../requests/refusal.ts';
import { isModerator, scopeOf, type Who } from '../requests/who.ts';

export type DeleteOutcome = { ok: true; deleted: number[] } | Refusal;

export interface ImageRemovalOptions {
  repositories: Pick<Repositories, 'generations' | 'images' | 'moderation'>;
  store: ImageStore;
  logger: Logger;
}

export class ImageRemoval {
  constructor(private readonly options: ImageRemovalOptions) {}

  /** Deletes the listed images (0-based) of a generation; already deleted ones are skipped. */
  async deleteImages(generationId: string, indexes: readonly number[], who: Who, reason: string | undefined): Promise<DeleteOutcome> {
    const { generations, images, moderation } = this.options.repositories;
    // Another workspace's job (or, in DMs, someone else's) is "not found", like an unknown id.
    const generation = await generations.getInScope(generationId, scopeOf(who));
    if (generation === undefined) return refuse('not_found', { what: 'generation', id: generationId });
    const byOwner = who.user.id === generation.userId;
    if (!byOwner && !isModerator(who)) return refuse('forbidden', { action: 'delete this image', allowed: 'owner or moderator' });
    const deleted: number[] = [];
    const failed: number[] = [];
    let cause: unknown;
    for (const index of indexes) {
      const image = generation.images.find((candidate) => candidate.index === index);
      if (image === undefined) {
        if (indexes.length === 1) return refuse('not_found', { what: 'image', id: `${generationId} #${index + 1}` });
        continue;
      }
      try {
        // Removing a missing file is not an error, so this also finishes an interrupted delete.
        await this.options.store.delete(image.fileKey);
      } catch (error) {
        failed.push(index);
        cause = error;
        continue;
      }
      if (image.deletedAt === undefined && (await images.markDeleted(generationId, index, who.user.id))) deleted.push(index);
    }
    // An edit's mask (issue 15) goes with its last image (best effort: it shows nothing by itself).
    const allGone = generation.images.every((image) => image.deletedAt !== undefined || deleted.includes(image.index));
    if (generation.maskKey !== undefined && allGone && failed.length === 0) {
      await this.options.store.delete(generation.maskKey).catch((error: unknown) => this.options.logger.warn({ jobId: generationId, err: error }, 'images.mask_delete_failed'));
    }
    if (deleted.length > 0 || failed.length > 0) {
      await moderation.record({
        actorId: who.user.id,
        action: 'delete',
        workspaceId: generation.workspaceId,
        targetUserId: generation.userId,
        targetGenerationId: generationId,
        reason,
        details: { imageIndexes: deleted, byOwner, ...(failed.length > 0 && { failedIndexes: failed, failure: 'storage_unavailable' }) },
      });
      this.options.logger.info({ jobId: generationId, deleted, failed, by: who.user.id, byOwner }, 'images.deleted');
    }
    if (failed.length > 0) {
      // The operator's fault, logged once with its cause; the person is told to try again.
      this.options.logger.error({ jobId: generationId, failed, err: cause }, 'images.delete_failed');
      return refuse('storage_unavailable', { action: 'delete the image' });
    }
    return { ok: true, deleted };
  }
}

/**
 * ❌ delete: the image is marked deleted (who, when) before its file is removed, so a crash in
 * between leaves an orphan file rather than a record pointing at nothing; the row stays for the
 * audit, and the audit log names who deleted what, whose, and why.
 */
import type { Logger } from 'pino';
import type { Repositories } from '../../db/repositories.ts';
import type { ImageStore } from '../../storage/image.store.ts';
import { refuse, type Refusal } from './refusal.ts';
import { isModerator, scopeOf, type Who } from './who.ts';

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
    for (const index of indexes) {
      const image = generation.images.find((candidate) => candidate.index === index);
      if (image === undefined) {
        if (indexes.length === 1) return refuse('not_found', { what: 'image', id: `${generationId} #${index + 1}` });
        continue;
      }
      if (!(await images.markDeleted(generationId, index, who.user.id))) continue;
      await this.options.store.delete(image.fileKey);
      deleted.push(index);
    }
    if (deleted.length > 0) {
      await moderation.record({
        actorId: who.user.id,
        action: 'delete',
        workspaceId: generation.workspaceId,
        targetUserId: generation.userId,
        targetGenerationId: generationId,
        reason,
        details: { imageIndexes: deleted, byOwner },
      });
      this.options.logger.info({ jobId: generationId, deleted, by: who.user.id, byOwner }, 'images.deleted');
    }
    return { ok: true, deleted };
  }
}

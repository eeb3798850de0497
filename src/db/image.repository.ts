import type { PrismaClient } from './generated/client.ts';
import type { Clock, ImageRecord } from './domain.types.ts';
import { toImage } from './prisma-mappers.ts';

/** Image rows. Files themselves live in the ImageStore; deleting one is the caller's job. */
export interface ImageRepository {
  get(generationId: string, index: number): Promise<ImageRecord | undefined>;
  /**
   * Marks the image deleted by `deletedById` (owner or moderator). Returns false when there is no
   * such image or it was already deleted, so a second ❌ does not rewrite who deleted it.
   */
  markDeleted(generationId: string, index: number, deletedById: string): Promise<boolean>;
}

export class PrismaImageRepository implements ImageRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  async get(generationId: string, index: number): Promise<ImageRecord | undefined> {
    const row = await this.prisma.image.findUnique({ where: { generationId_index: { generationId, index } } });
    return row ? toImage(row) : undefined;
  }

  async markDeleted(generationId: string, index: number, deletedById: string): Promise<boolean> {
    const { count } = await this.prisma.image.updateMany({
      where: { generationId, index, deletedAt: null },
      data: { deletedAt: this.now(), deletedById },
    });
    return count === 1;
  }
}

/**
 * The NSFW policy at delivery: in a channel that is not marked NSFW, an image the safety checker
 * flagged is blurred and marked (`blur`) or not posted at all (`withhold`), as configured. The
 * stored original is never changed, so moderators and NSFW channels still see it. Images of
 * models without a checker (nsfw undefined) are delivered as they are.
 */
import type { GenerationWithImages } from '../../db/domain.types.ts';
import { blurImage, defaultGridColumns, makeGrid } from '../../images/index.ts';
import type { ImageStore } from '../../storage/image.store.ts';
import { ImageNotFoundError } from '../../storage/image.store.ts';
import { refuse } from '../requests/refusal.ts';
import type { DeliveredImage, Delivery } from './job.types.ts';

export type NsfwMode = 'blur' | 'withhold';

/** An image before the policy. */
export type StoredImageBytes = Omit<DeliveredImage, 'blurred'>;

/** Blur strong enough to hide content: sigma ≈ 1/16 of the longer side (32 at 512 px). */
function blurSigma(width: number, height: number): number {
  return Math.min(1000, Math.max(8, Math.max(width, height) / 16));
}

/** Applies the policy and adds a grid of what is delivered. */
export async function prepareDelivery(images: readonly StoredImageBytes[], nsfwAllowed: boolean, mode: NsfwMode): Promise<Delivery> {
  const delivered: DeliveredImage[] = [];
  let withheld = 0;
  for (const image of images) {
    if (image.nsfw !== true || nsfwAllowed) {
      delivered.push({ ...image, blurred: false });
    } else if (mode === 'blur') {
      delivered.push({ ...image, png: await blurImage(image.png, blurSigma(image.width, image.height)), blurred: true });
    } else {
      withheld++;
    }
  }
  const grid = delivered.length >= 2 ? await makeGrid(delivered.map((image) => image.png), defaultGridColumns(delivered.length)) : undefined;
  return { images: delivered, grid, withheld: withheld > 0 ? refuse('nsfw_withheld', { count: withheld }) : undefined };
}

/**
 * The stored, not deleted images of a generation; missing files are skipped. A store that cannot
 * be read now (a full disk, an S3 outage) rejects with its `StorageUnavailableError`, so `/show`
 * can say so instead of showing a job without its pictures.
 */
export async function readStoredImages(generation: GenerationWithImages, store: Pick<ImageStore, 'get'>): Promise<StoredImageBytes[]> {
  const images: StoredImageBytes[] = [];
  for (const image of generation.images) {
    if (image.deletedAt !== undefined) continue;
    let png: Buffer;
    try {
      png = await store.get(image.fileKey);
    } catch (error) {
      if (error instanceof ImageNotFoundError) continue;
      throw error;
    }
    images.push({ index: image.index, seed: generation.seed + image.index, width: image.width, height: image.height, png, nsfw: image.nsfw });
  }
  return images;
}

/** The stored, not deleted images of a generation (missing or unreadable files skipped), after the policy. */
export async function deliveryFromStore(
  generation: GenerationWithImages,
  store: Pick<ImageStore, 'get'>,
  nsfwAllowed: boolean,
  mode: NsfwMode,
): Promise<Delivery> {
  const images: StoredImageBytes[] = [];
  for (const image of generation.images) {
    if (image.deletedAt !== undefined) continue;
    const png = await store.get(image.fileKey).catch(() => undefined);
    if (png === undefined) continue;
    images.push({ index: image.index, seed: generation.seed + image.index, width: image.width, height: image.height, png, nsfw: image.nsfw });
  }
  return prepareDelivery(images, nsfwAllowed, mode);
}

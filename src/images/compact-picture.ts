/**
 * A picture made to fit a byte budget: the same image as lossy WebP, first at full size, then
 * at lower quality, then smaller, until it fits. For chat platforms with upload limits (Discord:
 * 10 MiB per message on an unboosted server), where a 2×2 grid of 1024² PNGs does not fit.
 */
import { makePreview } from './image.transforms.ts';
import { sharpFromEncoded, toDecodeError } from './rgb-image.sharp.ts';

/** WebP quality of the first attempt; each smaller attempt goes a little lower, not below the floor. */
const FIRST_QUALITY = 82;
const QUALITY_FLOOR = 60;
const ATTEMPTS = 5;
/** Never smaller than this on its longest side (below it a grid is not worth showing). */
const MIN_SIDE = 256;

/**
 * WebP bytes of `png` within `maxBytes`, or undefined when even a small version is larger.
 * Starts at full size; each next try scales the sides by √(budget / bytes) (a lossy file grows
 * about with its pixel count), aiming a little under the budget, so it takes two or three tries.
 */
export async function compactPicture(png: Buffer, maxBytes: number): Promise<Buffer | undefined> {
  let longest: number;
  try {
    const { width, height } = await sharpFromEncoded(png).metadata();
    longest = Math.max(width ?? 0, height ?? 0);
  } catch (error) {
    throw toDecodeError(error);
  }
  if (longest < 1) throw new RangeError('picture has no size');
  const smallest = Math.min(MIN_SIDE, longest);
  let side = longest;
  let quality = FIRST_QUALITY;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const bytes = await makePreview(png, { format: 'webp', maxSide: side, quality });
    if (bytes.length <= maxBytes) return bytes;
    if (side <= smallest) return undefined;
    const ratio = Math.sqrt((0.85 * maxBytes) / bytes.length);
    side = Math.max(smallest, Math.floor(side * Math.min(0.9, ratio)));
    quality = Math.max(QUALITY_FLOOR, quality - 8);
  }
  return undefined;
}

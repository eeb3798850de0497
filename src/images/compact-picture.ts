/**
 * A picture made to fit a byte budget: the same image as lossy WebP, first at full size, then
 * at lower quality, then smaller, until it fits. For chat platforms with upload limits (Discord:
 * 10 MiB per message on an unboosted server), where a 2×2 grid of 1024² PNGs does not fit.
 */
import { makePreview } from './image.transforms.ts';
import { sharpFromEncoded, toDecodeError } from './rgb-image.sharp.ts';

/** Tried in order until one fits: [share of the original's longest side, WebP quality]. */
const ATTEMPTS: ReadonlyArray<readonly [scale: number, quality: number]> = [
  [1, 85],
  [1, 70],
  [0.75, 70],
  [0.5, 70],
  [0.35, 65],
  [0.25, 60],
];
/** Never smaller than this on its longest side (below it a grid is not worth showing). */
const MIN_SIDE = 256;

/** WebP bytes of `png` within `maxBytes`, or undefined when even the smallest attempt is larger. */
export async function compactPicture(png: Buffer, maxBytes: number): Promise<Buffer | undefined> {
  let longest: number;
  try {
    const { width, height } = await sharpFromEncoded(png).metadata();
    longest = Math.max(width ?? 0, height ?? 0);
  } catch (error) {
    throw toDecodeError(error);
  }
  if (longest < 1) throw new RangeError('picture has no size');
  for (const [scale, quality] of ATTEMPTS) {
    const maxSide = Math.max(Math.min(MIN_SIDE, longest), Math.round(longest * scale));
    const bytes = await makePreview(png, { format: 'webp', maxSide, quality });
    if (bytes.length <= maxBytes) return bytes;
    if (maxSide <= MIN_SIDE) break;
  }
  return undefined;
}

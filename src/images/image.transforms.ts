/**
 * Resizing, chat previews and the NSFW blur.
 */
import type { RgbImage } from './rgb-image.ts';
import {
  PNG_OUTPUT_OPTIONS,
  sharpFromEncoded,
  sharpFromRgb,
  toDecodeError,
  toRgbImage,
} from './rgb-image.sharp.ts';

export type ResizeKernel = 'lanczos3' | 'nearest';

function assertSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`invalid target size ${width}x${height}`);
  }
}

/**
 * Resizes to exactly `width`×`height` (aspect ratio not kept: the caller chose the size).
 * `lanczos3` for photos (hires fix, img2img input); `nearest` for pixel-exact upscales.
 */
export async function resizeImage(
  image: RgbImage,
  width: number,
  height: number,
  kernel: ResizeKernel,
): Promise<RgbImage> {
  assertSize(width, height);
  return toRgbImage(sharpFromRgb(image).resize(width, height, { kernel, fit: 'fill' }));
}

export interface PreviewOptions {
  format: 'jpeg' | 'webp';
  /** Longest side in pixels; smaller images are not enlarged. */
  maxSide: number;
  /** 1–100. */
  quality: number;
}

/**
 * A small lossy preview (progress updates, history lists) that fits in `maxSide`×`maxSide`,
 * keeping the aspect ratio. Carries no metadata: sharp strips it, so no prompt text leaks.
 */
export async function makePreview(image: RgbImage | Buffer, options: PreviewOptions): Promise<Buffer> {
  assertSize(options.maxSide, options.maxSide);
  if (!Number.isInteger(options.quality) || options.quality < 1 || options.quality > 100) {
    throw new RangeError(`preview quality must be an integer in 1..100, got ${options.quality}`);
  }
  const source = Buffer.isBuffer(image) ? sharpFromEncoded(image) : sharpFromRgb(image);
  const resized = source.resize(options.maxSide, options.maxSide, { fit: 'inside', withoutEnlargement: true });
  const encoded =
    options.format === 'jpeg'
      ? resized.jpeg({ quality: options.quality, chromaSubsampling: '4:2:0' })
      : resized.webp({ quality: options.quality });
  try {
    return await encoded.toBuffer();
  } catch (error) {
    throw Buffer.isBuffer(image) ? toDecodeError(error) : error;
  }
}

/**
 * A Gaussian blur strong enough that an image flagged NSFW can be shown in a SFW channel
 * (sigma 30–60 for 512–1024 px images). The output PNG deliberately has **no** `parameters`
 * chunk: the prompt of a hidden image should not travel with its blurred stand-in; the
 * original stays available to those allowed to see it.
 */
export async function blurImage(png: Buffer, sigma: number): Promise<Buffer> {
  if (!(sigma >= 0.3 && sigma <= 1000)) throw new RangeError(`blur sigma must be in 0.3..1000, got ${sigma}`);
  try {
    return await sharpFromEncoded(png).blur(sigma).png(PNG_OUTPUT_OPTIONS).toBuffer();
  } catch (error) {
    throw toDecodeError(error);
  }
}

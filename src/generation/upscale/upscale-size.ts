/**
 * The size an upscale produces: the wanted factor, capped to a pixel budget (an 8-bit RGB image
 * of N pixels costs 3N bytes, and img2img time grows faster than linearly with size).
 */

export interface UpscaleTarget {
  width: number;
  height: number;
  /** Whether the pixel budget made the result smaller than asked. */
  capped: boolean;
}

function floorToMultiple(value: number, multiple: number): number {
  return Math.max(multiple, Math.floor(value / multiple) * multiple);
}

/**
 * `width·factor × height·factor`, both sides rounded down to `multiple` (Stable Diffusion needs
 * 8), shrunk keeping the aspect ratio when it would exceed `maxPixels`.
 */
export function upscaleTarget(width: number, height: number, factor: number, maxPixels: number, multiple: number): UpscaleTarget {
  if (!(factor > 0)) throw new RangeError(`upscale factor must be positive, got ${factor}`);
  if (!(maxPixels >= multiple * multiple)) throw new RangeError(`maxPixels must be at least ${multiple * multiple}, got ${maxPixels}`);
  let targetWidth = floorToMultiple(width * factor, multiple);
  let targetHeight = floorToMultiple(height * factor, multiple);
  if (targetWidth * targetHeight <= maxPixels) return { width: targetWidth, height: targetHeight, capped: false };
  const fitted = Math.sqrt(maxPixels / (width * height));
  targetWidth = floorToMultiple(width * fitted, multiple);
  targetHeight = floorToMultiple(height * fitted, multiple);
  // Very elongated images: the floor of one side at `multiple` can still overshoot; trim the other.
  while (targetWidth * targetHeight > maxPixels && targetWidth > multiple) targetWidth -= multiple;
  while (targetWidth * targetHeight > maxPixels && targetHeight > multiple) targetHeight -= multiple;
  return { width: targetWidth, height: targetHeight, capped: true };
}

/** Whether a target actually enlarges the image (a capped target may not). */
export function enlarges(target: UpscaleTarget, width: number, height: number): boolean {
  return target.width * target.height > width * height && target.width >= width && target.height >= height;
}

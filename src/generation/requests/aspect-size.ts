/**
 * Aspect ratio → image size. Stable Diffusion models draw best near the pixel count they were
 * trained at (512² for SD 1.x, 768² for SD 2.x, 1024² for SDXL); Midjourney likewise keeps the
 * pixel count and changes only the shape. The rule:
 *
 * - both sides are multiples of 64 (what every SD family, SDXL included, handles cleanly);
 * - the area never exceeds the budget: the model's native pixel count, or `maxPixels` if lower;
 * - among those sizes, the one with the lowest
 *   `|ln(ratio / asked ratio)| + ½ · |ln(area / budget)|` wins (ties: the larger area),
 *   i.e. the shape comes first and the pixel count a close second.
 *
 * Examples at 512² (SD 1.5): 1:1 → 512×512, 3:2 → 576×384, 16:9 → 640×384, 2:1 → 640×320,
 * 2:3 → 384×576. At 1024² (SDXL) the rule lands on SDXL's own training buckets: 3:2 → 1216×832,
 * 16:9 → 1344×768, 12:5 → 1536×640.
 */

const GRID = 64;
/** Largest side considered (SDXL at 4:1 needs 2048). */
const MAX_SIDE = 4096;

/** Most extreme aspect ratio accepted, either way (4:1 and 1:4). */
export const MAX_ASPECT = 4;

export interface ImageSize {
  width: number;
  height: number;
}

/** A parsed aspect ratio, as typed ("16:9") and as a number (width / height). */
export interface AspectRatio {
  text: string;
  ratio: number;
}

/**
 * Parses "16:9", "16x9", "16/9" or "1.91:1"; undefined when it is not a ratio of two positive
 * numbers. Range checks are the caller's (see {@link MAX_ASPECT}).
 */
export function parseAspect(text: string): AspectRatio | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*[:x×/]\s*(\d+(?:\.\d+)?)\s*$/i.exec(text);
  if (match === null) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (!(width > 0) || !(height > 0)) return undefined;
  return { text: `${match[1]}:${match[2]}`, ratio: width / height };
}

/** The size for an aspect ratio within a pixel budget; see the rule above. */
export function sizeForAspect(ratio: number, budgetPixels: number): ImageSize {
  let best: (ImageSize & { score: number }) | undefined;
  const minimumArea = GRID * GRID;
  const budget = Math.max(budgetPixels, minimumArea);
  for (let height = GRID; height <= MAX_SIDE; height += GRID) {
    for (let width = GRID; width <= MAX_SIDE && width * height <= budget; width += GRID) {
      const area = width * height;
      const score = Math.abs(Math.log(width / height / ratio)) + 0.5 * Math.abs(Math.log(area / budget));
      if (best === undefined || score < best.score - 1e-12 || (Math.abs(score - best.score) <= 1e-12 && area > best.width * best.height)) {
        best = { width, height, score };
      }
    }
  }
  return best === undefined ? { width: GRID, height: GRID } : { width: best.width, height: best.height };
}

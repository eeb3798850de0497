/**
 * Where an edit runs and how its result is put together (pure; no model, no sharp).
 *
 * Zoom Out and Pan are outpainting, and the model generates only what is new, at its native size:
 *
 * - **Zoom Out ×f** of a W×H image makes an fW×fH canvas with the original in the middle. The
 *   model sees the whole canvas shrunk to a work size of about the original's area (never above
 *   twice the native area): the original shrunk by 1/f in the middle, the border masked. The
 *   finished image is the work result scaled up to fW×fH with the original pasted back at full
 *   resolution, so a 2× zoom of a 512² image costs one 512² generation, not a 1024² one.
 * - **Pan** extends one side by half the image. The model sees a window of the original's size
 *   at the new edge (half original for context, half new), unscaled when that fits the budget;
 *   the new half is pasted next to the untouched original.
 * - **Vary (Region)** and **Remix** run on the image itself (scaled to the budget only when it
 *   is larger than that).
 *
 * The mask is aligned to the 8-pixel latent grid: a latent cell is kept only when the original
 * covers all of it, since diffusers samples the mask at each cell's top-left pixel.
 */
import type { RgbImage } from '../../images/rgb-image.ts';
import type { MaskImage, PanDirection } from '../edit.types.ts';
import { LATENT_CELL, panCanvasSize, roundToMultiple, zoomCanvasSize } from '../edit-canvas.ts';
import { MAX_ZOOM_FACTOR } from '../edit.types.ts';

/** Pixels per latent cell (the VAE's downscale). */
export { LATENT_CELL };

export interface Size {
  width: number;
  height: number;
}

export interface Rect extends Size {
  left: number;
  top: number;
}

/** What the model runs on: the part of the finished canvas it generates, at what size. */
export interface EditPlan {
  /** The finished image. */
  canvas: Size;
  /** Where the source image sits on the canvas at full resolution. */
  source: Rect;
  /** The part of the canvas the model generates (whole canvas for zoom, the new edge for pan). */
  window: Rect;
  /** The model's run size for the window: multiples of the UNet's size multiple. */
  work: Size;
  /** The source image scaled into work coordinates (may reach outside the work canvas: clipped). */
  sourceInWork: Rect;
}

/** Model facts the plan needs. */
export interface ModelGeometry {
  /** Native square side in pixels (512 for SD 1.x). */
  nativeSize: number;
  /** Image sides must be multiples of this. */
  sizeMultiple: number;
}

const roundTo = roundToMultiple;

/** Pixel area a run may use: the source's own area, at least native, at most twice native. */
export function workBudget(source: Size, model: ModelGeometry): number {
  const native = model.nativeSize * model.nativeSize;
  return Math.min(Math.max(native, source.width * source.height), 2 * native);
}

/**
 * The run size for a `window`: scaled down (never up) to `budget` pixels, sides rounded to the
 * size multiple (down when rounding would pass the budget by more than a tenth).
 */
export function fitWorkSize(window: Size, budget: number, multiple: number): Size {
  const scale = Math.min(1, Math.sqrt(budget / (window.width * window.height)));
  let width = roundTo(window.width * scale, multiple);
  let height = roundTo(window.height * scale, multiple);
  if (width * height > budget * 1.1) {
    width = Math.max(multiple, Math.floor((window.width * scale) / multiple) * multiple);
    height = Math.max(multiple, Math.floor((window.height * scale) / multiple) * multiple);
  }
  return { width, height };
}

function placeInWork(source: Rect, window: Rect, work: Size): Rect {
  const scaleX = work.width / window.width;
  const scaleY = work.height / window.height;
  return {
    left: Math.round((source.left - window.left) * scaleX),
    top: Math.round((source.top - window.top) * scaleY),
    width: Math.max(1, Math.round(source.width * scaleX)),
    height: Math.max(1, Math.round(source.height * scaleY)),
  };
}

/** Zoom Out by `factor` (1 < factor ≤ {@link MAX_ZOOM_FACTOR}): the source centred on a canvas `factor` times larger. */
export function planZoomOut(source: Size, factor: number, model: ModelGeometry): EditPlan {
  if (!(Number.isFinite(factor) && factor > 1 && factor <= MAX_ZOOM_FACTOR)) {
    throw new RangeError(`zoom factor must be more than 1 and at most ${MAX_ZOOM_FACTOR}, got ${factor}`);
  }
  const canvas = zoomCanvasSize(source, factor);
  const placed = {
    left: Math.floor((canvas.width - source.width) / 2),
    top: Math.floor((canvas.height - source.height) / 2),
    width: source.width,
    height: source.height,
  };
  const window = { left: 0, top: 0, ...canvas };
  const work = fitWorkSize(window, workBudget(source, model), model.sizeMultiple);
  return { canvas, source: placed, window, work, sourceInWork: placeInWork(placed, window, work) };
}

/** Pan: the canvas grows by half the source's side towards `direction`; the model works on the new edge. */
export function planPan(source: Size, direction: PanDirection, model: ModelGeometry): EditPlan {
  const { added, ...canvas } = panCanvasSize(source, direction);
  const placed = {
    left: direction === 'left' ? added : 0,
    top: direction === 'up' ? added : 0,
    width: source.width,
    height: source.height,
  };
  // A window of the source's size at the new edge: the new part plus the neighbouring original.
  const window = {
    left: direction === 'right' ? canvas.width - source.width : 0,
    top: direction === 'down' ? canvas.height - source.height : 0,
    width: source.width,
    height: source.height,
  };
  const work = fitWorkSize(window, workBudget(source, model), model.sizeMultiple);
  return { canvas, source: placed, window, work, sourceInWork: placeInWork(placed, window, work) };
}

/** Vary (Region) and Remix: the image itself (scaled to the budget when larger). */
export function planInPlace(source: Size, model: ModelGeometry): EditPlan {
  const placed = { left: 0, top: 0, ...source };
  const work = fitWorkSize(source, workBudget(source, model), model.sizeMultiple);
  return { canvas: { ...source }, source: placed, window: placed, work, sourceInWork: placeInWork(placed, placed, work) };
}

/**
 * The outpainting mask at work size: 0 on latent cells the scaled source covers completely, 255
 * everywhere else (the new border, and cells the source only partly covers).
 */
export function outpaintWorkMask(plan: EditPlan): MaskImage {
  const { work, sourceInWork: inside } = plan;
  const pixels = new Uint8Array(work.width * work.height).fill(255);
  const firstColumn = Math.ceil(Math.max(0, inside.left) / LATENT_CELL) * LATENT_CELL;
  const endColumn = Math.floor(Math.min(work.width, inside.left + inside.width) / LATENT_CELL) * LATENT_CELL;
  const firstRow = Math.ceil(Math.max(0, inside.top) / LATENT_CELL) * LATENT_CELL;
  const endRow = Math.floor(Math.min(work.height, inside.top + inside.height) / LATENT_CELL) * LATENT_CELL;
  for (let y = firstRow; y < endRow; y++) pixels.fill(0, y * work.width + firstColumn, y * work.width + Math.max(firstColumn, endColumn));
  return { width: work.width, height: work.height, pixels };
}

/** A `width × height` image of one colour. */
export function solidImage(size: Size, value: number): RgbImage {
  return { ...size, pixels: new Uint8Array(size.width * size.height * 3).fill(value) };
}

/** Copies `image` onto `target` with its top-left corner at (left, top), clipped to the target, skipping the pixels `except` marks (same size as `image`). */
export function pasteImage(target: RgbImage, image: RgbImage, left: number, top: number, except?: MaskImage): void {
  for (let y = Math.max(0, -top); y < image.height && top + y < target.height; y++) {
    for (let x = Math.max(0, -left); x < image.width && left + x < target.width; x++) {
      if (except && except.pixels[y * except.width + x]! >= 128) continue;
      const from = (y * image.width + x) * 3;
      const to = ((top + y) * target.width + left + x) * 3;
      target.pixels[to] = image.pixels[from]!;
      target.pixels[to + 1] = image.pixels[from + 1]!;
      target.pixels[to + 2] = image.pixels[from + 2]!;
    }
  }
}

/** The finished canvas's mask: 255 wherever the result is not the source image. */
export function canvasMask(plan: EditPlan): MaskImage {
  const { canvas, source } = plan;
  const pixels = new Uint8Array(canvas.width * canvas.height).fill(255);
  for (let y = source.top; y < source.top + source.height; y++) pixels.fill(0, y * canvas.width + source.left, y * canvas.width + source.left + source.width);
  return { width: canvas.width, height: canvas.height, pixels };
}

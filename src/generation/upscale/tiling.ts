/**
 * Tile planning for upscalers that run on a bounded input window: Real-ESRGAN's tiled inference
 * (`RealESRGANer.tile_process`): each tile owns a *core* rectangle of the image and is fed with
 * `pad` extra pixels of real context around it; only the core of the model's output is kept, so a
 * model whose receptive field reaches at most `pad` pixels gives exactly the untiled result.
 *
 * Unlike Real-ESRGAN, every window has the same size (windows are shifted inward at the image
 * edges instead of shrunk): fixed-input models (e.g. a static 128×128 export) need that, and
 * dynamic models get one input shape for every run, which lets onnxruntime reuse its memory plan.
 * Pure: no onnxruntime, no sharp.
 */

/** One axis of one tile: the core it owns and the window fed to the model. */
export interface AxisSegment {
  /** Core [coreStart, coreEnd): the pixels this tile's output provides. */
  coreStart: number;
  coreEnd: number;
  /** Window [windowStart, windowStart + windowLength) of real image pixels fed to the model. */
  windowStart: number;
  windowLength: number;
  /**
   * Length actually fed (≥ windowLength): the rest is filled by mirroring the image's last pixels,
   * only when the whole axis is shorter than a fixed model input or a size multiple.
   */
  feedLength: number;
}

/** How long the model input along one axis may or must be. */
export type AxisLimit =
  /** The model declares this exact size (static input). */
  | { kind: 'fixed'; size: number }
  /** Any size up to `maxLength`, rounded up to a multiple of `multiple` (some models need 2, 4, 8…). */
  | { kind: 'dynamic'; maxLength: number; multiple: number };

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** The length every window along this axis is fed with, for an axis of `length` pixels. */
export function feedLengthFor(length: number, limit: AxisLimit): number {
  if (limit.kind === 'fixed') return limit.size;
  const largest = Math.floor(limit.maxLength / limit.multiple) * limit.multiple;
  return Math.min(largest, roundUp(length, limit.multiple));
}

/**
 * The largest context margin that still guarantees every interior core edge gets `pad` real
 * pixels of context: a window must hold its core plus a margin on both sides, and the planning
 * below needs `feedLength ≥ 4 · pad` (then every core is at least `pad` long, so a window pushed
 * against the image edge still has `pad` pixels past its inner core edge).
 */
export function effectivePad(pad: number, feedLength: number): number {
  return Math.max(0, Math.min(pad, Math.floor(feedLength / 4)));
}

/**
 * Splits one axis of `length` pixels into segments. Cores partition [0, length) into nearly equal
 * parts (lengths differ by at most 1); each window has exactly `min(feedLength, length)` real pixels
 * and reaches at least `pad` pixels past its core on every side that is not an image edge.
 */
export function planAxis(length: number, limit: AxisLimit, pad: number): AxisSegment[] {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`axis length must be a positive integer, got ${length}`);
  const feedLength = feedLengthFor(length, limit);
  if (!(feedLength >= 1)) throw new RangeError(`model input length must be positive, got ${feedLength}`);
  if (length <= feedLength) {
    return [{ coreStart: 0, coreEnd: length, windowStart: 0, windowLength: length, feedLength }];
  }
  const margin = effectivePad(pad, feedLength);
  const coreLimit = feedLength - 2 * margin;
  const count = Math.ceil(length / coreLimit);
  const segments: AxisSegment[] = [];
  for (let index = 0; index < count; index++) {
    const coreStart = Math.floor((index * length) / count);
    const coreEnd = Math.floor(((index + 1) * length) / count);
    const windowStart = Math.min(Math.max(coreStart - margin, 0), length - feedLength);
    segments.push({ coreStart, coreEnd, windowStart, windowLength: feedLength, feedLength });
  }
  return segments;
}

/** One tile: a row segment × a column segment. */
export interface Tile {
  index: number;
  rows: AxisSegment;
  columns: AxisSegment;
}

export interface TilePlan {
  tiles: Tile[];
  /** Context margin actually used (may be below the requested pad for small fixed inputs). */
  pad: number;
  rowCount: number;
  columnCount: number;
}

/** Tiles for a `width`×`height` image, row-major. */
export function planTiles(width: number, height: number, limits: { rows: AxisLimit; columns: AxisLimit }, pad: number): TilePlan {
  const rows = planAxis(height, limits.rows, pad);
  const columns = planAxis(width, limits.columns, pad);
  const usedPad = Math.min(
    effectivePad(pad, feedLengthFor(height, limits.rows)),
    effectivePad(pad, feedLengthFor(width, limits.columns)),
  );
  const tiles: Tile[] = [];
  for (const rowSegment of rows) {
    for (const columnSegment of columns) tiles.push({ index: tiles.length, rows: rowSegment, columns: columnSegment });
  }
  return { tiles, pad: usedPad, rowCount: rows.length, columnCount: columns.length };
}

/**
 * Index into [0, length) for a position past the end, mirrored without repeating the edge pixel
 * (numpy/torch `reflect`), repeated as often as needed; a 1-pixel axis just repeats its pixel.
 */
export function reflectIndex(position: number, length: number): number {
  if (length <= 1) return 0;
  const period = 2 * (length - 1);
  const folded = ((position % period) + period) % period;
  return folded < length ? folded : period - folded;
}

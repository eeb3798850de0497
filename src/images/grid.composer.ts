/**
 * Contact-sheet grids of a job's images (the 2×2 message Discord users know from A1111/Midjourney).
 */
import sharp from 'sharp';
import type { OverlayOptions } from 'sharp';
import { PNG_OUTPUT_OPTIONS, decodeToRgb } from './rgb-image.sharp.ts';

/** Colour of cells without an image (e.g. the fourth cell of a 3-image 2×2 grid). */
const EMPTY_CELL = Object.freeze({ r: 0, g: 0, b: 0 });

/**
 * A1111's automatic layout (`images.image_grid`): rows = round(√n), columns = ⌈n / rows⌉.
 * 1 → 1×1, 2 → 2×1, 3 → 2×2 (one empty), 4 → 2×2.
 */
export function defaultGridColumns(count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`grid needs at least one image, got ${count}`);
  const rows = Math.min(count, Math.round(Math.sqrt(count)));
  return Math.ceil(count / rows);
}

/**
 * Lays the images out left to right, top to bottom, in `columns` columns (at most one per
 * image). Every cell is as large as the largest image; a smaller image is centred in its cell,
 * and empty cells and margins are black. Returns a PNG without a `parameters` chunk.
 */
export async function makeGrid(pngs: Buffer[], columns: number): Promise<Buffer> {
  if (pngs.length === 0) throw new RangeError('grid needs at least one image');
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`grid columns must be ≥ 1, got ${columns}`);
  const images = await Promise.all(pngs.map((png) => decodeToRgb(png)));
  const cellWidth = Math.max(...images.map((image) => image.width));
  const cellHeight = Math.max(...images.map((image) => image.height));
  const columnCount = Math.min(columns, images.length);
  const rowCount = Math.ceil(images.length / columnCount);

  const overlays: OverlayOptions[] = images.map((image, index) => ({
    input: Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.length),
    raw: { width: image.width, height: image.height, channels: 3 },
    left: (index % columnCount) * cellWidth + Math.floor((cellWidth - image.width) / 2),
    top: Math.floor(index / columnCount) * cellHeight + Math.floor((cellHeight - image.height) / 2),
  }));
  return sharp({
    create: { width: cellWidth * columnCount, height: cellHeight * rowCount, channels: 3, background: EMPTY_CELL },
  })
    .composite(overlays)
    .png(PNG_OUTPUT_OPTIONS)
    .toBuffer();
}

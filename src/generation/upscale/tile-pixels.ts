/**
 * Moves pixels between an 8-bit RGB image and the float tensors an upscaler reads and writes:
 * planar RGB in [0, 1] (Real-ESRGAN's `img / 255.`), and back with `round(clamp(x, 0, 1) · 255)`
 * like `RealESRGANer.enhance`. Works one tile at a time so no float copy of the whole image exists.
 */
import type { RgbImage } from '../../images/rgb-image.ts';
import { roundHalfEven } from '../round-half-even.ts';
import { reflectIndex, type Tile } from './tiling.ts';

const UNIT_LOOKUP = Float32Array.from({ length: 256 }, (_, value) => value / 255);

/**
 * Fills `target` ([1, 3, feedHeight, feedWidth], planar) with the tile's window. Positions past
 * the window's real pixels (only when the image is smaller than a fixed model input) are mirrored.
 */
export function readTileWindow(image: RgbImage, tile: Tile, target: Float32Array): void {
  const { rows, columns } = tile;
  const plane = rows.feedLength * columns.feedLength;
  if (target.length !== 3 * plane) throw new RangeError(`tile buffer holds ${target.length} values, need ${3 * plane}`);
  const sourceColumns = Int32Array.from({ length: columns.feedLength }, (_, column) =>
    columns.windowStart + reflectIndex(column, columns.windowLength),
  );
  const pixels = image.pixels;
  for (let row = 0; row < rows.feedLength; row++) {
    const sourceRow = rows.windowStart + reflectIndex(row, rows.windowLength);
    const rowBase = sourceRow * image.width;
    const targetBase = row * columns.feedLength;
    for (let column = 0; column < columns.feedLength; column++) {
      const source = (rowBase + (sourceColumns[column] ?? 0)) * 3;
      const destination = targetBase + column;
      target[destination] = UNIT_LOOKUP[pixels[source] ?? 0] ?? 0;
      target[destination + plane] = UNIT_LOOKUP[pixels[source + 1] ?? 0] ?? 0;
      target[destination + 2 * plane] = UNIT_LOOKUP[pixels[source + 2] ?? 0] ?? 0;
    }
  }
}

/** `round(clamp(x, 0, 1) · 255)`; NaN (an fp16 overflow upstream) becomes black. */
export function unitToByte(value: number): number {
  if (!(value > 0)) return 0;
  if (value >= 1) return 255;
  return roundHalfEven(Math.fround(value * 255));
}

/**
 * Copies the core of one tile's model output ([1, 3, feedHeight·scale, feedWidth·scale]) into
 * the upscaled image; the padded margins are dropped (Real-ESRGAN's crop stitching).
 */
export function writeTileCore(output: Float32Array, tile: Tile, scale: number, target: RgbImage): void {
  const { rows, columns } = tile;
  const outputWidth = columns.feedLength * scale;
  const plane = rows.feedLength * scale * outputWidth;
  if (output.length !== 3 * plane) throw new RangeError(`tile output holds ${output.length} values, need ${3 * plane}`);
  const firstRow = (rows.coreStart - rows.windowStart) * scale;
  const firstColumn = (columns.coreStart - columns.windowStart) * scale;
  const coreRows = (rows.coreEnd - rows.coreStart) * scale;
  const coreColumns = (columns.coreEnd - columns.coreStart) * scale;
  const pixels = target.pixels;
  for (let row = 0; row < coreRows; row++) {
    const sourceBase = (firstRow + row) * outputWidth + firstColumn;
    let destination = ((rows.coreStart * scale + row) * target.width + columns.coreStart * scale) * 3;
    for (let column = 0; column < coreColumns; column++) {
      const source = sourceBase + column;
      pixels[destination++] = unitToByte(output[source] ?? 0);
      pixels[destination++] = unitToByte(output[source + plane] ?? 0);
      pixels[destination++] = unitToByte(output[source + 2 * plane] ?? 0);
    }
  }
}

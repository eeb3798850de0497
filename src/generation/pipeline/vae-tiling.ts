/**
 * Tiled VAE decode and encode, as diffusers' `AutoencoderKL.tiled_decode` / `tiled_encode` do
 * them (`enable_vae_tiling`): the input is cut into tiles of the VAE's native size that overlap by
 * a quarter, each tile runs through the model on its own, and each output tile is blended into its
 * upper and left neighbours over a quarter of a tile with linear weights before its top-left
 * `tile − blend` square is kept. Memory is that of one native-size tile whatever the image size
 * (the VAE's mid-block attention is quadratic in the number of latent pixels: 1 GB per head at
 * 1024², 17 GB at 2048²).
 *
 * Faithful details: tiles start every `int(tile · 0.75)` input pixels and the last ones are shorter
 * (not shifted inward); blending is in place, so a tile blended into its neighbours is what the
 * tile below and the tile to its right blend with; weights are `1 − y/extent` and `y/extent` as
 * float32 scalars. Pure: the model run is injected.
 */

/** diffusers' `tile_overlap_factor`. */
export const VAE_TILE_OVERLAP_FACTOR = 0.25;

/** Input [channels, height, width] of one tile, and what the model made of it. */
export interface VaeTileRun {
  (input: Float32Array, height: number, width: number): Promise<Float32Array>;
}

export interface TiledVaeOptions {
  /** Tile side in input pixels (decode: `tile_latent_min_size`; encode: `tile_sample_min_size`). */
  inputTile: number;
  /** Tile side in output pixels (decode: `tile_sample_min_size`; encode: `tile_latent_min_size`). */
  outputTile: number;
  /** Output channels (decode 3; encode 8 for `latent_parameters`, 4 for `latent_sample`). */
  outputChannels: number;
}

const f32 = Math.fround;

/** Whether diffusers would tile an input of this size: a side longer than the tile. */
export function needsVaeTiling(height: number, width: number, inputTile: number): boolean {
  return height > inputTile || width > inputTile;
}

/** `[start, length)` of every tile along an axis of `length` input pixels. */
export function vaeTileStarts(length: number, inputTile: number): number[] {
  const stride = Math.trunc(inputTile * (1 - VAE_TILE_OVERLAP_FACTOR));
  const starts: number[] = [];
  for (let start = 0; start < length; start += stride) starts.push(start);
  return starts;
}

function sliceTile(input: Float32Array, channels: number, height: number, width: number, top: number, left: number, tileHeight: number, tileWidth: number): Float32Array {
  const tile = new Float32Array(channels * tileHeight * tileWidth);
  for (let channel = 0; channel < channels; channel++) {
    for (let y = 0; y < tileHeight; y++) {
      const from = (channel * height + top + y) * width + left;
      tile.set(input.subarray(from, from + tileWidth), (channel * tileHeight + y) * tileWidth);
    }
  }
  return tile;
}

interface OutputTile {
  data: Float32Array;
  height: number;
  width: number;
}

/**
 * Fades the first `extent` lines of `second` in from the last lines of `first`, in place, with
 * float32 weights `1 − i/extent` and `i/extent`. A line is a row (`vertical`: `first` above
 * `second`) or a column (`first` left of `second`); each tile is [channels, height, width].
 */
function blendAlong(first: OutputTile, second: OutputTile, channels: number, extent: number, vertical: boolean): void {
  const lines = (tile: OutputTile): number => (vertical ? tile.height : tile.width);
  const lineStride = (tile: OutputTile): number => (vertical ? tile.width : 1);
  const positionStride = (tile: OutputTile): number => (vertical ? 1 : tile.width);
  const blend = Math.min(lines(first), lines(second), extent);
  const positions = vertical ? Math.min(first.width, second.width) : Math.min(first.height, second.height);
  const [firstLine, firstPosition, secondLine, secondPosition] = [lineStride(first), positionStride(first), lineStride(second), positionStride(second)];
  for (let i = 0; i < blend; i++) {
    const keep = f32(1 - i / blend);
    const take = f32(i / blend);
    const fromLine = lines(first) - blend + i;
    for (let channel = 0; channel < channels; channel++) {
      const a = channel * first.height * first.width + fromLine * firstLine;
      const b = channel * second.height * second.width + i * secondLine;
      for (let position = 0; position < positions; position++) {
        const into = b + position * secondPosition;
        second.data[into] = f32(f32(first.data[a + position * firstPosition]! * keep) + f32(second.data[into]! * take));
      }
    }
  }
}

/** diffusers `blend_v`: the top rows of `below` fade in from the bottom rows of `above`, in place. */
export function blendVertical(above: OutputTile, below: OutputTile, channels: number, extent: number): void {
  blendAlong(above, below, channels, extent, true);
}

/** diffusers `blend_h`: the left columns of `right` fade in from the right columns of `left`, in place. */
export function blendHorizontal(left: OutputTile, right: OutputTile, channels: number, extent: number): void {
  blendAlong(left, right, channels, extent, false);
}

/**
 * Runs `run` tile by tile over `input` [inputChannels, height, width] and returns the blended
 * output [outputChannels, height·s, width·s] with s = outputTile / inputTile. Only the previous
 * row of output tiles is kept while the next row runs.
 */
export async function runTiledVae(
  run: VaeTileRun,
  input: Float32Array,
  inputChannels: number,
  height: number,
  width: number,
  options: TiledVaeOptions,
): Promise<Float32Array> {
  const { inputTile, outputTile, outputChannels } = options;
  const scale = outputTile / inputTile;
  const outHeight = height * scale;
  const outWidth = width * scale;
  const blend = Math.trunc(outputTile * VAE_TILE_OVERLAP_FACTOR);
  const rowLimit = outputTile - blend;
  const output = new Float32Array(outputChannels * outHeight * outWidth);
  const rowStarts = vaeTileStarts(height, inputTile);
  const columnStarts = vaeTileStarts(width, inputTile);
  let previousRow: OutputTile[] = [];
  for (const [rowIndex, top] of rowStarts.entries()) {
    const row: OutputTile[] = [];
    for (const [columnIndex, left] of columnStarts.entries()) {
      const tileHeight = Math.min(inputTile, height - top);
      const tileWidth = Math.min(inputTile, width - left);
      const data = await run(sliceTile(input, inputChannels, height, width, top, left, tileHeight, tileWidth), tileHeight, tileWidth);
      const tile: OutputTile = { data, height: tileHeight * scale, width: tileWidth * scale };
      if (data.length !== outputChannels * tile.height * tile.width) {
        throw new Error(`VAE tile of ${tileHeight}×${tileWidth} returned ${data.length} values, expected ${outputChannels * tile.height * tile.width}`);
      }
      if (rowIndex > 0) blendVertical(previousRow[columnIndex]!, tile, outputChannels, blend);
      if (columnIndex > 0) blendHorizontal(row[columnIndex - 1]!, tile, outputChannels, blend);
      row.push(tile);
      // Keep the tile's top-left rowLimit × rowLimit (all of it for the last, shorter tiles).
      const keptHeight = Math.min(rowLimit, tile.height);
      const keptWidth = Math.min(rowLimit, tile.width);
      const outTop = rowIndex * rowLimit;
      const outLeft = columnIndex * rowLimit;
      for (let channel = 0; channel < outputChannels; channel++) {
        for (let y = 0; y < keptHeight; y++) {
          const from = (channel * tile.height + y) * tile.width;
          output.set(tile.data.subarray(from, from + keptWidth), (channel * outHeight + outTop + y) * outWidth + outLeft);
        }
      }
    }
    previousRow = row;
  }
  return output;
}

/**
 * UNet noise prediction on latent tiles for images much larger than the model's native size
 * (MultiDiffusion, Bar-Tal et al. 2023, as the A1111 "Tiled Diffusion" extension applies it to the
 * model output): every step, each overlapping native-size tile of the latents goes through the
 * UNet on its own and the predictions are averaged where tiles overlap. Self-attention memory is
 * quadratic in the latent pixels of one call (SD 1.5 at 1024²: 16384 tokens, 8 GB of scores per
 * row; at 2048² 137 GB), so with tiles a 2048² hires-fix step needs what a 512² step needs.
 * The scheduler still steps the whole latent once, so every scheduler works unchanged. A cancel
 * is honoured between tiles: a 2048² step is 25 tiles, minutes on a CPU with a real model.
 */
import { GenerationAbortedError } from './pipeline.errors.ts';

/** What the denoising loop asks of a UNet: a prediction for every row of `sample` at `t`. */
export interface NoisePredictor {
  /** `sample` is [rows, C, h, w]; the result may be reused by the next call. */
  predict(sample: Float32Array, t: number): Promise<Float32Array>;
}

/** One tile: top-left corner and size in latent pixels. */
export interface LatentTile {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Starts of `tile`-long windows covering [0, length) with at least `minOverlap` shared pixels
 * between neighbours, spread evenly; every window has the same length (so onnxruntime sees one
 * shape), the last one ends at `length`.
 */
export function tileStarts(length: number, tile: number, minOverlap: number): number[] {
  if (length <= tile) return [0];
  const count = Math.ceil((length - tile) / (tile - minOverlap)) + 1;
  return Array.from({ length: count }, (_, index) => Math.round((index * (length - tile)) / (count - 1)));
}

/** Tiles of `tile × tile` latent pixels (shorter sides stay whole) covering a `height × width` latent. */
export function planLatentTiles(height: number, width: number, tile: number, minOverlap: number): LatentTile[] {
  const tileHeight = Math.min(tile, height);
  const tileWidth = Math.min(tile, width);
  const tiles: LatentTile[] = [];
  for (const top of tileStarts(height, tile, minOverlap)) {
    for (const left of tileStarts(width, tile, minOverlap)) tiles.push({ top, left, height: tileHeight, width: tileWidth });
  }
  return tiles;
}

/**
 * Predicts a [rows, outputChannels, height, width] latent from tile-sized predictions of a
 * [rows, channels, height, width] input (an inpainting UNet reads 9 channels and predicts 4).
 * `tileRunner` predicts one tile's rows (it is built for the tiles' shape; all tiles share it). When `signal`
 * fires, the next tile is not run: `predict` throws {@link GenerationAbortedError} with the
 * steps (predictions) completed so far.
 */
export class TiledNoisePredictor implements NoisePredictor {
  readonly #input: Float32Array;
  readonly #output: Float32Array;
  /** 1 / number of tiles covering each latent pixel. */
  readonly #weights: Float32Array;
  #completedSteps = 0;

  constructor(
    private readonly tileRunner: NoisePredictor,
    private readonly rows: number,
    private readonly channels: number,
    private readonly height: number,
    private readonly width: number,
    private readonly tiles: readonly LatentTile[],
    private readonly signal: AbortSignal | undefined,
    private readonly outputChannels: number = channels,
  ) {
    const first = tiles[0];
    if (!first || tiles.some((tile) => tile.height !== first.height || tile.width !== first.width)) {
      throw new Error('latent tiles must all have the same size');
    }
    this.#input = new Float32Array(rows * channels * first.height * first.width);
    this.#output = new Float32Array(rows * outputChannels * height * width);
    const counts = new Float32Array(height * width);
    for (const tile of tiles) {
      for (let y = tile.top; y < tile.top + tile.height; y++) {
        for (let x = tile.left; x < tile.left + tile.width; x++) counts[y * width + x] = counts[y * width + x]! + 1;
      }
    }
    if (counts.some((count) => count === 0)) throw new Error('latent tiles leave part of the image uncovered');
    this.#weights = counts.map((count) => 1 / count);
  }

  async predict(sample: Float32Array, t: number): Promise<Float32Array> {
    const planes = this.rows * this.channels;
    const outputPlanes = this.rows * this.outputChannels;
    const plane = this.height * this.width;
    if (sample.length !== planes * plane) throw new Error(`tiled UNet input has ${sample.length} values, expected ${planes * plane}`);
    const output = this.#output;
    output.fill(0);
    for (const tile of this.tiles) {
      if (this.signal?.aborted) throw new GenerationAbortedError(this.#completedSteps);
      const tilePlane = tile.height * tile.width;
      for (let index = 0; index < planes; index++) {
        for (let y = 0; y < tile.height; y++) {
          const from = index * plane + (tile.top + y) * this.width + tile.left;
          this.#input.set(sample.subarray(from, from + tile.width), index * tilePlane + y * tile.width);
        }
      }
      const predicted = await this.tileRunner.predict(this.#input, t);
      for (let index = 0; index < outputPlanes; index++) {
        for (let y = 0; y < tile.height; y++) {
          const to = index * plane + (tile.top + y) * this.width + tile.left;
          const from = index * tilePlane + y * tile.width;
          for (let x = 0; x < tile.width; x++) output[to + x] = output[to + x]! + predicted[from + x]!;
        }
      }
    }
    for (let index = 0; index < outputPlanes; index++) {
      const base = index * plane;
      for (let pixel = 0; pixel < plane; pixel++) output[base + pixel] = Math.fround(output[base + pixel]! * this.#weights[pixel]!);
    }
    this.#completedSteps++;
    return output;
  }
}

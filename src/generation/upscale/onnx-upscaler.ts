/**
 * A Real-ESRGAN-style ONNX upscaler run tile by tile, so memory stays bounded by the tile size
 * whatever the image size: every run gets the same [1, 3, h, w] input (at most tile + 2·pad per
 * side, or exactly the model's static size), and only each tile's core is kept.
 */
import type { Logger } from 'pino';
import type { RgbImage } from '../../images/rgb-image.ts';
import { createSession, type ExecutionProviderChoice, type ModelSession, type TensorOutput } from '../onnx/index.ts';
import { readTileWindow, writeTileCore } from './tile-pixels.ts';
import { planTiles, type AxisLimit, type TilePlan } from './tiling.ts';
import { throwIfUpscaleAborted, UnsupportedUpscalerError } from './upscale.errors.ts';
import { checkScale, readUpscalerLayout, type UpscalerLayout } from './upscaler-layout.ts';

export interface TilingOptions {
  /** Largest tile core side in input pixels, for models with dynamic H/W (e.g. 192–512). */
  tileSize: number;
  /** Real context pixels fed around each tile and cropped away afterwards (Real-ESRGAN `tile_pad`, 10–16). */
  tilePad: number;
  /**
   * Model input sides must be multiples of this: 1 for Real-ESRGAN x4, 2 or 4 for its
   * pixel-unshuffle x2/x1 models, 8 for SwinIR windows.
   */
  sizeMultiple: number;
}

export interface LoadUpscalerOptions extends TilingOptions {
  provider: ExecutionProviderChoice;
  /** Intra-op threads; undefined = all cores. */
  threads: number | undefined;
  logger: Logger | undefined;
}

export interface TileProgress {
  completedTiles: number;
  totalTiles: number;
}

export interface TiledUpscaleOptions {
  /** Checked before every tile. */
  signal: AbortSignal | undefined;
  /** Called after each tile. */
  onProgress: ((progress: TileProgress) => void) | undefined;
}

export interface TiledUpscaleResult {
  image: RgbImage;
  scale: number;
  tiles: number;
  warnings: string[];
}

/** Side of the probe input for models whose scale cannot be read from static shapes. */
const PROBE_SIDE = 32;

function checkTiling(options: TilingOptions): void {
  const { tileSize, tilePad, sizeMultiple } = options;
  if (!Number.isInteger(tileSize) || tileSize < 16) throw new RangeError(`tileSize must be an integer ≥ 16, got ${tileSize}`);
  if (!Number.isInteger(tilePad) || tilePad < 0 || 2 * tilePad > tileSize) {
    throw new RangeError(`tilePad must be an integer in 0..tileSize/2, got ${tilePad}`);
  }
  if (!Number.isInteger(sizeMultiple) || sizeMultiple < 1 || sizeMultiple > tileSize) {
    throw new RangeError(`sizeMultiple must be an integer in 1..tileSize, got ${sizeMultiple}`);
  }
}

export class TiledOnnxUpscaler {
  private constructor(
    private readonly session: ModelSession,
    readonly layout: UpscalerLayout,
    /** Whole-number enlargement of the model (4 for Real-ESRGAN x4plus). */
    readonly scale: number,
    private readonly tiling: TilingOptions,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * Loads the .onnx file and learns its input name and scale (static shapes, else one small run).
   * @throws UnsupportedUpscalerError when the graph is not a single-image NCHW upscaler.
   */
  static async load(modelPath: string, options: LoadUpscalerOptions): Promise<TiledOnnxUpscaler> {
    checkTiling(options);
    const session = await createSession(modelPath, {
      provider: options.provider,
      threads: options.threads,
      freeDimensionOverrides: undefined,
      logger: options.logger,
    });
    try {
      return await TiledOnnxUpscaler.fromSession(session, options, options.logger);
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /** Wraps an already created session (tests inject fakes here). Takes ownership of it. */
  static async fromSession(session: ModelSession, tiling: TilingOptions, logger: Logger | undefined): Promise<TiledOnnxUpscaler> {
    checkTiling(tiling);
    const layout = readUpscalerLayout(session.inputs, session.outputs, session.path);
    const scale =
      layout.staticScale !== undefined
        ? checkScale(layout.staticScale, layout.staticScale, session.path)
        : await probeScale(session, layout, tiling.sizeMultiple);
    const { inputName, fixedHeight, fixedWidth } = layout;
    logger?.debug({ model: session.path, inputName, scale, fixedHeight, fixedWidth }, 'upscale.model.loaded');
    return new TiledOnnxUpscaler(session, layout, scale, tiling, logger);
  }

  /** The tiles an image of this size is cut into. */
  planFor(width: number, height: number): TilePlan {
    const limits = { rows: this.#limit(this.layout.fixedHeight), columns: this.#limit(this.layout.fixedWidth) };
    return planTiles(width, height, limits, this.tiling.tilePad);
  }

  #limit(fixed: number | undefined): AxisLimit {
    return fixed !== undefined
      ? { kind: 'fixed', size: fixed }
      : { kind: 'dynamic', maxLength: this.tiling.tileSize + 2 * this.tiling.tilePad, multiple: this.tiling.sizeMultiple };
  }

  /**
   * Upscales by {@link scale}. The output image is the only full-size buffer; floats exist for one tile at a time.
   * @throws UpscaleAbortedError when `signal` fires (checked before each tile).
   */
  async upscale(image: RgbImage, options: TiledUpscaleOptions): Promise<TiledUpscaleResult> {
    const started = performance.now();
    const plan = this.planFor(image.width, image.height);
    const first = plan.tiles[0];
    if (first === undefined) throw new Error('tile plan is empty');
    const feedDims = [1, 3, first.rows.feedLength, first.columns.feedLength];
    const feed = new Float32Array(3 * first.rows.feedLength * first.columns.feedLength);
    const expectedDims = [1, 3, first.rows.feedLength * this.scale, first.columns.feedLength * this.scale];
    const output: RgbImage = {
      width: image.width * this.scale,
      height: image.height * this.scale,
      pixels: new Uint8Array(image.width * this.scale * image.height * this.scale * 3),
    };
    const total = plan.tiles.length;
    for (const tile of plan.tiles) {
      throwIfUpscaleAborted(options.signal, tile.index, total);
      readTileWindow(image, tile, feed);
      const result = await runImage(this.session, this.layout, feed, feedDims);
      if (result === undefined || result.dims.join() !== expectedDims.join()) {
        throw new UnsupportedUpscalerError(
          this.session.path,
          `for input [${feedDims.join(', ')}] it returned [${result?.dims.join(', ') ?? 'nothing'}], expected [${expectedDims.join(', ')}]`,
        );
      }
      writeTileCore(result.data, tile, this.scale, output);
      options.onProgress?.({ completedTiles: tile.index + 1, totalTiles: total });
    }
    this.logger?.debug(
      { model: this.session.path, width: image.width, height: image.height, tiles: total, ms: Math.round(performance.now() - started) },
      'upscale.onnx.finished',
    );
    return { image: output, scale: this.scale, tiles: total, warnings: this.#padWarnings(plan) };
  }

  #padWarnings(plan: TilePlan): string[] {
    if (plan.tiles.length <= 1 || plan.pad >= this.tiling.tilePad) return [];
    return [`tile overlap reduced from ${this.tiling.tilePad} to ${plan.pad} px: the upscaler's fixed input is too small for more`];
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/** One model run on a [1, 3, h, w] input; returns the image output. */
async function runImage(
  session: ModelSession,
  layout: UpscalerLayout,
  data: Float32Array,
  dims: number[],
): Promise<TensorOutput | undefined> {
  const outputs = await session.run({ [layout.inputName]: { data, dims } }, [layout.outputName]);
  return outputs[layout.outputName];
}

/** Runs one small grey image through the model and measures how much larger the output is. */
async function probeScale(session: ModelSession, layout: UpscalerLayout, sizeMultiple: number): Promise<number> {
  const side = (fixed: number | undefined): number => fixed ?? Math.ceil(PROBE_SIDE / sizeMultiple) * sizeMultiple;
  const height = side(layout.fixedHeight);
  const width = side(layout.fixedWidth);
  const probe = new Float32Array(3 * height * width).fill(0.5);
  const result = await runImage(session, layout, probe, [1, 3, height, width]);
  const dims = result?.dims ?? [];
  if (dims.length !== 4 || dims[1] !== 3) {
    throw new UnsupportedUpscalerError(session.path, `a [1, 3, ${height}, ${width}] probe returned [${dims.join(', ')}]`);
  }
  return checkScale((dims[2] ?? 0) / height, (dims[3] ?? 0) / width, session.path);
}

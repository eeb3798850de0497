/**
 * The engine's upscaler: a tiled Real-ESRGAN-style ONNX model when one is configured, else the
 * diffusion hires fix. Either way the result is `outputScale`× the input (capped to `maxPixels`).
 */
import type { Logger } from 'pino';
import { resizeImage } from '../../images/index.ts';
import type { RgbImage } from '../../images/rgb-image.ts';
import type { ExecutionProviderChoice } from '../onnx/index.ts';
import { hiresFix, type Img2ImgFunction } from './hires-fix.ts';
import { TiledOnnxUpscaler, type LoadUpscalerOptions } from './onnx-upscaler.ts';
import { enlarges, upscaleTarget } from './upscale-size.ts';

export type UpscaleMethod = 'onnx' | 'hires-fix';

export interface UpscalerConfig {
  /** A Real-ESRGAN-style .onnx file; undefined = the diffusion hires fix. */
  modelPath: string | undefined;
  /** Largest tile core side in pixels for models with dynamic H/W. */
  tileSize: number;
  /** Overlap context per tile side (Real-ESRGAN `tile_pad`). */
  tilePad: number;
  /** Model input sides must be multiples of this (1 for Real-ESRGAN x4; 8 for SwinIR). */
  sizeMultiple: number;
  provider: ExecutionProviderChoice;
  /** Intra-op threads; undefined = all cores. */
  threads: number | undefined;
  /** Final enlargement; undefined = the method's own (the model's scale, 2 for the hires fix). */
  outputScale: number | undefined;
  /** Largest result in pixels; larger results are shrunk, with a warning. */
  maxPixels: number;
  /** img2img strength of the hires fix. */
  hiresStrength: number;
}

/** Sensible values for everything but the model: 2× results up to 2048×2048, hires strength 0.3. */
export const DEFAULT_UPSCALER_CONFIG: Readonly<Omit<UpscalerConfig, 'modelPath'>> = Object.freeze({
  tileSize: 256,
  tilePad: 16,
  sizeMultiple: 1,
  provider: 'auto',
  threads: undefined,
  outputScale: 2,
  maxPixels: 2048 * 2048,
  hiresStrength: 0.3,
});

/** Tiles done (ONNX) or stages done (hires fix: resize, img2img). */
export interface UpscaleProgress {
  method: UpscaleMethod;
  completed: number;
  total: number;
}

export interface UpscaleOptions {
  signal: AbortSignal | undefined;
  onProgress: ((progress: UpscaleProgress) => void) | undefined;
  /** The request's img2img (model, prompt, seed bound by the caller); needed only by the hires fix. */
  img2img: Img2ImgFunction | undefined;
}

export interface UpscaleResult {
  image: RgbImage;
  method: UpscaleMethod;
  /** Result width / input width. */
  scale: number;
  warnings: string[];
}

export interface Upscaler {
  readonly method: UpscaleMethod;
  /** @throws UpscaleAbortedError on abort; UnsupportedUpscalerError / OnnxModelLoadError for a bad model file. */
  upscale(image: RgbImage, options: UpscaleOptions): Promise<UpscaleResult>;
  /** Frees the ONNX session, if one was loaded. */
  close(): Promise<void>;
}

export interface UpscalerDeps {
  logger: Logger | undefined;
  /** Loads the ONNX upscaler; undefined = {@link TiledOnnxUpscaler.load}. Tests inject fake sessions here. */
  loadOnnx: ((modelPath: string, options: LoadUpscalerOptions) => Promise<TiledOnnxUpscaler>) | undefined;
}

/** Builds the configured upscaler. The ONNX model loads on first use and stays loaded until `close()`. */
export function createUpscaler(config: UpscalerConfig, deps: UpscalerDeps): Upscaler {
  if (config.outputScale !== undefined && !(config.outputScale > 1)) {
    throw new RangeError(`outputScale must be > 1, got ${config.outputScale}`);
  }
  return config.modelPath === undefined ? new HiresFixUpscaler(config) : new OnnxUpscaler(config.modelPath, config, deps);
}

class HiresFixUpscaler implements Upscaler {
  readonly method = 'hires-fix';
  constructor(private readonly config: UpscalerConfig) {}

  async upscale(image: RgbImage, options: UpscaleOptions): Promise<UpscaleResult> {
    if (options.img2img === undefined) throw new Error('the hires-fix upscaler needs an img2img function');
    const result = await hiresFix(image, {
      img2img: options.img2img,
      strength: this.config.hiresStrength,
      factor: this.config.outputScale ?? 2,
      maxPixels: this.config.maxPixels,
      signal: options.signal,
      onStage: (completed, total) => options.onProgress?.({ method: 'hires-fix', completed, total }),
    });
    return { ...result, method: 'hires-fix' };
  }

  async close(): Promise<void> {}
}

class OnnxUpscaler implements Upscaler {
  readonly method = 'onnx';
  #loading: Promise<TiledOnnxUpscaler> | undefined;

  constructor(
    private readonly modelPath: string,
    private readonly config: UpscalerConfig,
    private readonly deps: UpscalerDeps,
  ) {}

  #model(): Promise<TiledOnnxUpscaler> {
    if (this.#loading === undefined) {
      const load = this.deps.loadOnnx ?? ((modelPath, options) => TiledOnnxUpscaler.load(modelPath, options));
      const { tileSize, tilePad, sizeMultiple, provider, threads } = this.config;
      this.#loading = load(this.modelPath, { tileSize, tilePad, sizeMultiple, provider, threads, logger: this.deps.logger });
      // A failed load is retried on the next call rather than cached forever.
      this.#loading.catch(() => {
        this.#loading = undefined;
      });
    }
    return this.#loading;
  }

  async upscale(image: RgbImage, options: UpscaleOptions): Promise<UpscaleResult> {
    const model = await this.#model();
    const factor = this.config.outputScale ?? model.scale;
    const target = upscaleTarget(image.width, image.height, factor, this.config.maxPixels, 1);
    if (!enlarges(target, image.width, image.height)) {
      const limit = `already at the upscale limit of ${this.config.maxPixels} pixels`;
      return { image, method: 'onnx', scale: 1, warnings: [`not upscaled: ${image.width}×${image.height} is ${limit}`] };
    }
    const tiled = await model.upscale(image, {
      signal: options.signal,
      onProgress: (progress) => options.onProgress?.({ method: 'onnx', completed: progress.completedTiles, total: progress.totalTiles }),
    });
    const warnings = [...tiled.warnings];
    if (target.capped) {
      const size = `${target.width}×${target.height}`;
      warnings.push(`upscaled to ${size} instead of ${factor}×: results are limited to ${this.config.maxPixels} pixels`);
    }
    if (factor > model.scale) {
      warnings.push(`the upscaler model enlarges ${model.scale}×; the rest up to ${factor}× is a plain Lanczos resize`);
    }
    const final =
      target.width === tiled.image.width && target.height === tiled.image.height
        ? tiled.image
        : await resizeImage(tiled.image, target.width, target.height, 'lanczos3');
    return { image: final, method: 'onnx', scale: final.width / image.width, warnings };
  }

  async close(): Promise<void> {
    const loading = this.#loading;
    this.#loading = undefined;
    if (loading === undefined) return;
    const model = await loading.catch(() => undefined);
    await model?.release();
  }
}

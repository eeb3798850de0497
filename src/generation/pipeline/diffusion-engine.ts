/**
 * The engine the generation service talks to: resolves a model name or folder, keeps recently
 * used pipelines loaded, checks the request, runs the pipeline and returns PNGs that carry
 * A1111 `parameters` text.
 */
import path from 'node:path';
import { MAX_IMAGES_PER_REQUEST } from '../engine.types.ts';
import type { Logger } from 'pino';
import type {
  GenerateOptions,
  GenerationRequest,
  GenerationResult,
  ImageEngine,
  GeneratedImage,
  GenerationTimings,
} from '../engine.types.ts';
import { encodePng, formatA1111Parameters, resizeImage } from '../../images/index.ts';
import { inspectModelFolder, type ModelFolderInfo } from '../models/model-folder.ts';
import { ModelHashCache } from '../models/model-hash.ts';
import { resolveModel, type ModelLocations } from '../models/model-resolve.ts';
import type { ExecutionProviderChoice } from '../onnx/index.ts';
import { inspectTaesdFolder, type LatentSpace } from '../models/taesd-folder.ts';
import type { CatalogEntry } from '../models/model-catalog.ts';
import { a1111SamplerLabel, chooseScheduler, parseSchedulerConfig } from '../schedulers/index.ts';
import type { Upscaler } from '../upscale/index.ts';
import { upscalePng } from './engine-upscale.ts';
import { runEdit } from './engine-edit.ts';
import type { EditRequest, EditResult, ImageEditor } from '../edit.types.ts';
import { PipelineCache } from './pipeline-cache.ts';
import { ModelUnavailableError } from './pipeline.errors.ts';
import { StableDiffusionPipeline, type PipelineOutput } from './stable-diffusion.pipeline.ts';
import type { CfgBatching } from './unet-runner.ts';
import { chooseDecoders, type DecoderSetup, type FinalDecoder, type PreviewDecoderSetting } from './decoder-choice.ts';

export interface DiffusionEngineOptions {
  /** Catalog and models folder; undefined = only folder paths are accepted (tests, CLI with a path). */
  locations: ModelLocations | undefined;
  provider: ExecutionProviderChoice;
  /** Intra-op threads; undefined = all cores. */
  threads: number | undefined;
  cfgBatching: CfgBatching;
  /** Pipelines kept loaded (1–2: each holds the whole model in memory). */
  cachedPipelines: number;
  /** Folder for rewritten and optimised ONNX graphs (`<dataDir>/cache/onnx`); omitted = under the OS temp folder. */
  modelCacheDir?: string | undefined;
  /** `engine.decoder`: the final images from the model's VAE or TAESD (LCM/Turbo keep their VAE unless the catalog says); omitted = full. */
  decoder?: FinalDecoder | undefined;
  /** `engine.previewDecoder`; omitted = auto (TAESD when installed). */
  previewDecoder?: PreviewDecoderSetting | undefined;
  /** TAESD folders by latent space (`<models.dir>/taesd`, `<models.dir>/taesdxl`) and the command that installs each. */
  taesd?: Partial<Record<LatentSpace, { dir: string; installHint: string | undefined }>> | undefined;
  /** `createUpscaler(...)` from the upscale room; undefined = `upscale()` refuses. */
  upscaler: Upscaler | undefined;
  logger: Logger | undefined;
  /** Told each time a model's sessions have loaded, with how long it took (metrics, readiness). */
  onPipelineLoaded?: ((model: string, ms: number) => void) | undefined;
}

/** Largest batch a request may ask for. */
export { MAX_IMAGES_PER_REQUEST };

/** A model as the engine found it: its folder facts and the name written into PNGs. */
interface ResolvedModelRef {
  key: string;
  displayName: string;
  info: ModelFolderInfo;
  /** undefined for a folder that is not in the catalog. */
  entry: CatalogEntry | undefined;
}

/** Rounds a side to the nearest multiple of `multiple` (at least one multiple). */
export function roundToMultiple(value: number, multiple: number): number {
  return Math.max(multiple, Math.round(value / multiple) * multiple);
}

export class DiffusionEngine implements ImageEngine, ImageEditor {
  readonly #cache: PipelineCache<StableDiffusionPipeline>;
  /** A1111 `Model hash` per model folder, computed in the background when a model loads. */
  readonly #hashes: ModelHashCache;

  constructor(private readonly options: DiffusionEngineOptions) {
    this.#cache = new PipelineCache(options.cachedPipelines, options.logger);
    const { modelCacheDir } = options;
    this.#hashes = new ModelHashCache(modelCacheDir === undefined ? undefined : path.join(modelCacheDir, 'model-hashes.json'));
  }

  /**
   * The model's A1111 short hash (see `model-hash.ts`), waiting for it if needed; undefined when
   * its files cannot be read. Jobs never wait for it: PNGs carry it once it is known.
   */
  async modelHash(model: string): Promise<string | undefined> {
    return this.#hashes.start((await this.#resolve(model)).info);
  }

  async generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    const started = performance.now();
    const warnings: string[] = [];
    if (!Number.isInteger(request.count) || request.count < 1 || request.count > MAX_IMAGES_PER_REQUEST) {
      throw new RangeError(`count must be 1–${MAX_IMAGES_PER_REQUEST}, got ${request.count}`);
    }
    const model = await this.#resolve(request.model);
    warnings.push(...model.info.warnings);
    const seeds = Array.from({ length: request.count }, (_, index) => request.seed + index);
    const output = await this.#cache.use(
      model.key,
      () => this.#load(model),
      (pipeline) => {
        const multiple = pipeline.sizeMultiple;
        const width = roundToMultiple(request.width, multiple);
        const height = roundToMultiple(request.height, multiple);
        if (width !== request.width || height !== request.height) {
          warnings.push(`size rounded to ${width}×${height} (this model's UNet needs multiples of ${multiple} px)`);
        }
        return pipeline.generate(
          {
            prompt: request.prompt,
            negativePrompt: request.negativePrompt,
            seeds,
            steps: request.steps,
            guidance: request.guidance,
            scheduler: request.scheduler,
            width,
            height,
            initImage: request.initImage,
          },
          { signal: options.signal, onProgress: options.onProgress, previews: options.previews },
        );
      },
    );
    const images = await this.#encodeImages(request, model, output);
    return {
      images,
      timings: { ...output.timings, totalMs: performance.now() - started },
      warnings: [...warnings, ...output.warnings],
    };
  }

  /**
   * Zoom Out, Pan, Vary (Region) or Remix of `request.image` (`engine-edit.ts`): an inpainting
   * model runs its 9-channel UNet, any other model the known-region blend; the result says which.
   * Zoom and Pan generate only the new part at about the source's size, then compose.
   */
  async edit(request: EditRequest, options: GenerateOptions): Promise<EditResult> {
    const started = performance.now();
    if (!Number.isInteger(request.count) || request.count < 1 || request.count > MAX_IMAGES_PER_REQUEST) {
      throw new RangeError(`count must be 1–${MAX_IMAGES_PER_REQUEST}, got ${request.count}`);
    }
    const model = await this.#resolve(request.model);
    const seeds = Array.from({ length: request.count }, (_, index) => request.seed + index);
    const edited = await this.#cache.use(model.key, () => this.#load(model), (pipeline) => runEdit(pipeline, request, seeds, options));
    const { canvas } = edited.plan;
    const images = await this.#encodeImages(
      { ...request, width: canvas.width, height: canvas.height, initImage: { image: request.image, strength: edited.strength } },
      model,
      edited.output,
    );
    const path = edited.output.editPath;
    if (path === undefined) throw new Error('the pipeline ran an edit without inpainting');
    return {
      images,
      timings: { ...edited.output.timings, totalMs: performance.now() - started },
      warnings: [...model.info.warnings, ...edited.output.warnings],
      path,
      width: canvas.width,
      height: canvas.height,
      mask: edited.mask,
    };
  }

  /**
   * 2× (or the configured factor) upscale of one PNG: the ONNX upscaler when configured, else the
   * hires fix, whose img2img pass uses the request's model, prompt, seed, steps and guidance.
   */
  async upscale(png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    const { upscaler } = this.options;
    if (!upscaler) throw new Error('no upscaler is configured for this engine');
    const started = performance.now();
    const model = await this.#resolve(request.model);
    const schedulerName = chooseScheduler(request.scheduler, model.info.defaultScheduler, model.info.lcm);
    const sampler = a1111SamplerLabel(schedulerName, parseSchedulerConfig(model.info.schedulerConfig));
    let img2imgTimings: GenerationTimings | undefined;
    const modelRef = { name: model.displayName, hash: this.#hashes.known(model.info) };
    const result = await upscalePng(upscaler, png, request, modelRef, sampler, options, async (image, strength, signal) => {
      const output = await this.#cache.use(model.key, () => this.#load(model), async (pipeline) => {
        // The hires size is a multiple of 8; a UNet that needs more gets the nearest valid size and
        // the result is resized back, since the upscaler expects its own size returned.
        const width = roundToMultiple(image.width, pipeline.sizeMultiple);
        const height = roundToMultiple(image.height, pipeline.sizeMultiple);
        const generated = await pipeline.generate(
          {
            prompt: request.prompt,
            negativePrompt: request.negativePrompt,
            seeds: [request.seed],
            steps: request.steps,
            guidance: request.guidance,
            scheduler: request.scheduler,
            width,
            height,
            initImage: { image, strength },
          },
          { signal, onProgress: options.onProgress, previews: options.previews },
        );
        const first = generated.images[0]!;
        if (width === image.width && height === image.height) return generated;
        const resized = await resizeImage(first.image, image.width, image.height, 'lanczos3');
        return { ...generated, images: [{ ...first, image: resized }] };
      });
      img2imgTimings = output.timings;
      const generated = output.images[0]!;
      return { image: generated.image, nsfw: generated.nsfw, samplerLabel: output.samplerLabel };
    });
    const totalMs = performance.now() - started;
    return {
      images: [result.image],
      timings: img2imgTimings ? { ...img2imgTimings, totalMs } : { totalMs, textEncodeMs: 0, denoiseMs: 0, decodeMs: 0, stepMs: [] },
      warnings: result.warnings,
    };
  }

  /**
   * Loads a model's sessions and runs one tiny step (the smallest size, no guidance) in the
   * background at start-up, so the first person does not wait for session creation (issue 16).
   * A job for the same model meanwhile shares the load. Never throws: a failure is logged and the
   * first job loads (and reports) again.
   */
  async warmUp(model: string): Promise<void> {
    const started = performance.now();
    try {
      const resolved = await this.#resolve(model);
      await this.#cache.use(resolved.key, () => this.#load(resolved), (pipeline) =>
        pipeline.generate(
          { prompt: '', negativePrompt: '', seeds: [0], steps: 1, guidance: 1, scheduler: undefined, width: pipeline.sizeMultiple, height: pipeline.sizeMultiple, initImage: undefined },
          { signal: undefined, onProgress: undefined, previews: false },
        ),
      );
      this.options.logger?.info({ model, ms: Math.round(performance.now() - started) }, 'engine.warmed_up');
    } catch (error) {
      this.options.logger?.warn({ err: error, model }, 'engine.warm_up_failed');
    }
  }

  /** Releases every loaded pipeline and the upscaler's session. */
  async close(): Promise<void> {
    await this.#cache.clear();
    await this.options.upscaler?.close();
  }

  async #resolve(nameOrDir: string): Promise<ResolvedModelRef> {
    if (this.options.locations) {
      const resolved = await resolveModel(nameOrDir, this.options.locations);
      if (!resolved.ok) throw new ModelUnavailableError(resolved);
      return { key: resolved.info.dir, displayName: resolved.entry?.name ?? path.basename(resolved.info.dir), info: resolved.info, entry: resolved.entry };
    }
    const info = await inspectModelFolder(nameOrDir, { catalogFamily: undefined });
    if (!info.ok) throw new ModelUnavailableError(info);
    return { key: info.dir, displayName: path.basename(info.dir), info, entry: undefined };
  }

  async #load(model: ResolvedModelRef): Promise<StableDiffusionPipeline> {
    const loadStarted = performance.now();
    // Reads the UNet once in the background (cached by path, size and mtime); never awaited here.
    void this.#hashes.start(model.info).then((hash) => {
      if (hash !== undefined) this.options.logger?.info({ model: model.displayName, hash }, 'model.hashed');
    });
    const pipeline = await StableDiffusionPipeline.load(model.info, {
      provider: this.options.provider,
      threads: this.options.threads,
      logger: this.options.logger,
      cfgBatching: this.options.cfgBatching,
      catalogFamily: undefined,
      sessionHook: undefined,
      modelCacheDir: this.options.modelCacheDir,
      decoders: await this.#decoders(model),
    });
    const loadMs = performance.now() - loadStarted;
    this.options.logger?.info({ model: model.displayName, family: model.info.family, ms: Math.round(loadMs) }, 'pipeline.loaded');
    this.options.onPipelineLoaded?.(model.displayName, loadMs);
    return pipeline;
  }

  /** The decoders for `model` (see `decoder-choice.ts`); a TAESD chosen but not installed is logged, never fatal. */
  async #decoders(model: ResolvedModelRef): Promise<DecoderSetup> {
    const space: LatentSpace = model.info.parts.textEncoder2 !== undefined ? 'sdxl' : 'sd';
    const configured = this.options.decoder ?? 'full';
    const preview = this.options.previewDecoder ?? 'auto';
    const source = this.options.taesd?.[space];
    const wanted = configured === 'taesd' || preview !== 'latent' || model.entry?.decoder === 'taesd';
    const choice = chooseDecoders({
      configured,
      preview,
      catalogDecoder: model.entry?.decoder,
      family: model.info.family,
      space,
      taesd: source && wanted ? await inspectTaesdFolder(source.dir) : undefined,
      installHint: source?.installHint,
    });
    for (const note of choice.notes) this.options.logger?.warn({ model: model.displayName }, `engine.decoder: ${note}`);
    this.options.logger?.info({ model: model.displayName, decoder: choice.final, previews: choice.preview, taesd: choice.taesd?.dir }, 'engine.decoders');
    return choice;
  }

  async #encodeImages(request: GenerationRequest, model: ResolvedModelRef, output: PipelineOutput): Promise<GeneratedImage[]> {
    const images: GeneratedImage[] = [];
    const modelHash = this.#hashes.known(model.info);
    for (const [index, generated] of output.images.entries()) {
      const parameters = formatA1111Parameters({
        prompt: request.prompt,
        // A1111's infotext has no way to say "explicitly empty": both are no line.
        negativePrompt: request.negativePrompt ?? '',
        steps: request.steps,
        sampler: output.samplerLabel,
        cfgScale: request.guidance,
        seed: generated.seed,
        width: generated.image.width,
        height: generated.image.height,
        model: model.displayName,
        modelHash,
        denoisingStrength: request.initImage?.strength,
        extra: output.vae === undefined ? {} : { VAE: output.vae },
      });
      images.push({
        index,
        seed: generated.seed,
        width: generated.image.width,
        height: generated.image.height,
        png: await encodePng(generated.image, parameters),
        nsfw: generated.nsfw,
      });
    }
    return images;
  }
}

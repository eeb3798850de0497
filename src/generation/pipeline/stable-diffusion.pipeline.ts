/**
 * Stable Diffusion (SD 1.x/2.x, Turbo, LCM, SDXL) txt2img and img2img on ONNX sessions, in
 * diffusers' order of operations so that a seed gives the image diffusers gives for
 * `generator=[torch.Generator().manual_seed(seed + i) for i in range(count)]`.
 */
import type { NoiseSource, SchedulerName } from '../engine.types.ts';
import { resizeImage } from '../../images/index.ts';
import type { ModelFolderInfo } from '../models/model-folder.ts';
import type { ModelSession } from '../onnx/index.ts';
import { TorchGenerator } from '../rng/torch-generator.ts';
import {
  a1111SamplerLabel,
  chooseScheduler,
  createScheduler,
  img2imgTimesteps,
  parseSchedulerConfig,
  withStableDiffusionPipelineFixes,
  type Scheduler,
  type SchedulerConfig,
} from '../schedulers/index.ts';
import { buildConditioning } from './conditioning-rows.ts';
import { runDenoiseLoop } from './denoise-loop.ts';
import { initialNoise } from './initial-latents.ts';
import { prepareInpaint, type InpaintStart } from './inpaint-latents.ts';
import { fullMask, greyImage, resizeMask } from './inpaint-mask.ts';
import { noisePredictorFor, planLargeImage, type LargeImagePlan } from './large-image.ts';
import { progressWithLazyPreview } from './latent-preview.ts';
import { readVaeEncoderOutput, type VaeEncoderOutput } from './model-signature.ts';
import { PerImageNoise } from './per-image-noise.ts';
import { loadModel, openPart, type LoadedModel, type PipelineLoadOptions } from './pipeline-loader.ts';
import { throwIfAborted } from './pipeline.errors.ts';
import { checkImageSafety } from './safety-checker.ts';
import { validateRequest, type PipelineOutput, type PipelineImage, type PipelineRequest, type PipelineRunOptions } from './pipeline-request.ts';
import { encodeTextConditioning } from './text-conditioning.ts';
import { PREDICTED_CHANNELS, UnetRunner, unetRowsPerCall } from './unet-runner.ts';
import { decodeLatents, encodeInitLatents } from './vae-codec.ts';

export class StableDiffusionPipeline {
  #vaeEncoder: Promise<{ session: ModelSession; output: VaeEncoderOutput }> | undefined;
  /** The model's VAE decoder when loading skipped it (TAESD makes the final images). */
  #vaeDecoder: Promise<ModelSession> | undefined;

  private constructor(
    private readonly model: LoadedModel,
    private readonly options: PipelineLoadOptions,
  ) {}

  /** Opens a diffusers ONNX model folder (a path, or the result of `inspectModelFolder`). */
  static async load(source: string | ModelFolderInfo, options: PipelineLoadOptions): Promise<StableDiffusionPipeline> {
    return new StableDiffusionPipeline(await loadModel(source, options), options);
  }

  /** What the folder inspection found (family, sample size, scaling factor…). */
  get info(): ModelFolderInfo {
    return this.model.info;
  }

  get isSdxl(): boolean {
    return this.model.sdxl;
  }

  get isLcm(): boolean {
    return this.model.lcm;
  }

  /** Image sides must be multiples of this (64 for SD 1.x/2.x UNets, 32 for SDXL). */
  get sizeMultiple(): number {
    return this.model.sizeMultiple;
  }

  /** What makes the final images (`taesd` only when its folder was there at load) and the previews. */
  get decoders(): { final: 'full' | 'taesd'; preview: 'latent' | 'taesd'; taesd: string | undefined } {
    const { taesd } = this.model;
    return {
      final: taesd && this.options.decoders?.final === 'taesd' ? 'taesd' : 'full',
      preview: taesd && this.options.decoders?.preview === 'taesd' ? 'taesd' : 'latent',
      taesd: taesd?.folder.name,
    };
  }

  get hasSafetyChecker(): boolean {
    return this.model.safetyChecker !== undefined;
  }

  /**
   * The folder's scheduler config as `name` sees it: with the fix-ups diffusers' SD 1.x/2.x
   * pipelines apply at load (`steps_offset` 1, no `clip_sample`; the SDXL and LCM pipelines leave
   * it as it is), used as loaded when `name` is the folder's own scheduler, else through
   * `from_config` (keys the file does not set take `name`'s class defaults).
   */
  #schedulerConfig(name: SchedulerName): SchedulerConfig {
    const parsed = parseSchedulerConfig(this.model.info.schedulerConfig);
    if (this.model.sdxl || this.model.lcm) return parsed;
    return withStableDiffusionPipelineFixes(parsed, name === this.model.info.defaultScheduler ? 'as-loaded' : 'from-config');
  }

  /** Chooses the scheduler: the request's, else the folder's class, else LCM for LCM UNets / Euler. */
  #schedulerName(requested: SchedulerName | undefined): SchedulerName {
    return chooseScheduler(requested, this.model.info.defaultScheduler, this.model.lcm);
  }

  async generate(request: PipelineRequest, options: PipelineRunOptions): Promise<PipelineOutput> {
    const started = performance.now();
    validateRequest(request, this.model.sizeMultiple);
    const { model } = this;
    const warnings: string[] = [];
    const images = request.seeds.length;
    const guided = !model.lcm && request.guidance > 1;
    const negativeGiven = (request.negativePrompt ?? '').trim() !== '';
    if (model.lcm && negativeGiven) warnings.push('LCM models ignore the negative prompt');
    else if (!guided && !model.lcm && negativeGiven) {
      warnings.push('the negative prompt has no effect at guidance ≤ 1');
    }

    const textStarted = performance.now();
    const { positive, negative } = await encodeTextConditioning(model.encoders, {
      prompt: request.prompt,
      guided,
      negativePrompt: request.negativePrompt,
      zeroUnsetNegative: model.sdxl && model.info.forceZerosForEmptyPrompt,
    });
    const textEncodeMs = performance.now() - textStarted;
    throwIfAborted(options.signal, 0);

    const schedulerName = this.#schedulerName(request.scheduler);
    const schedulerConfig = this.#schedulerConfig(schedulerName);
    warnings.push(...schedulerConfig.warnings);
    const scheduler = createScheduler(schedulerName, schedulerConfig);
    const generators = request.seeds.map((seed) => new TorchGenerator(seed));
    const noise = new PerImageNoise(generators);
    const latentHeight = request.height / 8;
    const latentWidth = request.width / 8;
    // Larger than the model's native size: tiled VAE and, well above it, tiled UNet work (large-image.ts).
    const large = planLargeImage(model.info.sampleSize, request.width, request.height);

    let timesteps: readonly number[];
    let latents: Float32Array;
    const inpaint = await this.#inpaintStart(request, scheduler, generators, noise, large, warnings);
    if (inpaint) {
      timesteps = inpaint.timesteps;
      latents = inpaint.latents;
    } else if (request.initImage) {
      const prepared = await this.#img2imgLatents(request, scheduler, generators, noise, warnings);
      timesteps = prepared.timesteps;
      latents = prepared.latents;
    } else {
      scheduler.setTimesteps(request.steps);
      timesteps = [...scheduler.timesteps];
      latents = await initialNoise(generators, 4 * latentHeight * latentWidth, scheduler.initNoiseSigma);
    }

    const { conditioning, rows } = buildConditioning({
      positive,
      negative,
      images,
      width: request.width,
      height: request.height,
      guidance: request.guidance,
      unet: model.unetSignature,
    });
    const rowsPerCall = unetRowsPerCall(this.options.cfgBatching, model.unet.provider, rows);
    // An inpainting UNet reads 9 channels (added around the whole latent, so tiles get their part of the mask) and predicts 4.
    const unetRunner = noisePredictorFor(large, rows, [model.unetSignature.inputChannels, latentHeight, latentWidth], (height, width) =>
      new UnetRunner(model.unet, conditioning, rows, [model.unetSignature.inputChannels, height, width], rowsPerCall),
      options.signal,
      PREDICTED_CHANNELS,
    );
    const runner = inpaint ? inpaint.predictor(unetRunner) : unetRunner;
    const decoders = this.decoders;
    const taesd = model.taesd;
    // TAESD previews decode image 0 whole (it is conv-only: memory grows with the pixels, no attention), in tiles above native size.
    // One at a time: a preview asked for while another still decodes is the latent-RGB one, so slow
    // previews never pile up beside the UNet (each decode is a model run on the same cores).
    let previewDecoding = false;
    const previewDecode =
      decoders.preview === 'taesd' && taesd
        ? async (snapshot: Float32Array) => {
            if (previewDecoding) throw new Error('a TAESD preview is still decoding');
            previewDecoding = true;
            try {
              return await decodeLatents(taesd.session, snapshot, 0, latentHeight, latentWidth, taesd.folder.scalingFactor, large.vaeTile);
            } finally {
              previewDecoding = false;
            }
          }
        : undefined;
    const stepMs: number[] = [];
    const denoiseStarted = performance.now();
    let stepStarted = denoiseStarted;
    latents = await runDenoiseLoop({
      scheduler,
      timesteps,
      latents,
      images,
      runner,
      guided,
      guidance: request.guidance,
      noise,
      afterStep: inpaint?.afterStep,
      signal: options.signal,
      onStep: (stepIndex, current, denoised) => {
        const now = performance.now();
        stepMs.push(now - stepStarted);
        stepStarted = now;
        const previewFrom = options.previews ? (denoised ?? current) : undefined;
        options.onProgress?.(
          progressWithLazyPreview(stepIndex + 1, timesteps.length, previewFrom, latentHeight, latentWidth, model.sdxl ? 'sdxl' : 'sd', previewDecode),
        );
      },
    });
    const denoiseMs = performance.now() - denoiseStarted;

    const decodeStarted = performance.now();
    const output: PipelineImage[] = [];
    // TAESD (diffusers AutoencoderTiny) decodes `latents / scaling_factor` with its own factor, 1.0: the raw UNet-space latents.
    const decoder =
      decoders.final === 'taesd' && taesd
        ? { session: taesd.session, scalingFactor: taesd.folder.scalingFactor }
        : { session: await this.#openVaeDecoder(), scalingFactor: model.info.scalingFactor };
    for (const [index, seed] of request.seeds.entries()) {
      const image = await decodeLatents(decoder.session, latents, index, latentHeight, latentWidth, decoder.scalingFactor, large.vaeTile);
      const nsfw = model.safetyChecker
        ? await checkImageSafety(model.safetyChecker.session, image, model.safetyChecker.preprocessing)
        : undefined;
      output.push({ seed, image, nsfw });
    }
    const decodeMs = performance.now() - decodeStarted;
    this.options.logger?.debug(
      { steps: timesteps.length, images, textEncodeMs, denoiseMs, decodeMs },
      'pipeline.generated',
    );
    return {
      images: output,
      scheduler: schedulerName,
      samplerLabel: a1111SamplerLabel(schedulerName, schedulerConfig),
      stepsRun: timesteps.length,
      editPath: inpaint?.path,
      vae: decoders.final === 'taesd' ? decoders.taesd : undefined,
      timings: { totalMs: performance.now() - started, textEncodeMs, denoiseMs, decodeMs, stepMs },
      warnings,
    };
  }

  /**
   * Inpainting (diffusers `StableDiffusionInpaintPipeline`, `inpaint-latents.ts`) when the request
   * has a mask, and for every run on a 9-channel UNet: txt2img and img2img there are inpainting
   * with everything masked. undefined for plain txt2img/img2img on an ordinary model.
   */
  async #inpaintStart(
    request: PipelineRequest,
    scheduler: Scheduler,
    generators: readonly TorchGenerator[],
    noise: NoiseSource,
    large: LargeImagePlan,
    warnings: string[],
  ): Promise<InpaintStart | undefined> {
    const channels = this.model.unetSignature.inputChannels;
    if (request.mask === undefined && channels === 4) return undefined;
    let image = request.initImage?.image ?? greyImage(request.width, request.height);
    let mask = request.mask ?? fullMask(image.width, image.height);
    if (mask.width !== image.width || mask.height !== image.height) {
      throw new RangeError(`the mask is ${mask.width}×${mask.height} but the image is ${image.width}×${image.height}`);
    }
    if (image.width !== request.width || image.height !== request.height) {
      image = await resizeImage(image, request.width, request.height, 'lanczos3');
      mask = resizeMask(mask, request.width, request.height);
    }
    return prepareInpaint({
      source: { image, mask, strength: request.initImage?.strength ?? 1 },
      width: request.width,
      height: request.height,
      steps: request.steps,
      scheduler,
      generators,
      noise,
      encoder: await this.#openVaeEncoder(),
      scalingFactor: this.model.info.scalingFactor,
      vaeTile: large.vaeTile,
      unetInputChannels: channels,
      warnings,
    });
  }

  /** diffusers img2img `prepare_latents`: encode, sample the posterior, add noise at the first kept timestep. */
  async #img2imgLatents(
    request: PipelineRequest,
    scheduler: Scheduler,
    generators: readonly TorchGenerator[],
    noise: NoiseSource,
    warnings: string[],
  ): Promise<{ timesteps: readonly number[]; latents: Float32Array }> {
    const init = request.initImage!;
    let { timesteps } = img2imgTimesteps(scheduler, request.steps, init.strength);
    if (timesteps.length === 0) {
      // diffusers refuses a strength below 1/steps; one step is what the person meant.
      timesteps = img2imgTimesteps(scheduler, request.steps, Math.min(1, (1 + 1e-9) / request.steps)).timesteps;
      warnings.push(`strength ${init.strength} × ${request.steps} steps is less than one step; ran 1 step`);
    }
    const first = timesteps[0];
    if (first === undefined) throw new Error('img2img: the scheduler returned no timesteps');
    let image = init.image;
    if (image.width !== request.width || image.height !== request.height) {
      image = await resizeImage(image, request.width, request.height, 'lanczos3');
    }
    const encoder = await this.#openVaeEncoder();
    const { vaeTile } = planLargeImage(this.model.info.sampleSize, request.width, request.height);
    const encoded = await encodeInitLatents(encoder.session, encoder.output, image, generators, this.model.info.scalingFactor, vaeTile);
    const latents = scheduler.addNoise(encoded, noise.randn(encoded.length), first);
    return { timesteps, latents };
  }

  #openVaeDecoder(): Promise<ModelSession> {
    if (this.model.vaeDecoder) return Promise.resolve(this.model.vaeDecoder);
    this.#vaeDecoder ??= openPart('vae_decoder', this.model.info.parts.vaeDecoder, this.options);
    this.#vaeDecoder.catch(() => (this.#vaeDecoder = undefined));
    return this.#vaeDecoder;
  }

  #openVaeEncoder(): Promise<{ session: ModelSession; output: VaeEncoderOutput }> {
    const file = this.model.info.parts.vaeEncoder;
    if (!file) return Promise.reject(new Error(`${this.model.info.dir} has no vae_encoder/model.onnx; img2img needs it`));
    this.#vaeEncoder ??= openPart('vae_encoder', file, this.options).then((session) => ({ session, output: readVaeEncoderOutput(session.outputs, session.path) }));
    // A failed open is not cached, so a later request retries.
    this.#vaeEncoder.catch(() => (this.#vaeEncoder = undefined));
    return this.#vaeEncoder;
  }

  /** Frees every session. */
  async release(): Promise<void> {
    const sessions = [
      this.model.unet,
      ...(this.model.vaeDecoder ? [this.model.vaeDecoder] : []),
      ...(this.model.taesd ? [this.model.taesd.session] : []),
      ...this.model.encoders.map((encoder) => encoder.session),
      ...(this.model.safetyChecker ? [this.model.safetyChecker.session] : []),
    ];
    const encoder = this.#vaeEncoder;
    this.#vaeEncoder = undefined;
    if (encoder) sessions.push(...(await encoder.then((opened) => [opened.session]).catch(() => [])));
    const decoder = this.#vaeDecoder;
    this.#vaeDecoder = undefined;
    if (decoder) sessions.push(...(await decoder.then((opened) => [opened]).catch(() => [])));
    await Promise.allSettled(sessions.map((session) => session.release()));
  }
}

export type { PipelineImage, PipelineOutput, PipelineRequest, PipelineRunOptions } from './pipeline-request.ts';

/**
 * What one pipeline run takes and returns, and the checks a request must pass.
 */
import type { EditPath, MaskImage } from '../edit.types.ts';
import type { GenerationTimings, SchedulerName, StepProgress } from '../engine.types.ts';
import type { RgbImage } from '../../images/rgb-image.ts';

/** One pipeline run: every image shares the prompt and settings; image i uses `seeds[i]`. */
export interface PipelineRequest {
  prompt: string;
  /** undefined = none given (diffusers `negative_prompt=None`; SDXL zeroes it); "" is encoded. */
  negativePrompt: string | undefined;
  seeds: readonly number[];
  steps: number;
  guidance: number;
  /** undefined = the folder's own scheduler class. */
  scheduler: SchedulerName | undefined;
  /** Multiples of the pipeline's `sizeMultiple`. */
  width: number;
  height: number;
  initImage: { image: RgbImage; strength: number } | undefined;
  /**
   * Inpainting: repaint where the mask is white (binarised at 0.5), keep the rest of `initImage`
   * (same size as it). Omitted = txt2img/img2img (on a 9-channel UNet: inpainting with a full mask).
   */
  mask?: MaskImage | undefined;
}

export interface PipelineRunOptions {
  signal: AbortSignal | undefined;
  onProgress: ((progress: StepProgress) => void) | undefined;
  previews: boolean;
}

export interface PipelineImage {
  seed: number;
  image: RgbImage;
  /** undefined when the folder has no safety checker (not checked). */
  nsfw: boolean | undefined;
}

export interface PipelineOutput {
  images: PipelineImage[];
  scheduler: SchedulerName;
  /** A1111 sampler label for the infotext (`Euler a`, `DPM++ 2M Karras`). */
  samplerLabel: string;
  /** Denoising steps actually run (fewer than requested for img2img strength < 1). */
  stepsRun: number;
  /** How an inpainting run used the UNet (see `EditPath`); undefined for txt2img/img2img on an ordinary model. */
  editPath?: EditPath | undefined;
  /** The decoder of the final images when it is not the model's own VAE (the TAESD folder's name, `taesd`); A1111 writes it as `VAE: …`. */
  vae: string | undefined;
  timings: GenerationTimings;
  warnings: string[];
}

/** Throws a RangeError listing everything wrong with a request (a caller bug: the engine checks first). */
export function validateRequest(request: PipelineRequest, sizeMultiple: number): void {
  const problems: string[] = [];
  if (request.seeds.length < 1) problems.push('at least one seed is needed');
  if (!Number.isInteger(request.steps) || request.steps < 1) problems.push(`steps must be a positive integer, got ${request.steps}`);
  if (request.width % sizeMultiple !== 0 || request.height % sizeMultiple !== 0 || request.width < 1 || request.height < 1) {
    problems.push(`width and height must be positive multiples of ${sizeMultiple} for this model, got ${request.width}x${request.height}`);
  }
  if (request.initImage && !(request.initImage.strength > 0 && request.initImage.strength <= 1)) {
    problems.push(`img2img strength must be in (0, 1], got ${request.initImage.strength}`);
  }
  if (!Number.isFinite(request.guidance)) problems.push('guidance must be a number');
  if (request.mask && !request.initImage) problems.push('a mask needs an init image to keep the unmasked part of');
  if (problems.length > 0) throw new RangeError(problems.join('; '));
}

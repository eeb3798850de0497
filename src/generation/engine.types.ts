/**
 * The contract between the generation service and the diffusion engine. Platform-free and
 * library-free: nothing here imports onnxruntime, sharp or Prisma.
 */

import type { SchedulerName } from './schedulers/scheduler-names.ts';
import type { RgbImage } from '../images/rgb-image.ts';

/** Most images one request may ask for. */
export const MAX_IMAGES_PER_REQUEST = 4;

/** Scheduler names accepted everywhere; each one's row is in the schedulers' registry. */
export { SCHEDULER_NAMES, type SchedulerName } from './schedulers/scheduler-names.ts';

/** A source of standard-normal noise (made by `rng/`, drawn by the schedulers and the pipeline). */
export type { NoiseSource } from './rng/noise-source.ts';

/** What a person asked for; every field explicit so each caller decides. */
export interface GenerationRequest {
  /** Catalog name or model folder path. */
  model: string;
  prompt: string;
  /**
   * undefined when no negative prompt was given (diffusers' `negative_prompt=None`: SDXL models
   * with `force_zeros_for_empty_prompt` then use zero embeddings); an explicitly empty string is
   * encoded like any text. The service stores "" for "none given" (see the job runner).
   */
  negativePrompt: string | undefined;
  /** Seed of the first image; image i uses seed + i. */
  seed: number;
  steps: number;
  guidance: number;
  scheduler: SchedulerName | undefined;
  width: number;
  height: number;
  /** 1–4 images. */
  count: number;
  /** img2img source and strength in (0, 1]; undefined for txt2img. */
  initImage: { image: RgbImage; strength: number } | undefined;
}

export interface StepProgress {
  step: number;
  totalSteps: number;
  /** Cheap preview (linear latent→RGB), only when requested. */
  preview: RgbImage | undefined;
  /**
   * The best preview there is, only when requested: TAESD's decode of the step's latents when the
   * engine is set up for it (a model run, so made only when called), else `preview`.
   */
  previewImage?: (() => Promise<RgbImage | undefined>) | undefined;
}

export interface GeneratedImage {
  index: number;
  seed: number;
  width: number;
  height: number;
  /** PNG bytes, with an A1111 `parameters` text chunk. */
  png: Buffer;
  /** true/false when a safety checker ran; undefined when the model has none (not checked). */
  nsfw: boolean | undefined;
}

export interface GenerationTimings {
  totalMs: number;
  textEncodeMs: number;
  denoiseMs: number;
  decodeMs: number;
  stepMs: number[];
}

export interface GenerationResult {
  images: GeneratedImage[];
  timings: GenerationTimings;
  /** Settings the engine could not honour, in words (e.g. "size rounded to 512×512"). */
  warnings: string[];
}

export interface GenerateOptions {
  signal: AbortSignal | undefined;
  onProgress: ((progress: StepProgress) => void) | undefined;
  /** Ask for previews in progress callbacks. */
  previews: boolean;
}

/** The shared diffusion pipeline as the service sees it. */
export interface ImageEngine {
  generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult>;
  /** 2× upscale of one PNG (ONNX upscaler when configured, else hires fix). */
  upscale(png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult>;
}

/**
 * A hand-written fake of the diffusion engine for service tests and the benchmark: a fixed time
 * per step, progress after every step, an AbortSignal checked between steps, and tiny 8×8 PNGs
 * (a colour derived from each image's seed) that report the requested size.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GenerateOptions, GeneratedImage, GenerationRequest, GenerationResult, ImageEngine } from '../../../src/generation/engine.types.ts';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import { encodePng } from '../../../src/images/index.ts';

export interface FakeEngineCall {
  kind: 'generate' | 'upscale';
  request: GenerationRequest;
  /** Size of the image a variation or upscale started from. */
  source: { width: number; height: number } | undefined;
}

export interface FakeEngineOptions {
  stepMs: number;
  /** Images whose prompt contains this word come back flagged by the "safety checker". */
  nsfwWord: string | undefined;
  /** Requests whose prompt contains this word throw a plain Error (a bug). */
  failWord: string | undefined;
  /** Called before each step sleeps (tests move an injected clock here). */
  onStep: ((step: number) => void) | undefined;
  /** When set, progress also carries `previewImage()` answering this (as the engine does with TAESD previews). */
  decodedPreview?: ((seed: number) => RgbImage) | undefined;
}

class FakeAbortError extends Error {
  override readonly name = 'AbortError';
}

/** 8×8 pixels in one colour made from the seed: different seeds, different bytes. */
export function seedImage(seed: number): RgbImage {
  const pixels = new Uint8Array(8 * 8 * 3);
  for (let offset = 0; offset < pixels.length; offset += 3) {
    pixels[offset] = seed & 0xff;
    pixels[offset + 1] = (seed >>> 8) & 0xff;
    pixels[offset + 2] = (seed >>> 16) & 0xff;
  }
  return { width: 8, height: 8, pixels };
}

export class FakeImageEngine implements ImageEngine {
  readonly calls: FakeEngineCall[] = [];
  /** Ids of completed runs, in order (prompt + seed), to count how often a job ran to the end. */
  readonly completed: string[] = [];
  /** performance.now() spans of every run, to subtract the engine's own time in benchmarks. */
  readonly spans: Array<{ start: number; end: number }> = [];

  constructor(private readonly options: FakeEngineOptions) {}

  async generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    const source = request.initImage ? { width: request.initImage.image.width, height: request.initImage.image.height } : undefined;
    this.calls.push({ kind: 'generate', request, source });
    const steps = request.initImage ? Math.max(1, Math.floor(request.steps * request.initImage.strength)) : request.steps;
    return this.#run(request, steps, request.count, 1, options);
  }

  async upscale(_png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    this.calls.push({ kind: 'upscale', request, source: { width: request.width, height: request.height } });
    return this.#run(request, 2, 1, 2, options);
  }

  async #run(request: GenerationRequest, steps: number, count: number, scale: number, options: GenerateOptions): Promise<GenerationResult> {
    const started = performance.now();
    const stepMs: number[] = [];
    for (let step = 1; step <= steps; step++) {
      if (options.signal?.aborted) throw new FakeAbortError(`aborted after ${step - 1} steps`);
      this.options.onStep?.(step);
      const before = performance.now();
      // Always yields, so work scheduled by progress callbacks runs between steps as it would for real.
      await sleep(this.options.stepMs);
      stepMs.push(performance.now() - before);
      if (options.signal?.aborted) throw new FakeAbortError(`aborted after ${step} steps`);
      const decoded = options.previews ? this.options.decodedPreview : undefined;
      options.onProgress?.({
        step,
        totalSteps: steps,
        preview: options.previews ? seedImage(request.seed) : undefined,
        ...(decoded && { previewImage: () => Promise.resolve(decoded(request.seed)) }),
      });
    }
    if (this.options.failWord !== undefined && request.prompt.includes(this.options.failWord)) throw new Error('fake engine exploded');
    const images: GeneratedImage[] = [];
    for (let index = 0; index < count; index++) {
      const seed = request.seed + index;
      images.push({
        index,
        seed,
        width: request.width * scale,
        height: request.height * scale,
        png: await encodePng(seedImage(seed), `${request.prompt}\nSeed: ${seed}`),
        nsfw: this.options.nsfwWord !== undefined ? request.prompt.includes(this.options.nsfwWord) : undefined,
      });
    }
    this.completed.push(`${request.prompt}#${request.seed}`);
    const end = performance.now();
    this.spans.push({ start: started, end });
    const totalMs = end - started;
    return { images, timings: { totalMs, textEncodeMs: 0, denoiseMs: totalMs, decodeMs: 0, stepMs }, warnings: [] };
  }
}

/**
 * A hand-written fake of the diffusion engine for service tests and the benchmark: a fixed time
 * per step, progress after every step, an AbortSignal checked between steps, and tiny 8×8 PNGs
 * (a colour derived from each image's seed) that report the requested size.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GenerateOptions, GeneratedImage, GenerationRequest, GenerationResult, ImageEngine } from '../../../src/generation/engine.types.ts';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import type { EditOperation, EditRequest, EditResult, ImageEditor, MaskImage } from '../../../src/generation/edit.types.ts';
import { encodePng } from '../../../src/images/index.ts';

export interface FakeEngineCall {
  kind: 'generate' | 'upscale' | 'edit';
  /** The edit's operation (kind `edit`). */
  operation?: EditOperation | undefined;
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
  /** PNGs of the size they report (one colour) instead of 8×8: edits read their source's size from it. */
  truePixels?: boolean | undefined;
}

class FakeAbortError extends Error {
  override readonly name = 'AbortError';
}

/** 8×8 pixels in one colour made from the seed: different seeds, different bytes. */
export function seedImage(seed: number, width = 8, height = 8): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let offset = 0; offset < pixels.length; offset += 3) {
    pixels[offset] = seed & 0xff;
    pixels[offset + 1] = (seed >>> 8) & 0xff;
    pixels[offset + 2] = (seed >>> 16) & 0xff;
  }
  return { width, height, pixels };
}

/** 8-pixel latent cells: the fake's own arithmetic of an edit's finished size (as the engine's plan). */
const toCell = (value: number) => Math.max(8, Math.round(value / 8) * 8);
function fakeEditSize(source: { width: number; height: number }, operation: EditOperation): { width: number; height: number } {
  if (operation.kind === 'zoom') return { width: toCell(source.width * operation.factor), height: toCell(source.height * operation.factor) };
  if (operation.kind === 'pan') {
    return operation.direction === 'left' || operation.direction === 'right'
      ? { width: source.width + toCell(source.width / 2), height: source.height }
      : { width: source.width, height: source.height + toCell(source.height / 2) };
  }
  return { ...source };
}

/**
 * Also an {@link ImageEditor}: an edit makes the size the engine's plan makes from the decoded
 * source (use `truePixels` so the source PNG has its reported size), path `inpaint` for models whose
 * name contains "inpaint", else `legacy-blend`.
 */
export class FakeImageEngine implements ImageEngine, ImageEditor {
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

  async edit(request: EditRequest, options: GenerateOptions): Promise<EditResult> {
    const source = { width: request.image.width, height: request.image.height };
    const size = fakeEditSize(source, request.operation);
    const generation: GenerationRequest = { ...request, ...size, initImage: undefined };
    this.calls.push({ kind: 'edit', request: generation, source, operation: request.operation });
    const result = await this.#run(generation, Math.max(1, Math.ceil(request.steps / 2)), request.count, 1, options);
    const mask: MaskImage = { width: size.width, height: size.height, pixels: new Uint8Array(size.width * size.height).fill(255) };
    return { ...result, path: /inpaint/i.test(request.model) ? 'inpaint' : 'legacy-blend', ...size, mask };
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
        png: await encodePng(
          this.options.truePixels ? seedImage(seed, request.width * scale, request.height * scale) : seedImage(seed),
          `${request.prompt}\nSeed: ${seed}`,
        ),
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

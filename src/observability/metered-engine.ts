/**
 * An ImageEngine that records the engine's own timings of every result (step, per-image and
 * VAE decode histograms) and passes everything through unchanged. The generation service gets
 * this one; the composition root keeps the real engine for warm-up and close.
 */
import type { GenerateOptions, GenerationRequest, GenerationResult, ImageEngine } from '../generation/engine.types.ts';
import type { DarkroomMetrics } from './darkroom-metrics.ts';

export class MeteredEngine implements ImageEngine {
  constructor(
    private readonly inner: ImageEngine,
    private readonly metrics: DarkroomMetrics,
  ) {}

  async generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    return this.#record('generate', await this.inner.generate(request, options));
  }

  async upscale(png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    return this.#record('upscale', await this.inner.upscale(png, request, options));
  }

  #record(operation: 'generate' | 'upscale', result: GenerationResult): GenerationResult {
    const { timings } = result;
    this.metrics.engineRun({ operation, totalMs: timings.totalMs, decodeMs: timings.decodeMs, stepMs: timings.stepMs, images: result.images.length });
    return result;
  }
}

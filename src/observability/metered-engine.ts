/**
 * An ImageEngine that records the engine's own timings of every result (step, per-image and
 * VAE decode histograms) and passes everything through unchanged. The generation service gets
 * this one; the composition root keeps the real engine for warm-up and close.
 */
import type { GenerateOptions, GenerationRequest, GenerationResult, ImageEngine } from '../generation/engine.types.ts';
import type { EditRequest, EditResult, ImageEditor } from '../generation/edit.types.ts';
import type { DarkroomMetrics } from './darkroom-metrics.ts';

export class MeteredEngine implements ImageEngine, ImageEditor {
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

  /** Edits (issue 15) when the inner engine can; otherwise the runner's "cannot edit" failure. */
  async edit(request: EditRequest, options: GenerateOptions): Promise<EditResult> {
    const inner = this.inner as ImageEngine & Partial<ImageEditor>;
    if (typeof inner.edit !== 'function') throw Object.assign(new Error('this engine cannot edit images'), { name: 'EditUnsupportedError' });
    return this.#record('edit', await inner.edit(request, options));
  }

  #record<R extends GenerationResult>(operation: 'generate' | 'upscale' | 'edit', result: R): R {
    const { timings } = result;
    this.metrics.engineRun({ operation, totalMs: timings.totalMs, decodeMs: timings.decodeMs, stepMs: timings.stepMs, images: result.images.length });
    return result;
  }
}

/**
 * Errors the pipeline throws on purpose. The generation service recognises them by `name` /
 * `code`, never by message text.
 */

/** Generation stopped because the caller's AbortSignal fired. `name === 'AbortError'` like DOM aborts. */
export class GenerationAbortedError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'aborted';
  constructor(readonly completedSteps: number) {
    super(`generation cancelled after ${completedSteps} step(s)`);
  }
}

/** The model folder holds something this pipeline cannot run (inpainting UNet, x4 upscaler, …). */
export class UnsupportedModelError extends Error {
  override readonly name = 'UnsupportedModelError';
  readonly code = 'unsupported_model';
}

/** Throws {@link GenerationAbortedError} when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, completedSteps: number): void {
  if (signal?.aborted) throw new GenerationAbortedError(completedSteps);
}

/**
 * Errors the upscaler throws on purpose; callers recognise them by `name` / `code`.
 */

/** Upscaling stopped because the caller's AbortSignal fired. `name === 'AbortError'` like DOM aborts. */
export class UpscaleAbortedError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'aborted';
  /** Work units done and planned: tiles for the ONNX upscaler, stages (resize, img2img) for the hires fix. */
  constructor(
    readonly completed: number,
    readonly total: number,
  ) {
    super(`upscale cancelled after ${completed} of ${total} step(s)`);
  }
}

/**
 * The configured .onnx file is not an image upscaler this code can drive (several inputs, not
 * NCHW RGB, a non-integer or inconsistent scale…). The configuration must change.
 */
export class UnsupportedUpscalerError extends Error {
  override readonly name = 'UnsupportedUpscalerError';
  readonly code = 'unsupported_upscaler';
  constructor(
    readonly modelPath: string,
    reason: string,
  ) {
    super(`${modelPath} cannot be used as an upscaler: ${reason}`);
  }
}

/** Throws {@link UpscaleAbortedError} when `signal` has fired. */
export function throwIfUpscaleAborted(signal: AbortSignal | undefined, completed: number, total: number): void {
  if (signal?.aborted) throw new UpscaleAbortedError(completed, total);
}

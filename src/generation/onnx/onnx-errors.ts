/**
 * Errors a person can act on when a model file does not load. Both are thrown (the model folder is
 * unusable as configured); callers map them to words via `code`.
 */

/**
 * Contrib ops that GPU-optimised exports (Olive / ORT transformers optimizer with `use_gpu`) fuse
 * in, and that have no CPU kernel in onnxruntime 1.30 (shared notes §0.5, §9).
 */
export const GPU_ONLY_OPS: ReadonlySet<string> = new Set([
  'GroupNorm',
  'SkipGroupNorm',
  'BiasSplitGelu',
  'NhwcConv',
  'BiasAdd',
  'PackedAttention',
  'PackedMultiHeadAttention',
  'DecoderMaskedMultiHeadAttention',
  'DecoderMaskedSelfAttention',
]);

/** The model contains fused GPU-only ops and was asked to run on the CPU. */
export class GpuOnlyModelError extends Error {
  readonly code = 'gpu-only-model';
  constructor(
    readonly filePath: string,
    readonly op: string,
    options: { cause: unknown },
  ) {
    super(
      `${filePath}: this model needs a GPU build (it uses the GPU-only operator ${op}, which has no CPU ` +
        `implementation). Use a CPU/"cpu" revision of the model, or run with a CUDA/DirectML provider.`,
      options,
    );
    this.name = 'GpuOnlyModelError';
  }
}

export type OnnxLoadErrorCode = 'missing-file' | 'missing-external-data' | 'invalid-model';

/** A model file that is missing, incomplete or unreadable. The message names the file. */
export class OnnxModelLoadError extends Error {
  constructor(
    readonly code: OnnxLoadErrorCode,
    readonly filePath: string,
    message: string,
    options: { cause: unknown } | undefined,
  ) {
    super(message, options);
    this.name = 'OnnxModelLoadError';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns an onnxruntime creation error on the CPU into one of the errors above. */
export function translateLoadError(error: unknown, filePath: string): Error {
  const message = messageOf(error);
  const missingKernel = /Could not find an implementation for (\w+)\(\d+\) node/.exec(message);
  if (missingKernel?.[1] && GPU_ONLY_OPS.has(missingKernel[1])) {
    return new GpuOnlyModelError(filePath, missingKernel[1], { cause: error });
  }
  const missingData = /External data path does not exist: "?([^"\n]+)"?/.exec(message);
  if (missingData?.[1]) {
    return new OnnxModelLoadError(
      'missing-external-data',
      filePath,
      `${filePath}: its external weights file ${missingData[1]} is missing (it must sit next to the .onnx file; ` +
        'was the download complete?)',
      { cause: error },
    );
  }
  return new OnnxModelLoadError('invalid-model', filePath, `Could not load ONNX model ${filePath}: ${message}`, {
    cause: error,
  });
}

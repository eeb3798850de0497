/**
 * The ONNX layer: the only code that imports onnxruntime-node. Import from here.
 */
export type {
  ExecutionProviderChoice,
  IoInfo,
  ModelSession,
  SessionOptions,
  SessionTuningOptions,
  TensorInput,
  TensorOutput,
} from './onnx.types.ts';
export { createSession } from './onnx-session.ts';
export { availableExecutionProviders } from './execution-provider.ts';
export { GpuOnlyModelError, OnnxModelLoadError, type OnnxLoadErrorCode } from './onnx-errors.ts';
export { float16BitsToFloat32, float32ToFloat16Bits } from './tensor-cast.ts';
export { CPU_SESSION_DEFAULTS, LEGACY_SESSION_TUNING } from './session-tuning.ts';

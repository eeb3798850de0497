/**
 * The onnxruntime session settings the engine uses, with the CPU defaults chosen by measurement
 * (issues 12 and 16, `npm run bench -- engine` on the sd15-topology fixture):
 *
 * - memory pattern off on CPU: with it, ORT plans a second arena block the size of the whole
 *   activation set on the second run (SD1.5 UNet 10.2 → 6.9 GB peak, same time per call);
 * - legacy `baddbmm` zero branches removed from the graph (exact; less memory and time);
 * - graph optimisation `extended`: creates sessions faster than `all` at the same run time;
 * - the optimised graph saved once (`optimizedModelFilePath`) and loaded on later starts.
 */
import os from 'node:os';
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import type { SessionOptions, SessionTuningOptions } from './onnx.types.ts';

/** Engine-level session settings; `SessionOptions.tuning` may override each one. */
export type SessionTuning = SessionTuningOptions;

/** The engine's defaults on the CPU (GPU providers keep onnxruntime's memory pattern). */
export const CPU_SESSION_DEFAULTS: Readonly<SessionTuning> = Object.freeze({
  memoryPattern: false,
  graphOptimization: 'extended',
  rewriteZeroBranches: true,
  cacheOptimizedGraph: true,
});

/** The settings before issues 12/16, kept for the benchmark's side-by-side comparison. */
export const LEGACY_SESSION_TUNING: Readonly<SessionTuning> = Object.freeze({
  memoryPattern: true,
  graphOptimization: 'all',
  rewriteZeroBranches: false,
  cacheOptimizedGraph: false,
});

/** Defaults merged with the caller's overrides. */
export function resolveTuning(options: SessionOptions): SessionTuning {
  return { ...CPU_SESSION_DEFAULTS, ...options.tuning };
}

/** The folder for derived model files: the caller's, else one per user under the OS temp folder. */
export function resolveCacheDir(options: SessionOptions): string {
  return options.cacheDir ?? path.join(os.tmpdir(), `darkroom-onnx-cache-${process.getuid?.() ?? 'user'}`);
}

/** onnxruntime session options for one provider. */
export function ortOptions(provider: string, options: SessionOptions, tuning: SessionTuning): ort.InferenceSession.SessionOptions {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    // Only the one provider: with [provider, 'cpu'] onnxruntime-common silently drops an unknown
    // provider and the session would claim a provider it does not use. ORT still places nodes a
    // GPU provider cannot run on its built-in CPU kernels.
    executionProviders: [provider],
    graphOptimizationLevel: tuning.graphOptimization,
    intraOpNumThreads: options.threads ?? os.availableParallelism(),
    logSeverityLevel: 3,
    // Idle intra-op threads otherwise spin-wait and compete with the event loop (and with other
    // processes) for cores between runs; measured on the bench UNet (2 cores): less CPU time and
    // faster JS work between steps, no slower runs.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  if (provider === 'cpu') sessionOptions.enableMemPattern = tuning.memoryPattern;
  // Passed through for bindings that honour it; the onnxruntime-node 1.30 binding does not read
  // this option (verified: other sizes still run), so it is a hint, never a guarantee.
  if (options.freeDimensionOverrides) sessionOptions.freeDimensionOverrides = { ...options.freeDimensionOverrides };
  // DirectML cannot use memory patterns or parallel execution (onnxruntime DML EP docs).
  if (provider === 'dml') Object.assign(sessionOptions, { enableMemPattern: false, executionMode: 'sequential' });
  return sessionOptions;
}

/**
 * Options that also save the optimised graph to `optimizedPath`, its weights in a file next to it
 * (a graph over 2 GB cannot be one protobuf).
 */
export function withOptimizedModelOutput(
  sessionOptions: ort.InferenceSession.SessionOptions,
  optimizedPath: string,
  weightsFile: string,
): ort.InferenceSession.SessionOptions {
  const extra = (sessionOptions.extra ?? {}) as { session?: Record<string, unknown> };
  return {
    ...sessionOptions,
    optimizedModelFilePath: optimizedPath,
    extra: {
      ...extra,
      session: {
        ...extra.session,
        optimized_model_external_initializers_file_name: weightsFile,
        optimized_model_external_initializers_min_size_in_bytes: '1024',
      },
    },
  };
}

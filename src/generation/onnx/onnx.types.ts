/**
 * The ONNX layer as the rest of the engine sees it. Library-free on purpose: callers import these
 * types without pulling onnxruntime-node into their own module graph.
 */
import type { Logger } from 'pino';

/** Where a session runs. `auto` picks the best accelerator that loads, else the CPU. */
export type ExecutionProviderChoice = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml';

/**
 * Data handed to {@link ModelSession.run}. The element type is given by the array class:
 * Float32Array = float32, Int32Array = int32, BigInt64Array = int64, Uint16Array = float16 bits.
 * The session casts it to whatever the model declares.
 */
export interface TensorInput {
  data: Float32Array | Int32Array | BigInt64Array | Uint16Array;
  dims: readonly number[];
}

/** A model output, always as float32 (float16, int and bool outputs are converted). */
export interface TensorOutput {
  data: Float32Array;
  dims: number[];
}

/** Name, element type and declared shape of one model input or output. */
export interface IoInfo {
  name: string;
  /** onnxruntime type name: 'float32' | 'float16' | 'int32' | 'int64' | 'bool' | … */
  type: string;
  /** Static dims as numbers; symbolic dims by their name ('' when unnamed). `[]` = scalar. */
  shape: Array<number | string>;
}

/** One loaded ONNX graph. */
export interface ModelSession {
  /** Absolute path of the `.onnx` file. */
  readonly path: string;
  /** Execution provider actually used ('cpu', 'cuda', …), after any fallback. */
  readonly provider: string;
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  hasInput(name: string): boolean;
  /**
   * Runs the graph. Each feed is cast and reshaped to the declared input (see `input-feed.ts`);
   * feeds that already match pass through without a copy. Returns the requested outputs
   * (all outputs when `outputNames` is undefined).
   */
  run(feeds: Record<string, TensorInput>, outputNames?: readonly string[]): Promise<Record<string, TensorOutput>>;
  /** Frees native memory. The session cannot run afterwards. */
  release(): Promise<void>;
}

export interface SessionOptions {
  provider: ExecutionProviderChoice;
  /** Intra-op threads; undefined = all available cores. */
  threads: number | undefined;
  /**
   * Fixed sizes for symbolic dims (e.g. `{ batch_size: 2, height: 64 }`), letting ORT plan memory.
   * A hint: onnxruntime-node 1.30's binding ignores it (the web binding honours it).
   */
  freeDimensionOverrides: Record<string, number> | undefined;
  logger: Logger | undefined;
  /**
   * Folder for model files derived once (rewritten and optimised graphs, see `model-cache.ts`);
   * the engine passes `<dataDir>/cache/onnx`. Omitted = a per-user folder under the OS temp folder.
   */
  cacheDir?: string | undefined;
  /** Overrides of the engine's session defaults (`CPU_SESSION_DEFAULTS`); omitted = the defaults. */
  tuning?: Partial<SessionTuningOptions> | undefined;
}

/** Session settings the engine tunes (see `session-tuning.ts` for the measured defaults). */
export interface SessionTuningOptions {
  /** onnxruntime's memory-pattern planning on the CPU (`enableMemPattern`); default off. */
  memoryPattern: boolean;
  /** Graph optimisation level; default `extended`. */
  graphOptimization: 'basic' | 'extended' | 'all';
  /** Remove legacy exports' zero `baddbmm` branches (exact); default on. */
  rewriteZeroBranches: boolean;
  /** CPU: save the optimised graph once and load it on later starts; default on. */
  cacheOptimizedGraph: boolean;
}

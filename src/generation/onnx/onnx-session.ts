/**
 * Session creation and runs on onnxruntime-node: the one place that holds native sessions. The
 * sessions themselves live in the session host's worker thread (`session-host.ts`), so their
 * synchronous creation and runs never block the event loop; this side validates and casts feeds
 * and keeps the feed buffers that travel to the worker and back.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import {
  firstFallbackWarning,
  isProviderLoadFailure,
  markProviderUnavailable,
  providerCandidates,
  providerFailure,
} from './execution-provider.ts';
import { inferBatchSize, prepareFeed } from './input-feed.ts';
import {
  modelFingerprint,
  optimizedModelKey,
  optimizedModelSlot,
  OPTIMIZED_WEIGHTS_FILE,
  prepareModelFile,
  type PreparedModelFile,
} from './model-cache.ts';
import { OnnxModelLoadError, translateLoadError } from './onnx-errors.ts';
import type { IoInfo, ModelSession, SessionOptions, TensorInput, TensorOutput } from './onnx.types.ts';
import { sessionHost, type HostCreateResult, type HostFeed, type SessionHost } from './session-host.ts';
import { ortOptions, resolveCacheDir, resolveTuning, withOptimizedModelOutput, type SessionTuning } from './session-tuning.ts';
import { ZERO_BRANCH_REWRITE_VERSION } from './zero-branch.rewrite.ts';
import { allocateArray, toFloat32, type NumericArray, type SourceType } from './tensor-cast.ts';

type CastType = SourceType | 'float64';

// Native log lines would duplicate the errors we already raise (and print a red probe failure on
// every start-up of a CPU-only Linux host); errors reach callers as exceptions instead. (The
// worker sets the same; this covers onnxruntime use on this thread, e.g. listing backends.)
ort.env.logLevel = 'fatal';

function toIoInfo(metadata: ort.InferenceSession.ValueMetadata): IoInfo {
  if (!metadata.isTensor) return { name: metadata.name, type: 'non-tensor', shape: [] };
  return { name: metadata.name, type: metadata.type, shape: [...metadata.shape] };
}

/**
 * An explicitly chosen provider that cannot run gets one warn line per process (a model has
 * several sessions); `auto` probing is expected to miss and only logs at debug.
 */
function logFallback(logger: Logger | undefined, provider: string, reason: string, explicit: boolean, filePath: string): void {
  const line = `ONNX execution provider "${provider}" is not usable here (${reason}); falling back to CPU`;
  if (explicit && firstFallbackWarning(provider)) logger?.warn({ provider, reason, model: filePath }, line);
  else logger?.debug({ provider, reason, model: filePath }, line);
}

/**
 * Loads an ONNX file by path (so external weight files next to it resolve) on the chosen
 * execution provider, falling back to the CPU when the provider cannot load. The session lives in
 * the session host's worker thread.
 *
 * @throws OnnxModelLoadError when the file or its external data is missing or unreadable.
 * @throws GpuOnlyModelError when the graph uses fused ops that only GPU providers implement.
 */
export async function createSession(modelPath: string, options: SessionOptions): Promise<ModelSession> {
  const filePath = path.resolve(modelPath);
  if (!existsSync(filePath)) {
    throw new OnnxModelLoadError('missing-file', filePath, `ONNX model file not found: ${filePath}`, undefined);
  }
  const explicit = options.provider !== 'auto';
  const started = performance.now();
  const host = sessionHost();
  const tuning = resolveTuning(options);
  const prepared = await prepareFile(filePath, options, tuning);
  for (const provider of providerCandidates(options.provider, process.platform)) {
    const knownFailure = provider === 'cpu' ? undefined : providerFailure(provider);
    if (knownFailure !== undefined) {
      logFallback(options.logger, provider, knownFailure, explicit, filePath);
      continue;
    }
    try {
      const created = await createOnHost(host, prepared, provider, options, tuning);
      options.logger?.debug(
        { model: filePath, provider, ms: Math.round(performance.now() - started), rewritten: prepared.rewritten, optimizedGraph: created.from },
        'onnx.session.created',
      );
      return new HostedModelSession(filePath, provider, host, created);
    } catch (error) {
      if (provider === 'cpu') throw translateLoadError(error, filePath);
      const reason = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
      // A provider that cannot load is remembered so later sessions skip it (and warn only once).
      if (isProviderLoadFailure(reason)) markProviderUnavailable(provider, reason);
      logFallback(options.logger, provider, reason, explicit, filePath);
    }
  }
  throw new Error('unreachable: the provider list always ends with cpu');
}

/**
 * The file to load: the rewritten graph when the tuning asks for it. A file the rewrite cannot
 * read goes to onnxruntime unchanged, which then reports what is wrong with it.
 */
async function prepareFile(filePath: string, options: SessionOptions, tuning: SessionTuning): Promise<PreparedModelFile & { usable: boolean }> {
  if (!tuning.rewriteZeroBranches && !tuning.cacheOptimizedGraph) return { path: filePath, fingerprint: '', rewritten: false, usable: false };
  try {
    if (!tuning.rewriteZeroBranches) {
      return { path: filePath, fingerprint: await modelFingerprint(filePath), rewritten: false, usable: true };
    }
    return { ...(await prepareModelFile(filePath, resolveCacheDir(options), options.logger)), usable: true };
  } catch (error) {
    options.logger?.debug({ err: error, model: filePath }, 'onnx.model.rewrite-skipped');
    return { path: filePath, fingerprint: '', rewritten: false, usable: false };
  }
}

type HostCreated = HostCreateResult & { generation: number; from: 'cache' | 'saved' | 'none' };

/**
 * Creates the session; on the CPU with the optimised-graph cache on, from the graph an earlier
 * start saved (no optimisation pass), else saving this one's optimised graph for next time.
 * A cached or saving attempt that fails falls back to a plain creation.
 */
async function createOnHost(host: SessionHost, prepared: PreparedModelFile & { usable: boolean }, provider: string, options: SessionOptions, tuning: SessionTuning): Promise<HostCreated> {
  const sessionOptions = ortOptions(provider, options, tuning);
  if (provider !== 'cpu' || !tuning.cacheOptimizedGraph || !prepared.usable) {
    return { ...(await host.create(prepared.path, sessionOptions)), from: 'none' };
  }
  const cacheDir = resolveCacheDir(options);
  const key = optimizedModelKey({
    fingerprint: prepared.fingerprint,
    rewrite: prepared.rewritten ? ZERO_BRANCH_REWRITE_VERSION : 0,
    ort: ort.env.versions.common ?? 'unknown',
    level: tuning.graphOptimization,
    arch: process.arch,
    // 'all' may bake CPU-specific layouts (NCHWc) into the graph.
    cpu: os.cpus()[0]?.model ?? 'unknown',
  });
  try {
    const slot = await optimizedModelSlot(cacheDir, key, options.logger);
    if (slot.cached) {
      try {
        return { ...(await host.create(slot.cached, { ...sessionOptions, graphOptimizationLevel: 'disabled' })), from: 'cache' };
      } catch (error) {
        options.logger?.warn({ err: error, model: slot.cached }, 'onnx.optimized.unusable');
      }
    }
    return { ...(await slot.saveWhile((optimizedPath) => host.create(prepared.path, withOptimizedModelOutput(sessionOptions, optimizedPath, OPTIMIZED_WEIGHTS_FILE)))), from: 'saved' };
  } catch (error) {
    options.logger?.debug({ err: error, model: prepared.path }, 'onnx.optimized.save-skipped');
    return { ...(await host.create(prepared.path, sessionOptions)), from: 'none' };
  }
}

/** A {@link ModelSession} over one onnxruntime InferenceSession held by the session host. */
class HostedModelSession implements ModelSession {
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  readonly #host: SessionHost;
  readonly #handle: number;
  readonly #generation: number;
  readonly #inputsByName: Map<string, IoInfo>;
  /**
   * Feed arrays between runs (a UNet runs every step with the same shapes). Each run takes its
   * arrays out, transfers them to the worker and puts them back when they return, so a run that
   * overlaps another one simply allocates its own.
   */
  readonly #feedBuffers = new Map<string, { type: CastType; array: NumericArray }>();
  #released = false;

  constructor(
    readonly path: string,
    readonly provider: string,
    host: SessionHost,
    created: { handle: number; generation: number; inputs: ort.InferenceSession.ValueMetadata[]; outputs: ort.InferenceSession.ValueMetadata[] },
  ) {
    this.#host = host;
    this.#handle = created.handle;
    this.#generation = created.generation;
    this.inputs = created.inputs.map(toIoInfo);
    this.outputs = created.outputs.map(toIoInfo);
    this.#inputsByName = new Map(this.inputs.map((info) => [info.name, info]));
  }

  hasInput(name: string): boolean {
    return this.#inputsByName.has(name);
  }

  async run(feeds: Record<string, TensorInput>, outputNames?: readonly string[]): Promise<Record<string, TensorOutput>> {
    if (this.#released) throw new Error(`ONNX session for ${this.path} was released`);
    if (this.#generation !== this.#host.generation) throw new Error(`ONNX session for ${this.path} was lost when its worker thread stopped; load the model again`);
    const unknown = Object.keys(feeds).filter((name) => !this.#inputsByName.has(name));
    const missing = this.inputs.filter((info) => feeds[info.name] === undefined).map((info) => info.name);
    if (unknown.length > 0 || missing.length > 0) {
      throw new Error(
        `${this.path}: inputs do not match the model (missing: [${missing.join(', ')}], unknown: [${unknown.join(', ')}]; ` +
          `model inputs: [${this.inputs.map((info) => info.name).join(', ')}])`,
      );
    }
    const batch = inferBatchSize(feeds, this.inputs);
    const hostFeeds: Record<string, HostFeed> = {};
    for (const info of this.inputs) {
      const feed = feeds[info.name] as TensorInput;
      const prepared = prepareFeed(info, feed, batch, this.path, (type, length) => this.#takeBuffer(info.name, type, length));
      let data = prepared.data;
      if (data === feed.data) {
        // No cast needed: copy into an array of our own, as the caller's array must not be transferred away.
        data = this.#takeBuffer(info.name, prepared.type, data.length);
        (data as Float32Array).set(feed.data as Float32Array);
      }
      hostFeeds[info.name] = { type: prepared.type, data, dims: prepared.dims };
    }
    const result = await this.#host.run(this.#handle, hostFeeds, outputNames);
    for (const [name, array] of Object.entries(result.inputs)) this.#putBuffer(name, array);
    const outputs: Record<string, TensorOutput> = {};
    for (const [name, output] of Object.entries(result.outputs)) {
      outputs[name] = { data: toFloat32(output.data, output.type), dims: [...output.dims] };
    }
    return outputs;
  }

  #takeBuffer(name: string, type: CastType, length: number): NumericArray {
    const kept = this.#feedBuffers.get(name);
    this.#feedBuffers.delete(name);
    if (kept && kept.type === type && kept.array.length === length) return kept.array;
    return allocateArray(type, length);
  }

  #putBuffer(name: string, array: NumericArray): void {
    if (this.#released) return;
    this.#feedBuffers.set(name, { type: castTypeOf(array), array });
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#feedBuffers.clear();
    if (this.#generation === this.#host.generation) await this.#host.release(this.#handle);
  }
}

function castTypeOf(array: NumericArray): CastType {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Uint16Array) return 'float16';
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof BigInt64Array) return 'int64';
  return 'float64';
}

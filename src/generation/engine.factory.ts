/**
 * Builds the shared diffusion engine from the configuration, for the composition root and the
 * `darkroom generate` command alike, so both run the same engine with the same settings.
 */
import type { Logger } from 'pino';
import type { EngineConfig } from '../config/config.types.ts';
import path from 'node:path';
import type { ModelLocations } from './models/model-resolve.ts';
import { pullCommandFor } from './models/model.types.ts';
import type { LatentSpace } from './models/taesd-folder.ts';
import { DiffusionEngine } from './pipeline/diffusion-engine.ts';
import { createUpscaler, DEFAULT_UPSCALER_CONFIG } from './upscale/index.ts';

export interface EngineFactoryOptions {
  engine: EngineConfig;
  /** Catalog and models folder; undefined = only folder paths are accepted. */
  locations: ModelLocations | undefined;
  /** Pipelines kept loaded at once (each holds a whole model in memory). */
  cachedPipelines: number;
  /** Folder for rewritten and optimised ONNX graphs, made once per model (`<dataDir>/cache/onnx`). */
  modelCacheDir: string | undefined;
  logger: Logger;
  /** Told each time a model has loaded and how long it took (metrics, readiness); omitted = nobody. */
  onPipelineLoaded?: ((model: string, ms: number) => void) | undefined;
}

export function createDiffusionEngine(options: EngineFactoryOptions): DiffusionEngine {
  const { engine, logger } = options;
  const threads = engine.threads === 0 ? undefined : engine.threads;
  return new DiffusionEngine({
    locations: options.locations,
    provider: engine.executionProvider,
    threads,
    cfgBatching: engine.cfgBatching,
    decoder: engine.decoder,
    previewDecoder: engine.previewDecoder,
    taesd: taesdFolders(options.locations),
    cachedPipelines: options.cachedPipelines,
    modelCacheDir: options.modelCacheDir,
    upscaler: createUpscaler(
      { ...DEFAULT_UPSCALER_CONFIG, modelPath: engine.upscaler, provider: engine.executionProvider, threads },
      { logger: logger.child({ component: 'upscaler' }), loadOnnx: undefined },
    ),
    logger: logger.child({ component: 'engine' }),
    onPipelineLoaded: options.onPipelineLoaded,
  });
}

/** The catalog's TAESD folders (`decoders:`) under the models folder, by latent space. */
function taesdFolders(locations: ModelLocations | undefined): Partial<Record<LatentSpace, { dir: string; installHint: string }>> {
  const folders: Partial<Record<LatentSpace, { dir: string; installHint: string }>> = {};
  for (const entry of locations?.catalog.decoders ?? []) {
    folders[entry.latentSpace] = { dir: path.join(locations!.modelsDir, entry.name), installHint: pullCommandFor(entry.name) };
  }
  return folders;
}

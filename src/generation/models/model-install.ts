/**
 * "Ensure installed": a catalog model is pulled when it is missing (start-up with `autoPull`,
 * `darkroom models pull`). How a pull looks to a person is the caller's {@link PullDisplay}; the
 * CLI draws a bar on a terminal and plain lines elsewhere (`src/cli/pull-progress.reporter.ts`).
 */
import { findModel, type PullSource } from './model-catalog.ts';
import { pullModel, type PullProgress, type PulledModel } from './model-download.ts';
import { resolveModel, type ModelLocations, type ResolvedModel } from './model-resolve.ts';
import { formatBytes, type ModelProblem } from './model.types.ts';

/** Receives one pull's progress and shows it to a person. */
export interface PullProgressReporter {
  onProgress(progress: PullProgress): void;
  /** Stops the bar (or prints nothing more); called once when the pull ends, however it ends. */
  finish(): void;
}

/** Where pulls speak to a person. */
export interface PullDisplay {
  /** One sentence, e.g. "model X is not installed; downloading about 2.1 GB from …". */
  note(text: string): void;
  /** A display for the download of `modelName`, from its first byte until `finish()`. */
  progress(modelName: string): PullProgressReporter;
}

/** Everything a pull needs besides the model. Values come from the parsed config (HF_TOKEN, hub URL). */
export interface PullOptions extends ModelLocations {
  hubUrl: string | undefined;
  token: string | undefined;
  display: PullDisplay;
  signal: AbortSignal | undefined;
  fetch?: typeof fetch;
}

/** Downloads `entry` into the models folder, its progress shown on `options.display`. */
export async function pullWithProgress(entry: PullSource, options: PullOptions): Promise<PulledModel | ModelProblem> {
  const reporter = options.display.progress(entry.name);
  try {
    return await pullModel(entry, {
      modelsDir: options.modelsDir,
      hubUrl: options.hubUrl,
      token: options.token,
      onProgress: (progress) => reporter.onProgress(progress),
      signal: options.signal,
      fetch: options.fetch,
    });
  } finally {
    reporter.finish();
  }
}

/** Start-up options: {@link PullOptions} plus the config switch that allows downloading. */
export interface EnsureModelOptions extends PullOptions {
  /** Pull a missing catalog model at start-up (config `autoPull`); false: explain how to get it. */
  autoPull: boolean;
}

/**
 * Start-up: returns the model ready to load. A missing catalog model is pulled with progress when
 * `autoPull` is on; otherwise, or when the hub cannot be reached, the problem names the exact command.
 */
export async function ensureModel(nameOrDir: string, options: EnsureModelOptions): Promise<ResolvedModel | ModelProblem> {
  const resolved = await resolveModel(nameOrDir, options);
  if (resolved.ok || !options.autoPull) return resolved;
  if (resolved.code !== 'model_missing' && resolved.code !== 'model_partial') return resolved;
  const entry = findModel(options.catalog, nameOrDir);
  if (!entry) return resolved;
  options.display.note(`model ${entry.name} is not installed; downloading about ${formatBytes(entry.approxSizeGB * 1e9)} from ${entry.repo}`);
  const pulled = await pullWithProgress(entry, options);
  if (!pulled.ok) return pulled;
  return resolveModel(nameOrDir, options);
}

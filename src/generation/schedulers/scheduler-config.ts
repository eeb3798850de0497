/**
 * Reading a diffusers `scheduler/scheduler_config.json`. Tolerant like `from_config`: unknown keys
 * are ignored, and a key the file does not set stays undefined, so the scheduler finally created
 * applies its own class's default. That is what `XScheduler.from_config(pipe.scheduler.config)`
 * does: the loaded config lists the keys it filled with the file class's defaults in
 * `_use_default_values`, and `ConfigMixin.extract_init_dict` drops them, so the new class's
 * `__init__` defaults apply (e.g. an SD 1.x PNDM file without `timestep_spacing` gives Euler
 * `linspace`, not PNDM's `leading`).
 */
import type { BetaSchedule, PredictionType, SchedulerConfig, TimestepSpacing } from './scheduler.types.ts';

/** A scheduler config this code cannot run (bad value, unknown schedule). Stable `code` for callers. */
export class UnsupportedSchedulerConfigError extends Error {
  readonly code = 'scheduler_config_unsupported';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedSchedulerConfigError';
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type ConfigFields = Omit<Mutable<SchedulerConfig>, 'warnings' | 'className'>;

/** Keys whose non-default values change results but are not implemented here. */
const IGNORED_WHEN_SET: Record<string, unknown> = {
  thresholding: false,
  use_beta_sigmas: false,
  use_lu_lambdas: false,
  variance_type: null,
};

function oneOf<T extends string>(record: Record<string, unknown>, key: string, allowed: readonly T[]): T | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UnsupportedSchedulerConfigError(`scheduler config: ${key} = ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

function numberAt(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new UnsupportedSchedulerConfigError(`scheduler config: ${key} must be a number, got ${JSON.stringify(value)}`);
}

function booleanAt(record: Record<string, unknown>, key: string): boolean | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  throw new UnsupportedSchedulerConfigError(`scheduler config: ${key} must be true or false, got ${JSON.stringify(value)}`);
}

/** Parse a diffusers scheduler config object (already JSON-decoded). Throws {@link UnsupportedSchedulerConfigError}. */
export function parseSchedulerConfig(json: unknown): SchedulerConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UnsupportedSchedulerConfigError('scheduler config must be a JSON object');
  const record = json as Record<string, unknown>;
  const trained = record['trained_betas'];
  if (trained !== undefined && trained !== null && !(Array.isArray(trained) && trained.every((value) => typeof value === 'number'))) {
    throw new UnsupportedSchedulerConfigError('scheduler config: trained_betas must be a list of numbers');
  }
  const fromFile: ConfigFields = {
    numTrainTimesteps: numberAt(record, 'num_train_timesteps'),
    betaStart: numberAt(record, 'beta_start'),
    betaEnd: numberAt(record, 'beta_end'),
    betaSchedule: oneOf<BetaSchedule>(record, 'beta_schedule', ['linear', 'scaled_linear', 'squaredcos_cap_v2']),
    trainedBetas: Array.isArray(trained) ? (trained as number[]) : undefined,
    predictionType: oneOf<PredictionType>(record, 'prediction_type', ['epsilon', 'v_prediction', 'sample']),
    timestepSpacing: oneOf<TimestepSpacing>(record, 'timestep_spacing', ['leading', 'trailing', 'linspace']),
    stepsOffset: numberAt(record, 'steps_offset'),
    setAlphaToOne: booleanAt(record, 'set_alpha_to_one'),
    clipSample: booleanAt(record, 'clip_sample'),
    clipSampleRange: numberAt(record, 'clip_sample_range'),
    rescaleBetasZeroSnr: booleanAt(record, 'rescale_betas_zero_snr'),
    skipPrkSteps: booleanAt(record, 'skip_prk_steps'),
    useKarrasSigmas: booleanAt(record, 'use_karras_sigmas'),
    useExponentialSigmas: booleanAt(record, 'use_exponential_sigmas'),
    sigmaMin: numberAt(record, 'sigma_min'),
    sigmaMax: numberAt(record, 'sigma_max'),
    interpolationType: oneOf(record, 'interpolation_type', ['linear', 'log_linear'] as const),
    timestepType: oneOf(record, 'timestep_type', ['discrete', 'continuous'] as const),
    finalSigmasType: oneOf(record, 'final_sigmas_type', ['zero', 'sigma_min'] as const),
    solverType: oneOf(record, 'solver_type', ['midpoint', 'heun'] as const),
    lowerOrderFinal: booleanAt(record, 'lower_order_final'),
    eulerAtFinal: booleanAt(record, 'euler_at_final'),
    originalInferenceSteps: numberAt(record, 'original_inference_steps'),
    timestepScaling: numberAt(record, 'timestep_scaling'),
  };
  const className = typeof record['_class_name'] === 'string' ? record['_class_name'] : undefined;

  const warnings: string[] = [];
  for (const [key, neutral] of Object.entries(IGNORED_WHEN_SET)) {
    if (record[key] !== undefined && record[key] !== neutral) warnings.push(`scheduler setting ${key}=${JSON.stringify(record[key])} is not supported and was ignored`);
  }
  return Object.freeze({ ...fromFile, className, warnings: Object.freeze(warnings) });
}

/**
 * How the scheduler that runs relates to the one the pipeline loaded from the folder:
 * - `as-loaded`: it is the folder's own scheduler (`pipe.scheduler` as loaded, no swap);
 * - `from-config`: a swap, `XScheduler.from_config(pipe.scheduler.config)`.
 */
export type SchedulerUse = 'as-loaded' | 'from-config';

/**
 * The fix-ups diffusers' `StableDiffusionPipeline` / `StableDiffusionImg2ImgPipeline` (and the ONNX
 * variants) apply to outdated SD 1.x/2.x scheduler configs at load: `steps_offset` forced to 1 and
 * `clip_sample` forced off. SDXL and LCM pipelines do not do this. The fix edits the loaded config
 * but leaves its `_use_default_values` list alone, so after a swap (`from-config`) a fixed key the
 * file did not set takes the new class's default again; only keys the file set keep the fix.
 */
export function withStableDiffusionPipelineFixes(config: SchedulerConfig, use: SchedulerUse): SchedulerConfig {
  if (use === 'as-loaded') {
    if (config.stepsOffset === 1 && config.clipSample === false) return config;
    return Object.freeze({ ...config, stepsOffset: 1, clipSample: false });
  }
  const stepsOffset = config.stepsOffset === undefined ? undefined : 1;
  const clipSample = config.clipSample === undefined ? undefined : false;
  if (stepsOffset === config.stepsOffset && clipSample === config.clipSample) return config;
  return Object.freeze({ ...config, stepsOffset, clipSample });
}

/**
 * Reading a diffusers `scheduler/scheduler_config.json`. Tolerant like `from_config`: unknown keys
 * are ignored, missing keys take the default of the file's own `_class_name` (what
 * `pipe.scheduler.config` holds after loading), and whatever is still missing takes the default of
 * the scheduler finally created (see each scheduler's `resolve…` function).
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
type Defaults = Partial<ConfigFields>;

const BASE_DEFAULTS: Defaults = { numTrainTimesteps: 1000, betaStart: 0.0001, betaEnd: 0.02, betaSchedule: 'linear', predictionType: 'epsilon', stepsOffset: 0 };
const SIGMA_DEFAULTS: Defaults = { ...BASE_DEFAULTS, timestepSpacing: 'linspace', useKarrasSigmas: false };

/** `__init__` defaults of the diffusers classes a model folder may name (diffusers ≥ 0.27). */
const CLASS_DEFAULTS: Record<string, Defaults> = {
  PNDMScheduler: { ...BASE_DEFAULTS, timestepSpacing: 'leading', skipPrkSteps: false, setAlphaToOne: false },
  DDIMScheduler: { ...BASE_DEFAULTS, timestepSpacing: 'leading', clipSample: true, clipSampleRange: 1, setAlphaToOne: true, rescaleBetasZeroSnr: false },
  DDPMScheduler: { ...BASE_DEFAULTS, timestepSpacing: 'leading', clipSample: true, clipSampleRange: 1, rescaleBetasZeroSnr: false },
  LCMScheduler: {
    ...BASE_DEFAULTS,
    betaStart: 0.00085,
    betaEnd: 0.012,
    betaSchedule: 'scaled_linear',
    originalInferenceSteps: 50,
    clipSample: false,
    clipSampleRange: 1,
    setAlphaToOne: true,
    timestepSpacing: 'leading',
    timestepScaling: 10,
    rescaleBetasZeroSnr: false,
  },
  EulerDiscreteScheduler: {
    ...SIGMA_DEFAULTS,
    interpolationType: 'linear',
    useExponentialSigmas: false,
    timestepType: 'discrete',
    rescaleBetasZeroSnr: false,
    finalSigmasType: 'zero',
  },
  EulerAncestralDiscreteScheduler: { ...SIGMA_DEFAULTS, rescaleBetasZeroSnr: false },
  LMSDiscreteScheduler: { ...SIGMA_DEFAULTS, useExponentialSigmas: false },
  DPMSolverMultistepScheduler: {
    ...SIGMA_DEFAULTS,
    solverType: 'midpoint',
    lowerOrderFinal: true,
    eulerAtFinal: false,
    useExponentialSigmas: false,
    finalSigmasType: 'zero',
    rescaleBetasZeroSnr: false,
  },
  HeunDiscreteScheduler: SIGMA_DEFAULTS,
  KDPM2DiscreteScheduler: SIGMA_DEFAULTS,
  KDPM2AncestralDiscreteScheduler: SIGMA_DEFAULTS,
  DPMSolverSinglestepScheduler: SIGMA_DEFAULTS,
  DPMSolverSDEScheduler: SIGMA_DEFAULTS,
  UniPCMultistepScheduler: SIGMA_DEFAULTS,
  DEISMultistepScheduler: SIGMA_DEFAULTS,
};

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
  const classDefaults = (className !== undefined ? CLASS_DEFAULTS[className] : undefined) ?? {};
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [key, value] of Object.entries(classDefaults)) if (merged[key] === undefined) merged[key] = value;

  const warnings: string[] = [];
  for (const [key, neutral] of Object.entries(IGNORED_WHEN_SET)) {
    if (record[key] !== undefined && record[key] !== neutral) warnings.push(`scheduler setting ${key}=${JSON.stringify(record[key])} is not supported and was ignored`);
  }
  return Object.freeze({ ...(merged as ConfigFields), className, warnings: Object.freeze(warnings) });
}

/**
 * The fix-ups diffusers' `StableDiffusionPipeline` / `StableDiffusionImg2ImgPipeline` (and the ONNX
 * variants) apply to outdated SD 1.x/2.x scheduler configs: `steps_offset` forced to 1 and
 * `clip_sample` forced off. SDXL and LCM pipelines do not do this.
 */
export function withStableDiffusionPipelineFixes(config: SchedulerConfig): SchedulerConfig {
  const stepsOffset = config.stepsOffset ?? 0;
  const clipSample = config.clipSample === true ? false : config.clipSample;
  if (stepsOffset === 1 && clipSample === config.clipSample) return config;
  return Object.freeze({ ...config, stepsOffset: 1, clipSample });
}

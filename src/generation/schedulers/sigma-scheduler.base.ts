/**
 * Shared machinery of the k-diffusion style schedulers (Euler, Euler a, LMS): a σ per step plus a
 * final σ, model input scaled by 1/√(σ²+1), the step counter diffusers keeps (`_step_index`,
 * `_begin_index`), and `add_noise` as x₀ + σ·ε.
 */
import type { NoiseSource } from '../rng/noise-source.ts';
import type { SchedulerName } from './scheduler-names.ts';
import { logOfSigmas, trainingSigmas } from './noise-schedule.ts';
import { checkStepCount, cumprodFor, type CommonSettings } from './resolved-config.ts';
import type { NoiseDraws, PredictionType, Scheduler, StepResult } from './scheduler.types.ts';
import { StepBuffers } from './step-buffers.ts';
import { indexForTimestep } from './timestep-index.ts';

const f32 = Math.fround;

/**
 * x₀ estimate from a model output at noise level σ (diffusers' Euler-family conversion), written
 * into `out` (a new array when omitted).
 */
export function predictOriginalFromSigma(
  prediction: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  sigma: number,
  out: Float32Array = new Float32Array(sample.length),
): Float32Array {
  const length = sample.length;
  if (prediction === 'epsilon') {
    for (let i = 0; i < length; i++) out[i] = sample[i]! - sigma * modelOutput[i]!;
  } else if (prediction === 'v_prediction') {
    // denoised = model_output · c_out + input · c_skip with c_out = −σ/√(σ²+1), c_skip = 1/(σ²+1)
    const cOut = -sigma / Math.sqrt(sigma * sigma + 1);
    const cSkipDivisor = sigma * sigma + 1;
    for (let i = 0; i < length; i++) out[i] = modelOutput[i]! * cOut + sample[i]! / cSkipDivisor;
  } else {
    out.set(modelOutput);
  }
  return out;
}

export interface SigmaSchedule {
  /** Model timesteps, one per step. */
  timesteps: number[];
  /** σ per step, then the final σ (length ≥ timesteps.length + 1). */
  sigmas: Float32Array;
}

export abstract class SigmaSchedulerBase implements Scheduler {
  abstract readonly name: SchedulerName;
  readonly order = 1;
  readonly noiseDraws: NoiseDraws = 'never';
  timesteps: readonly number[] = [];
  protected sigmas: Float32Array;
  protected readonly alphasCumprod: Float32Array;
  /** float32 σ of every training timestep, ascending in t. */
  protected readonly trainSigmas: Float32Array;
  protected readonly trainLogSigmas: Float32Array;
  protected stepIndex: number | undefined = undefined;
  protected beginIndex: number | undefined = undefined;
  /** Result arrays: fresh per step, or reused after {@link reuseBuffers}. */
  protected readonly buffers = new StepBuffers();

  protected constructor(protected readonly settings: CommonSettings) {
    this.alphasCumprod = cumprodFor(settings);
    if (settings.rescaleBetasZeroSnr) {
      // diffusers: "close to 0 without being 0 so first sigma is not inf" (fp16 smallest subnormal)
      this.alphasCumprod[this.alphasCumprod.length - 1] = 2 ** -24;
    }
    this.trainSigmas = trainingSigmas(this.alphasCumprod);
    this.trainLogSigmas = logOfSigmas(this.trainSigmas);
    this.sigmas = Float32Array.from([...this.trainSigmas].reverse().concat([0]));
  }

  /** Timesteps and σ values for `steps` inference steps. */
  protected abstract computeSchedule(steps: number): SigmaSchedule;

  setTimesteps(numInferenceSteps: number): void {
    checkStepCount(numInferenceSteps, this.settings.numTrainTimesteps);
    const schedule = this.computeSchedule(numInferenceSteps);
    this.timesteps = Object.freeze(schedule.timesteps);
    this.sigmas = schedule.sigmas;
    this.stepIndex = undefined;
    this.beginIndex = undefined;
    this.onSetTimesteps();
  }

  /** Hook for per-run state (LMS derivatives). */
  protected onSetTimesteps(): void {}

  get initNoiseSigma(): number {
    let max = 0;
    for (const sigma of this.sigmas) max = Math.max(max, sigma);
    if (this.settings.timestepSpacing === 'linspace' || this.settings.timestepSpacing === 'trailing') return max;
    return f32(Math.sqrt(f32(f32(max * max) + 1)));
  }

  setBeginIndex(index: number): void {
    this.beginIndex = index;
  }

  reuseBuffers(): void {
    this.buffers.enableReuse();
  }

  /** diffusers `EulerDiscreteScheduler.index_for_timestep`: a timestep not in the schedule is a bug. */
  protected indexForTimestep(timestep: number): number {
    return indexForTimestep(this.timesteps, timestep, 'error', this.name);
  }

  protected currentIndex(timestep: number): number {
    if (this.stepIndex === undefined) this.stepIndex = this.beginIndex ?? this.indexForTimestep(timestep);
    return this.stepIndex;
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    const sigma = this.sigmas[this.currentIndex(timestep)]!;
    const divisor = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
    const length = sample.length;
    const out = this.buffers.take('scaled', length, 1);
    for (let i = 0; i < length; i++) out[i] = sample[i]! / divisor;
    return out;
  }

  abstract step(modelOutput: Float32Array, timestep: number, sample: Float32Array, rng: NoiseSource): StepResult;

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    const index = this.beginIndex === undefined ? this.indexForTimestep(timestep) : (this.stepIndex ?? this.beginIndex);
    const sigma = this.sigmas[index]!;
    const out = new Float32Array(original.length);
    for (let i = 0; i < out.length; i++) out[i] = original[i]! + noise[i]! * sigma;
    return out;
  }
}

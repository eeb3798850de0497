/**
 * LCM (diffusers `LCMScheduler`, Luo et al. 2023). Timesteps are picked evenly from the
 * distillation schedule (1…original_inference_steps)·k − 1 with k = N // original_inference_steps;
 * each step applies the consistency boundary condition denoised = c_out·x₀ + c_skip·x with
 * c_skip = σ_d²/((s·t)² + σ_d²), c_out = s·t/√((s·t)² + σ_d²), σ_d = 0.5, s = timestep_scaling, and
 * re-noises to the next timestep with fresh noise, except after the last step.
 */
import type { NoiseSource } from '../rng/noise-source.ts';
import { addNoiseWithAlpha, alphaAt, clampInPlace, predictWithAlpha } from './alpha-math.ts';
import { numpyLinspace } from './noise-schedule.ts';
import { cumprodFor, resolveCommon, type CommonSettings } from './resolved-config.ts';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.types.ts';
import { StepBuffers } from './step-buffers.ts';
import { indexForTimestep } from './timestep-index.ts';

const SIGMA_DATA = 0.5;

/** (c_skip, c_out) of the discrete-time consistency boundary condition at `timestep`. */
export function lcmBoundaryScalings(timestep: number, timestepScaling: number): { cSkip: number; cOut: number } {
  const scaled = timestep * timestepScaling;
  const denominator = scaled * scaled + SIGMA_DATA * SIGMA_DATA;
  return { cSkip: (SIGMA_DATA * SIGMA_DATA) / denominator, cOut: scaled / Math.sqrt(denominator) };
}

export class LcmScheduler implements Scheduler {
  readonly name = 'lcm' as const;
  readonly order = 1;
  readonly noiseDraws = 'all-but-last-step';
  readonly initNoiseSigma = 1;
  timesteps: readonly number[] = [];
  private readonly settings: CommonSettings;
  private readonly alphasCumprod: Float32Array;
  private readonly finalAlphaCumprod: number;
  private readonly originalInferenceSteps: number;
  private readonly timestepScaling: number;
  private readonly clipSample: boolean;
  private readonly clipSampleRange: number;
  private numInferenceSteps = 0;
  private stepIndex: number | undefined = undefined;
  private beginIndex: number | undefined = undefined;
  private readonly buffers = new StepBuffers();

  constructor(config: SchedulerConfig) {
    this.settings = resolveCommon(config, { timestepSpacing: 'leading', betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear' });
    this.alphasCumprod = cumprodFor(this.settings);
    if (this.settings.rescaleBetasZeroSnr) this.alphasCumprod[this.alphasCumprod.length - 1] = 2 ** -24;
    this.finalAlphaCumprod = (config.setAlphaToOne ?? true) ? 1 : this.alphasCumprod[0]!;
    this.originalInferenceSteps = config.originalInferenceSteps ?? 50;
    this.timestepScaling = config.timestepScaling ?? 10;
    this.clipSample = config.clipSample ?? false;
    this.clipSampleRange = config.clipSampleRange ?? 1;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.setTimestepsWithStrength(numInferenceSteps, 1);
  }

  /**
   * diffusers `set_timesteps(n, strength=…)`: the LCM img2img pipeline shortens the distillation
   * schedule to ⌊original·strength⌋ steps instead of skipping the first ones.
   */
  setTimestepsWithStrength(numInferenceSteps: number, strength: number): void {
    const numTrain = this.settings.numTrainTimesteps;
    const original = this.originalInferenceSteps;
    if (original > numTrain) throw new RangeError(`original_inference_steps ${original} exceeds num_train_timesteps ${numTrain}`);
    const k = Math.floor(numTrain / original);
    const originCount = Math.trunc(original * strength);
    const origin = Array.from({ length: originCount }, (_, i) => (i + 1) * k - 1).reverse();
    if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1) throw new RangeError(`number of inference steps must be a positive integer, got ${numInferenceSteps}`);
    if (numInferenceSteps > original) throw new RangeError(`LCM runs at most original_inference_steps = ${original} steps, got ${numInferenceSteps}`);
    if (Math.floor(origin.length / numInferenceSteps) < 1) {
      throw new RangeError(`strength ${strength} leaves ${origin.length} distillation steps, fewer than the ${numInferenceSteps} asked for`);
    }
    const indices = numpyLinspace(0, origin.length, numInferenceSteps + 1).slice(0, numInferenceSteps).map(Math.floor);
    this.timesteps = Object.freeze(indices.map((index) => origin[index]!));
    this.numInferenceSteps = numInferenceSteps;
    this.stepIndex = undefined;
    this.beginIndex = undefined;
  }

  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  setBeginIndex(index: number): void {
    this.beginIndex = index;
  }

  reuseBuffers(): void {
    this.buffers.enableReuse();
  }

  /** diffusers `LCMScheduler.index_for_timestep`: a timestep not in the schedule is a bug. */
  private indexForTimestep(timestep: number): number {
    return indexForTimestep(this.timesteps, timestep, 'error', this.name);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, rng: NoiseSource): StepResult {
    if (this.numInferenceSteps === 0) throw new Error('call setTimesteps before step');
    if (this.stepIndex === undefined) this.stepIndex = this.beginIndex ?? this.indexForTimestep(timestep);
    const index = this.stepIndex;
    const prevTimestep = this.timesteps[index + 1] ?? timestep;
    const alpha = alphaAt(this.alphasCumprod, timestep, this.finalAlphaCumprod);
    const alphaPrev = alphaAt(this.alphasCumprod, prevTimestep, this.finalAlphaCumprod);
    const { cSkip, cOut } = lcmBoundaryScalings(timestep, this.timestepScaling);
    const length = sample.length;
    const { original } = predictWithAlpha(this.settings.predictionType, modelOutput, sample, alpha, {
      original: this.buffers.take('original', length, 1),
      epsilon: this.buffers.take('epsilon', length, 1),
    });
    if (this.clipSample) clampInPlace(original, this.clipSampleRange);
    const denoised = this.buffers.take('denoised', length, 2);
    for (let i = 0; i < length; i++) denoised[i] = cOut * original[i]! + cSkip * sample[i]!;

    let prevSample = denoised;
    if (index !== this.numInferenceSteps - 1) {
      const noise = rng.randn(length);
      const signal = Math.sqrt(alphaPrev);
      const noiseScale = Math.sqrt(1 - alphaPrev);
      prevSample = this.buffers.take('prev', length, 2);
      for (let i = 0; i < length; i++) prevSample[i] = signal * denoised[i]! + noiseScale * noise[i]!;
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample: denoised };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseWithAlpha(this.alphasCumprod, original, noise, timestep);
  }
}

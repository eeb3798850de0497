/**
 * DDIM (diffusers `DDIMScheduler`, η = 0 as the pipelines default): x₀ and ε from the model output,
 * then x' = √ᾱ_prev·x₀ + √(1 − ᾱ_prev)·ε with prev = t − N // n (diffusers' rule for every spacing).
 */
import type { NoiseSource } from '../rng/noise-source.ts';
import { addNoiseWithAlpha, alphaAt, clampInPlace, predictWithAlpha } from './alpha-math.ts';
import { checkStepCount, cumprodFor, resolveCommon, type CommonSettings } from './resolved-config.ts';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.types.ts';
import { StepBuffers } from './step-buffers.ts';
import { spacedTimesteps } from './timestep-spacing.ts';

export class DdimScheduler implements Scheduler {
  readonly name = 'ddim' as const;
  readonly order = 1;
  readonly noiseDraws = 'never';
  readonly initNoiseSigma = 1;
  timesteps: readonly number[] = [];
  private readonly settings: CommonSettings;
  private readonly alphasCumprod: Float32Array;
  private readonly finalAlphaCumprod: number;
  private readonly clipSample: boolean;
  private readonly clipSampleRange: number;
  private numInferenceSteps = 0;
  private readonly buffers = new StepBuffers();

  constructor(config: SchedulerConfig) {
    this.settings = resolveCommon(config, { timestepSpacing: 'leading' });
    this.alphasCumprod = cumprodFor(this.settings);
    this.finalAlphaCumprod = (config.setAlphaToOne ?? true) ? 1 : this.alphasCumprod[0]!;
    this.clipSample = config.clipSample ?? true;
    this.clipSampleRange = config.clipSampleRange ?? 1;
  }

  setTimesteps(numInferenceSteps: number): void {
    checkStepCount(numInferenceSteps, this.settings.numTrainTimesteps);
    const { timestepSpacing, numTrainTimesteps, stepsOffset } = this.settings;
    this.numInferenceSteps = numInferenceSteps;
    this.timesteps = Object.freeze(spacedTimesteps(timestepSpacing, numTrainTimesteps, numInferenceSteps, stepsOffset, true));
  }

  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  setBeginIndex(_index: number): void {
    // diffusers' DDIMScheduler has no begin index: its step works from the timestep alone.
  }

  reuseBuffers(): void {
    this.buffers.enableReuse();
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _rng: NoiseSource): StepResult {
    if (this.numInferenceSteps === 0) throw new Error('call setTimesteps before step');
    const prevTimestep = timestep - Math.floor(this.settings.numTrainTimesteps / this.numInferenceSteps);
    const alpha = alphaAt(this.alphasCumprod, timestep, this.finalAlphaCumprod);
    const alphaPrev = alphaAt(this.alphasCumprod, prevTimestep, this.finalAlphaCumprod);
    const length = sample.length;
    const { original, epsilon } = predictWithAlpha(this.settings.predictionType, modelOutput, sample, alpha, {
      original: this.buffers.take('original', length, 2),
      epsilon: this.buffers.take('epsilon', length, 1),
    });
    if (this.clipSample) clampInPlace(original, this.clipSampleRange);
    const signal = Math.sqrt(alphaPrev);
    const direction = Math.sqrt(1 - alphaPrev);
    const prevSample = this.buffers.take('prev', length, 2);
    for (let i = 0; i < length; i++) prevSample[i] = signal * original[i]! + direction * epsilon[i]!;
    return { prevSample, predOriginalSample: original };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseWithAlpha(this.alphasCumprod, original, noise, timestep);
  }
}

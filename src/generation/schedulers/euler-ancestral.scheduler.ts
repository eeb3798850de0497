/**
 * Euler ancestral (diffusers `EulerAncestralDiscreteScheduler`, k-diffusion `sample_euler_ancestral`
 * with η = 1): an Euler step down to σ_down, then fresh noise of std σ_up, where
 * σ_up = √(σ_next²(σ² − σ_next²)/σ²) and σ_down = √(σ_next² − σ_up²). Noise is drawn on every step,
 * the last one included, exactly as diffusers consumes the generator.
 */
import type { NoiseSource } from '../rng/noise-source.ts';
import { interpolateAtTimestep } from './noise-schedule.ts';
import { resolveCommon } from './resolved-config.ts';
import type { SchedulerConfig, StepResult } from './scheduler.types.ts';
import { predictOriginalFromSigma, SigmaSchedulerBase, type SigmaSchedule } from './sigma-scheduler.base.ts';
import { spacedTimesteps } from './timestep-spacing.ts';

export class EulerAncestralScheduler extends SigmaSchedulerBase {
  readonly name = 'euler-ancestral' as const;
  override readonly noiseDraws = 'every-step';

  constructor(config: SchedulerConfig) {
    super(resolveCommon(config, { timestepSpacing: 'linspace' }));
    if (this.settings.predictionType === 'sample') throw new Error('euler-ancestral does not support prediction_type "sample" (diffusers neither)');
  }

  protected computeSchedule(steps: number): SigmaSchedule {
    const { numTrainTimesteps, timestepSpacing, stepsOffset } = this.settings;
    const timesteps = spacedTimesteps(timestepSpacing, numTrainTimesteps, steps, stepsOffset, false);
    const sigmas = timesteps.map((t) => interpolateAtTimestep(t, this.trainSigmas));
    return { timesteps, sigmas: Float32Array.from([...sigmas, 0]) };
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, rng: NoiseSource): StepResult {
    const index = this.currentIndex(timestep);
    const sigma = this.sigmas[index]!;
    const sigmaNext = this.sigmas[index + 1]!;
    const length = sample.length;
    const predOriginalSample = predictOriginalFromSigma(this.settings.predictionType, modelOutput, sample, sigma, this.buffers.take('original', length, 2));
    const sigmaUp = Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2);
    const sigmaDown = Math.sqrt(sigmaNext ** 2 - sigmaUp ** 2);
    const dt = sigmaDown - sigma;
    const noise = rng.randn(length);
    const prevSample = this.buffers.take('prev', length, 2);
    for (let i = 0; i < length; i++) {
      const x = sample[i]!;
      const derivative = (x - predOriginalSample[i]!) / sigma;
      prevSample[i] = x + derivative * dt + noise[i]! * sigmaUp;
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}

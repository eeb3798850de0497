/**
 * Euler (diffusers `EulerDiscreteScheduler`, k-diffusion `sample_euler` with s_churn = 0):
 * x₀ from the model output, d = (x − x₀)/σ, x' = x + d·(σ_next − σ).
 */
import type { NoiseSource } from '../rng/noise-source.ts';
import { exponentialSigmas, interpolateAtTimestep, karrasSigmas, sigmaToTimestep, torchLinspaceFloat32 } from './noise-schedule.ts';
import { resolveCommon } from './resolved-config.ts';
import type { SchedulerConfig, StepResult } from './scheduler.types.ts';
import { predictOriginalFromSigma, SigmaSchedulerBase, type SigmaSchedule } from './sigma-scheduler.base.ts';
import { spacedTimesteps } from './timestep-spacing.ts';

export interface EulerSettings {
  useKarrasSigmas: boolean;
  useExponentialSigmas: boolean;
  sigmaMin: number | undefined;
  sigmaMax: number | undefined;
  interpolationType: 'linear' | 'log_linear';
  timestepType: 'discrete' | 'continuous';
  finalSigmasType: 'zero' | 'sigma_min';
}

export class EulerScheduler extends SigmaSchedulerBase {
  readonly name = 'euler' as const;
  private readonly euler: EulerSettings;

  constructor(config: SchedulerConfig) {
    super(resolveCommon(config, { timestepSpacing: 'linspace' }));
    this.euler = {
      useKarrasSigmas: config.useKarrasSigmas ?? false,
      useExponentialSigmas: config.useExponentialSigmas ?? false,
      sigmaMin: config.sigmaMin,
      sigmaMax: config.sigmaMax,
      interpolationType: config.interpolationType ?? 'linear',
      timestepType: config.timestepType ?? 'discrete',
      finalSigmasType: config.finalSigmasType ?? 'zero',
    };
    if (this.euler.useKarrasSigmas && this.euler.useExponentialSigmas) throw new Error('only one of use_karras_sigmas and use_exponential_sigmas can be set');
  }

  protected computeSchedule(steps: number): SigmaSchedule {
    const { numTrainTimesteps, timestepSpacing, stepsOffset } = this.settings;
    let timesteps = spacedTimesteps(timestepSpacing, numTrainTimesteps, steps, stepsOffset, false);
    const train = this.trainSigmas;
    let sigmas: number[];
    if (this.euler.interpolationType === 'linear') sigmas = timesteps.map((t) => interpolateAtTimestep(t, train));
    else {
      // torch.linspace(log σmax, log σmin, n + 1).exp() in float32 (one σ more than steps, as diffusers)
      sigmas = [...torchLinspaceFloat32(Math.log(train[train.length - 1]!), Math.log(train[0]!), steps + 1)].map((value) => Math.fround(Math.exp(value)));
    }
    if (this.euler.useKarrasSigmas || this.euler.useExponentialSigmas) {
      const sigmaMin = this.euler.sigmaMin ?? sigmas[sigmas.length - 1]!;
      const sigmaMax = this.euler.sigmaMax ?? sigmas[0]!;
      sigmas = this.euler.useKarrasSigmas ? karrasSigmas(sigmaMin, sigmaMax, steps) : exponentialSigmas(sigmaMin, sigmaMax, steps);
      timesteps = sigmas.map((sigma) => sigmaToTimestep(sigma, this.trainLogSigmas));
    }
    const last = this.euler.finalSigmasType === 'zero' ? 0 : Math.sqrt(Math.fround(Math.fround(1 - this.alphasCumprod[0]!) / this.alphasCumprod[0]!));
    const sigmaArray = Float32Array.from([...sigmas, last]);
    if (this.euler.timestepType === 'continuous' && this.settings.predictionType === 'v_prediction') {
      timesteps = [...sigmaArray.subarray(0, sigmaArray.length - 1)].map((sigma) => Math.fround(0.25 * Math.fround(Math.log(sigma))));
    }
    return { timesteps: timesteps.map((t) => Math.fround(t)), sigmas: sigmaArray };
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _rng: NoiseSource): StepResult {
    const index = this.currentIndex(timestep);
    const sigma = this.sigmas[index]!;
    const sigmaNext = this.sigmas[index + 1]!;
    const length = sample.length;
    const predOriginalSample = predictOriginalFromSigma(this.settings.predictionType, modelOutput, sample, sigma, this.buffers.take('original', length, 2));
    const dt = sigmaNext - sigma;
    const prevSample = this.buffers.take('prev', length, 2);
    for (let i = 0; i < length; i++) {
      const x = sample[i]!;
      const derivative = (x - predOriginalSample[i]!) / sigma;
      prevSample[i] = x + derivative * dt;
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}

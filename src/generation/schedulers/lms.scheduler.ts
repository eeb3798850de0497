/**
 * LMS (diffusers `LMSDiscreteScheduler`, k-diffusion `sample_lms`, order 4): keeps the last four
 * derivatives d = (x − x₀)/σ and steps with x' = x + Σ_j c_j·d_{−j}, c_j from {@link lmsCoefficient}.
 * Order ramps up 1, 2, 3, 4 over the first steps (order 1 is plain Euler).
 */
import type { NoiseSource } from '../engine.types.ts';
import { lmsCoefficient } from './lms-coefficients.ts';
import { exponentialSigmas, interpolateAtTimestep, karrasSigmas, sigmaToTimestep } from './noise-schedule.ts';
import { resolveCommon } from './resolved-config.ts';
import type { SchedulerConfig, StepResult } from './scheduler.types.ts';
import { predictOriginalFromSigma, SigmaSchedulerBase, type SigmaSchedule } from './sigma-scheduler.base.ts';
import { spacedTimesteps } from './timestep-spacing.ts';

const LMS_ORDER = 4;

export class LmsScheduler extends SigmaSchedulerBase {
  readonly name = 'lms' as const;
  private readonly useKarrasSigmas: boolean;
  private readonly useExponentialSigmas: boolean;
  private readonly sigmaMin: number | undefined;
  private readonly sigmaMax: number | undefined;
  /** Most recent last. */
  private derivatives: Float32Array[] = [];

  constructor(config: SchedulerConfig) {
    // diffusers' LMS has no rescale_betas_zero_snr: the setting is not passed on.
    super({ ...resolveCommon(config, { timestepSpacing: 'linspace' }), rescaleBetasZeroSnr: false });
    this.useKarrasSigmas = config.useKarrasSigmas ?? false;
    this.useExponentialSigmas = config.useExponentialSigmas ?? false;
    this.sigmaMin = config.sigmaMin;
    this.sigmaMax = config.sigmaMax;
  }

  protected computeSchedule(steps: number): SigmaSchedule {
    const { numTrainTimesteps, timestepSpacing, stepsOffset } = this.settings;
    let timesteps = spacedTimesteps(timestepSpacing, numTrainTimesteps, steps, stepsOffset, false);
    let sigmas = timesteps.map((t) => interpolateAtTimestep(t, this.trainSigmas));
    if (this.useKarrasSigmas || this.useExponentialSigmas) {
      const sigmaMin = this.sigmaMin ?? sigmas[sigmas.length - 1]!;
      const sigmaMax = this.sigmaMax ?? sigmas[0]!;
      sigmas = this.useKarrasSigmas ? karrasSigmas(sigmaMin, sigmaMax, steps) : exponentialSigmas(sigmaMin, sigmaMax, steps);
      timesteps = sigmas.map((sigma) => Math.fround(sigmaToTimestep(sigma, this.trainLogSigmas)));
    }
    return { timesteps, sigmas: Float32Array.from([...sigmas, 0]) };
  }

  protected override onSetTimesteps(): void {
    this.derivatives = [];
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _rng: NoiseSource): StepResult {
    const index = this.currentIndex(timestep);
    const sigma = this.sigmas[index]!;
    const predOriginalSample = predictOriginalFromSigma(this.settings.predictionType, modelOutput, sample, sigma);
    const derivative = new Float32Array(sample.length);
    for (let i = 0; i < derivative.length; i++) derivative[i] = (sample[i]! - predOriginalSample[i]!) / sigma;
    this.derivatives.push(derivative);
    if (this.derivatives.length > LMS_ORDER) this.derivatives.shift();

    const order = Math.min(index + 1, LMS_ORDER);
    const coefficients = Array.from({ length: order }, (_, current) => lmsCoefficient(this.sigmas, order, index, current));
    const prevSample = new Float32Array(sample.length);
    const newestFirst = [...this.derivatives].reverse();
    // zip(coefficients, reversed(derivatives)): after an img2img start the history can be shorter than the order.
    const terms = Math.min(order, newestFirst.length);
    for (let i = 0; i < prevSample.length; i++) {
      let update = 0;
      for (let j = 0; j < terms; j++) update += coefficients[j]! * newestFirst[j]![i]!;
      prevSample[i] = sample[i]! + update;
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}

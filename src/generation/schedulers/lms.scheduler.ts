/**
 * LMS (diffusers `LMSDiscreteScheduler`, k-diffusion `sample_lms`, order 4): keeps the last four
 * derivatives d = (x − x₀)/σ and steps with x' = x + Σ_j c_j·d_{−j}, c_j from {@link lmsCoefficient}.
 * Order ramps up 1, 2, 3, 4 over the first steps (order 1 is plain Euler).
 */
import type { NoiseSource } from '../rng/noise-source.ts';
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
    const length = sample.length;
    const predOriginalSample = predictOriginalFromSigma(this.settings.predictionType, modelOutput, sample, sigma, this.buffers.take('original', length, 2));
    // The history holds at most LMS_ORDER derivatives, so a ring one longer never overwrites a kept one.
    const derivative = this.buffers.take('derivative', length, LMS_ORDER + 1);
    for (let i = 0; i < length; i++) derivative[i] = (sample[i]! - predOriginalSample[i]!) / sigma;
    this.derivatives.push(derivative);
    if (this.derivatives.length > LMS_ORDER) this.derivatives.shift();

    const order = Math.min(index + 1, LMS_ORDER);
    const coefficients = Array.from({ length: order }, (_, current) => lmsCoefficient(this.sigmas, order, index, current));
    const prevSample = this.buffers.take('prev', length, 2);
    // zip(coefficients, reversed(derivatives)): after an img2img start the history can be shorter than the order.
    const terms = Math.min(order, this.derivatives.length);
    linearCombinationStep(prevSample, sample, coefficients, this.derivatives, terms);
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }
}

/**
 * out = sample + Σ_{j<terms} c_j·d_{−j} (d_{−j}: the j-th newest derivative), summed in float64 from
 * 0 in that order; unrolled so the per-element loop touches no arrays of arrays.
 */
function linearCombinationStep(out: Float32Array, sample: Float32Array, coefficients: readonly number[], derivatives: readonly Float32Array[], terms: number): void {
  const newest = derivatives.length - 1;
  const c0 = coefficients[0] ?? 0;
  const c1 = coefficients[1] ?? 0;
  const c2 = coefficients[2] ?? 0;
  const c3 = coefficients[3] ?? 0;
  const d0 = derivatives[newest]!;
  const d1 = derivatives[newest - 1]!;
  const d2 = derivatives[newest - 2]!;
  const d3 = derivatives[newest - 3]!;
  const length = out.length;
  if (terms === 1) for (let i = 0; i < length; i++) out[i] = sample[i]! + (0 + c0 * d0[i]!);
  else if (terms === 2) for (let i = 0; i < length; i++) out[i] = sample[i]! + (0 + c0 * d0[i]! + c1 * d1[i]!);
  else if (terms === 3) for (let i = 0; i < length; i++) out[i] = sample[i]! + (0 + c0 * d0[i]! + c1 * d1[i]! + c2 * d2[i]!);
  else if (terms === 4) for (let i = 0; i < length; i++) out[i] = sample[i]! + (0 + c0 * d0[i]! + c1 * d1[i]! + c2 * d2[i]! + c3 * d3[i]!);
  else throw new Error(`LMS combines 1 to ${LMS_ORDER} derivatives, got ${terms}`);
}

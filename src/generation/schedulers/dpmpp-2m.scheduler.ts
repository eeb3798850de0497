/**
 * DPM-Solver++(2M) (diffusers `DPMSolverMultistepScheduler` with `algorithm_type="dpmsolver++"`,
 * `solver_order=2`; Lu et al. 2022). Works on the data prediction x₀ in VP space: with
 * α = 1/√(σ²+1), σ_t = σ·α and λ = ln α − ln σ_t, the first-order step is
 * x' = (σ_t/σ_s)·x − α_t(e^{−h} − 1)·x₀ (DDIM) and the second-order midpoint step adds
 * −½·α_t(e^{−h} − 1)·D1 with D1 = (m0 − m1)/r0, r0 = h_prev/h.
 */
import type { NoiseSource } from '../rng/noise-source.ts';
import { roundHalfEven } from '../round-half-even.ts';
import { exponentialSigmas, interpolateAtTimestep, karrasSigmas, logOfSigmas, sigmaToTimestep, trainingSigmas } from './noise-schedule.ts';
import { checkStepCount, cumprodFor, resolveCommon, type CommonSettings } from './resolved-config.ts';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.types.ts';
import { StepBuffers } from './step-buffers.ts';
import { indexForTimestep } from './timestep-index.ts';
import { dpmSolverTimesteps } from './timestep-spacing.ts';

const f32 = Math.fround;

/** σ (k-diffusion) → (α_t, σ_t) of the VP process. */
function vpOf(sigma: number): { alpha: number; sigmaT: number } {
  const alpha = f32(1 / f32(Math.sqrt(f32(f32(sigma * sigma) + 1))));
  return { alpha, sigmaT: f32(sigma * alpha) };
}

export class DpmSolverMultistepScheduler implements Scheduler {
  readonly name = 'dpmpp-2m' as const;
  readonly order = 1;
  readonly noiseDraws = 'never';
  readonly initNoiseSigma = 1;
  timesteps: readonly number[] = [];
  private readonly settings: CommonSettings;
  private readonly alphasCumprod: Float32Array;
  private readonly trainSigmas: Float32Array;
  private readonly useKarrasSigmas: boolean;
  private readonly useExponentialSigmas: boolean;
  private readonly finalSigmasType: 'zero' | 'sigma_min';
  private readonly solverType: 'midpoint' | 'heun';
  private readonly lowerOrderFinal: boolean;
  private readonly eulerAtFinal: boolean;
  private sigmas = new Float32Array(0);
  /** Converted model outputs (x₀), previous then current. */
  private previousOutput: Float32Array | undefined = undefined;
  private lowerOrderCount = 0;
  private stepIndex: number | undefined = undefined;
  private beginIndex: number | undefined = undefined;
  private readonly buffers = new StepBuffers();

  constructor(config: SchedulerConfig) {
    this.settings = resolveCommon(config, { timestepSpacing: 'linspace' });
    this.alphasCumprod = cumprodFor(this.settings);
    if (this.settings.rescaleBetasZeroSnr) this.alphasCumprod[this.alphasCumprod.length - 1] = 2 ** -24;
    this.trainSigmas = trainingSigmas(this.alphasCumprod);
    this.useKarrasSigmas = config.useKarrasSigmas ?? false;
    this.useExponentialSigmas = config.useExponentialSigmas ?? false;
    this.finalSigmasType = config.finalSigmasType ?? 'zero';
    this.solverType = config.solverType ?? 'midpoint';
    this.lowerOrderFinal = config.lowerOrderFinal ?? true;
    this.eulerAtFinal = config.eulerAtFinal ?? false;
  }

  setTimesteps(numInferenceSteps: number): void {
    checkStepCount(numInferenceSteps, this.settings.numTrainTimesteps);
    const { timestepSpacing, numTrainTimesteps, stepsOffset } = this.settings;
    let timesteps = dpmSolverTimesteps(timestepSpacing, numTrainTimesteps, numInferenceSteps, stepsOffset);
    let sigmas: number[];
    if (this.useKarrasSigmas || this.useExponentialSigmas) {
      // from the full training range: σmin = σ(t=0), σmax = σ(t=N−1)
      const sigmaMin = this.trainSigmas[0]!;
      const sigmaMax = this.trainSigmas[this.trainSigmas.length - 1]!;
      sigmas = this.useKarrasSigmas ? karrasSigmas(sigmaMin, sigmaMax, numInferenceSteps) : exponentialSigmas(sigmaMin, sigmaMax, numInferenceSteps);
      const logSigmas = logOfSigmas(this.trainSigmas);
      timesteps = sigmas.map((sigma) => roundHalfEven(sigmaToTimestep(sigma, logSigmas)));
    } else {
      sigmas = timesteps.map((t) => interpolateAtTimestep(t, this.trainSigmas));
    }
    const last = this.finalSigmasType === 'zero' ? 0 : this.finalSigmaMin(sigmas);
    this.sigmas = Float32Array.from([...sigmas, last]);
    this.timesteps = Object.freeze(timesteps);
    this.previousOutput = undefined;
    this.lowerOrderCount = 0;
    this.stepIndex = undefined;
    this.beginIndex = undefined;
  }

  /** `final_sigmas_type="sigma_min"`: last schedule σ for Karras/exponential, else σ at t = 0. */
  private finalSigmaMin(sigmas: number[]): number {
    if (this.useKarrasSigmas || this.useExponentialSigmas) return sigmas[sigmas.length - 1]!;
    return Math.sqrt(f32(f32(1 - this.alphasCumprod[0]!) / this.alphasCumprod[0]!));
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

  /** diffusers `DPMSolverMultistepScheduler.index_for_timestep`: no match → the last index. */
  private indexForTimestep(timestep: number): number {
    return indexForTimestep(this.timesteps, timestep, 'last-index', this.name);
  }

  private convertToOriginal(modelOutput: Float32Array, sample: Float32Array, sigma: number): Float32Array {
    const { alpha, sigmaT } = vpOf(sigma);
    const prediction = this.settings.predictionType;
    const length = sample.length;
    // Depth 2: the previous step's x₀ is still read by this step's second-order update.
    const out = this.buffers.take('original', length, 2);
    if (prediction === 'epsilon') {
      for (let i = 0; i < length; i++) out[i] = (sample[i]! - sigmaT * modelOutput[i]!) / alpha;
    } else if (prediction === 'v_prediction') {
      for (let i = 0; i < length; i++) out[i] = alpha * sample[i]! - sigmaT * modelOutput[i]!;
    } else {
      for (let i = 0; i < length; i++) out[i] = modelOutput[i]!;
    }
    return out;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _rng: NoiseSource): StepResult {
    if (this.sigmas.length === 0) throw new Error('call setTimesteps before step');
    if (this.stepIndex === undefined) this.stepIndex = this.beginIndex ?? this.indexForTimestep(timestep);
    const index = this.stepIndex;
    const count = this.timesteps.length;
    const lowerOrderFinal = index === count - 1 && (this.eulerAtFinal || (this.lowerOrderFinal && count < 15) || this.finalSigmasType === 'zero');
    // (diffusers' lower_order_second picks the second-order update, which order 2 uses anyway)

    const current = this.convertToOriginal(modelOutput, sample, this.sigmas[index]!);
    const previous = this.previousOutput;
    let prevSample: Float32Array;
    if (this.lowerOrderCount < 1 || lowerOrderFinal || previous === undefined) {
      prevSample = this.firstOrderUpdate(current, sample, index);
    } else {
      prevSample = this.secondOrderUpdate(current, previous, sample, index);
    }
    if (this.lowerOrderCount < 2) this.lowerOrderCount += 1;
    this.previousOutput = current;
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample: current };
  }

  private lambdaOf(sigma: number): { alpha: number; sigmaT: number; lambda: number } {
    const { alpha, sigmaT } = vpOf(sigma);
    return { alpha, sigmaT, lambda: f32(f32(Math.log(alpha)) - f32(Math.log(sigmaT))) };
  }

  private firstOrderUpdate(original: Float32Array, sample: Float32Array, index: number): Float32Array {
    const target = this.lambdaOf(this.sigmas[index + 1]!);
    const source = this.lambdaOf(this.sigmas[index]!);
    const h = target.lambda - source.lambda;
    const sampleScale = target.sigmaT / source.sigmaT;
    const originalScale = target.alpha * (Math.exp(-h) - 1);
    const length = sample.length;
    const out = this.buffers.take('prev', length, 2);
    for (let i = 0; i < length; i++) out[i] = sampleScale * sample[i]! - originalScale * original[i]!;
    return out;
  }

  private secondOrderUpdate(current: Float32Array, previous: Float32Array, sample: Float32Array, index: number): Float32Array {
    const target = this.lambdaOf(this.sigmas[index + 1]!);
    const source = this.lambdaOf(this.sigmas[index]!);
    const before = this.lambdaOf(this.sigmas[index - 1]!);
    const h = target.lambda - source.lambda;
    const r0 = (source.lambda - before.lambda) / h;
    const sampleScale = target.sigmaT / source.sigmaT;
    const expTerm = target.alpha * (Math.exp(-h) - 1);
    const heunTerm = target.alpha * ((Math.exp(-h) - 1) / h + 1);
    const inverseR0 = 1 / r0;
    // −0.5·expTerm·d1 evaluates as (−0.5·expTerm)·d1, so hoisting the product keeps every rounding.
    const correctionScale = this.solverType === 'midpoint' ? -0.5 * expTerm : heunTerm;
    const length = sample.length;
    const out = this.buffers.take('prev', length, 2);
    for (let i = 0; i < length; i++) {
      const now = current[i]!;
      const d1 = inverseR0 * (now - previous[i]!);
      out[i] = sampleScale * sample[i]! - expTerm * now + correctionScale * d1;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    const index = this.beginIndex === undefined ? this.indexForTimestep(timestep) : (this.stepIndex ?? this.beginIndex);
    const { alpha, sigmaT } = vpOf(this.sigmas[index]!);
    const out = new Float32Array(original.length);
    for (let i = 0; i < out.length; i++) out[i] = alpha * original[i]! + sigmaT * noise[i]!;
    return out;
  }
}

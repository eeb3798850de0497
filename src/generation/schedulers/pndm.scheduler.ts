/**
 * PNDM (diffusers `PNDMScheduler`, Liu et al. 2022). With `skip_prk_steps` (every SD config) it is
 * crowsonkb's PLMS: a second-order start (one timestep is evaluated twice, so n steps make n + 1
 * model calls) and then linear multistep on ε with weights (55, −59, 37, −9)/24. Without it, three
 * Runge–Kutta (PRK) steps of four evaluations each come first.
 */
import type { NoiseSource } from '../engine.types.ts';
import { addNoiseWithAlpha, alphaAt } from './alpha-math.ts';
import { checkStepCount, cumprodFor, resolveCommon, type CommonSettings } from './resolved-config.ts';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.types.ts';
import { pndmBaseTimesteps } from './timestep-spacing.ts';

const PNDM_ORDER = 4;

/** Σ weights[k]·vectors[k], element-wise (the linear multistep combination of ε predictions). */
function combine(vectors: Float32Array[], weights: number[]): Float32Array {
  const out = new Float32Array(vectors[0]!.length);
  for (let k = 0; k < vectors.length; k++) {
    const vector = vectors[k]!;
    const weight = weights[k]!;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + weight * vector[i]!;
  }
  return out;
}

export class PndmScheduler implements Scheduler {
  readonly name = 'pndm' as const;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  timesteps: readonly number[] = [];
  private readonly settings: CommonSettings;
  private readonly alphasCumprod: Float32Array;
  private readonly finalAlphaCumprod: number;
  private readonly skipPrkSteps: boolean;
  private numInferenceSteps = 0;
  private prkTimesteps: number[] = [];
  private counter = 0;
  /** Previous ε predictions (`ets`), most recent last. */
  private history: Float32Array[] = [];
  private pendingSample: Float32Array | undefined = undefined;
  private rungeKuttaSum: Float64Array | undefined = undefined;

  constructor(config: SchedulerConfig) {
    this.settings = resolveCommon(config, { timestepSpacing: 'leading' });
    if (this.settings.predictionType === 'sample') throw new Error('pndm supports prediction_type epsilon and v_prediction only (as diffusers)');
    this.alphasCumprod = cumprodFor(this.settings);
    this.finalAlphaCumprod = (config.setAlphaToOne ?? false) ? 1 : this.alphasCumprod[0]!;
    this.skipPrkSteps = config.skipPrkSteps ?? false;
  }

  private get ratio(): number {
    return Math.floor(this.settings.numTrainTimesteps / this.numInferenceSteps);
  }

  setTimesteps(numInferenceSteps: number): void {
    checkStepCount(numInferenceSteps, this.settings.numTrainTimesteps);
    this.numInferenceSteps = numInferenceSteps;
    const base = pndmBaseTimesteps(this.settings.timestepSpacing, this.settings.numTrainTimesteps, numInferenceSteps, this.settings.stepsOffset);
    let plms: number[];
    if (this.skipPrkSteps) {
      this.prkTimesteps = [];
      // concat(base[:-1], base[-2:-1], base[-1:])[::-1]: the second-highest timestep appears twice
      plms = [...base.slice(0, -1), ...base.slice(-2, -1), ...base.slice(-1)].reverse();
    } else {
      const halfRatio = Math.floor(this.ratio / 2);
      const lastFour = base.slice(-PNDM_ORDER);
      const withHalfSteps = lastFour.flatMap((t) => [t, t + halfRatio]);
      const doubled = withHalfSteps.slice(0, -1).flatMap((t) => [t, t]);
      this.prkTimesteps = doubled.slice(1, -1).reverse();
      plms = base.slice(0, -3).reverse();
    }
    this.timesteps = Object.freeze([...this.prkTimesteps, ...plms]);
    this.counter = 0;
    this.history = [];
    this.pendingSample = undefined;
    this.rungeKuttaSum = undefined;
  }

  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  setBeginIndex(_index: number): void {
    // diffusers' PNDMScheduler keeps its own counter and has no begin index.
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _rng: NoiseSource): StepResult {
    if (this.numInferenceSteps === 0) throw new Error('call setTimesteps before step');
    const prevSample = this.counter < this.prkTimesteps.length && !this.skipPrkSteps ? this.stepPrk(modelOutput, timestep, sample) : this.stepPlms(modelOutput, timestep, sample);
    this.counter += 1;
    return { prevSample, predOriginalSample: undefined };
  }

  private stepPrk(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    const diffToPrev = this.counter % 2 ? 0 : Math.floor(this.ratio / 2);
    const prevTimestep = timestep - diffToPrev;
    const baseTimestep = this.prkTimesteps[Math.floor(this.counter / 4) * 4]!;
    const phase = this.counter % 4;
    let epsilon = modelOutput;
    if (phase === 0) {
      this.rungeKuttaSum = new Float64Array(modelOutput.length);
      this.accumulate(modelOutput, 1 / 6);
      this.history.push(modelOutput);
      this.pendingSample = sample;
    } else if (phase === 1 || phase === 2) {
      this.accumulate(modelOutput, 1 / 3);
    } else {
      const sum = this.rungeKuttaSum!;
      epsilon = Float32Array.from(sum, (value, i) => value + modelOutput[i]! / 6);
      this.rungeKuttaSum = undefined;
    }
    return this.previousSample(this.pendingSample ?? sample, baseTimestep, prevTimestep, epsilon);
  }

  private accumulate(modelOutput: Float32Array, weight: number): void {
    const sum = this.rungeKuttaSum!;
    for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + weight * modelOutput[i]!;
  }

  private stepPlms(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    if (!this.skipPrkSteps && this.history.length < 3) throw new Error('pndm: PLMS needs three PRK steps first');
    let current = timestep;
    let prevTimestep = timestep - this.ratio;
    if (this.counter !== 1) {
      this.history = this.history.slice(-3);
      this.history.push(modelOutput);
    } else {
      // second call of the start: re-evaluate the first step from the same x with averaged ε (Heun-like)
      prevTimestep = timestep;
      current = timestep + this.ratio;
    }
    const ets = this.history;
    const at = (back: number): Float32Array => ets[ets.length - back]!;
    let epsilon: Float32Array;
    let from = sample;
    if (ets.length === 1 && this.counter === 0) {
      epsilon = modelOutput;
      this.pendingSample = sample;
    } else if (ets.length === 1 && this.counter === 1) {
      epsilon = combine([modelOutput, at(1)], [1 / 2, 1 / 2]);
      from = this.pendingSample!;
      this.pendingSample = undefined;
    } else if (ets.length === 2) {
      epsilon = combine([at(1), at(2)], [3 / 2, -1 / 2]);
    } else if (ets.length === 3) {
      epsilon = combine([at(1), at(2), at(3)], [23 / 12, -16 / 12, 5 / 12]);
    } else {
      epsilon = combine([at(1), at(2), at(3), at(4)], [55 / 24, -59 / 24, 37 / 24, -9 / 24]);
    }
    return this.previousSample(from, current, prevTimestep, epsilon);
  }

  /** diffusers `_get_prev_sample` (formula (9) of the PNDM paper). */
  private previousSample(sample: Float32Array, timestep: number, prevTimestep: number, modelOutput: Float32Array): Float32Array {
    const alpha = alphaAt(this.alphasCumprod, timestep, this.finalAlphaCumprod);
    const alphaPrev = alphaAt(this.alphasCumprod, prevTimestep, this.finalAlphaCumprod);
    const beta = 1 - alpha;
    const betaPrev = 1 - alphaPrev;
    const sampleCoefficient = Math.sqrt(alphaPrev / alpha);
    const denominator = alpha * Math.sqrt(betaPrev) + Math.sqrt(alpha * beta * alphaPrev);
    const isV = this.settings.predictionType === 'v_prediction';
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const epsilon = isV ? Math.sqrt(alpha) * modelOutput[i]! + Math.sqrt(beta) * sample[i]! : modelOutput[i]!;
      out[i] = sampleCoefficient * sample[i]! - ((alphaPrev - alpha) * epsilon) / denominator;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseWithAlpha(this.alphasCumprod, original, noise, timestep);
  }
}

/**
 * PNDM (diffusers `PNDMScheduler`, Liu et al. 2022). With `skip_prk_steps` (every SD config) it is
 * crowsonkb's PLMS: a second-order start (one timestep is evaluated twice, so n steps make n + 1
 * model calls) and then linear multistep on ε with weights (55, −59, 37, −9)/24. Without it, three
 * Runge–Kutta (PRK) steps of four evaluations each come first.
 */
import type { NoiseSource } from '../rng/noise-source.ts';
import { addNoiseWithAlpha, alphaAt } from './alpha-math.ts';
import { checkStepCount, cumprodFor, resolveCommon, type CommonSettings } from './resolved-config.ts';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.types.ts';
import { StepBuffers } from './step-buffers.ts';
import { pndmBaseTimesteps } from './timestep-spacing.ts';

const PNDM_ORDER = 4;

/**
 * Σ weights[k]·vectors[k] into `out`, element-wise (the linear multistep combination of ε
 * predictions): accumulated from 0 vector by vector, each partial sum rounded to float32 as the
 * array stores it.
 */
function combineInto(out: Float32Array, vectors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  const f32 = Math.fround;
  const length = out.length;
  const [v0, v1, v2, v3] = vectors;
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0] = weights;
  if (vectors.length === 2) {
    for (let i = 0; i < length; i++) out[i] = f32(0 + w0 * v0![i]!) + w1 * v1![i]!;
  } else if (vectors.length === 3) {
    for (let i = 0; i < length; i++) out[i] = f32(f32(0 + w0 * v0![i]!) + w1 * v1![i]!) + w2 * v2![i]!;
  } else if (vectors.length === 4) {
    for (let i = 0; i < length; i++) out[i] = f32(f32(f32(0 + w0 * v0![i]!) + w1 * v1![i]!) + w2 * v2![i]!) + w3 * v3![i]!;
  } else {
    throw new Error(`PNDM combines 2 to ${PNDM_ORDER} ε predictions, got ${vectors.length}`);
  }
  return out;
}

export class PndmScheduler implements Scheduler {
  readonly name = 'pndm' as const;
  readonly order = 1;
  readonly noiseDraws = 'never';
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
  private rungeKuttaStore: Float64Array | undefined = undefined;
  private readonly buffers = new StepBuffers();

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

  reuseBuffers(): void {
    this.buffers.enableReuse();
  }

  /** ε history entry: the caller's array, or a copy when the caller reuses its arrays. */
  private keepOutput(modelOutput: Float32Array): Float32Array {
    // The history never holds more than PNDM_ORDER entries, so a ring one longer is never overwritten while kept.
    return this.buffers.keep('history', modelOutput, PNDM_ORDER + 1);
  }

  private keepSample(sample: Float32Array): Float32Array {
    return this.buffers.keep('pending', sample, 1);
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
      // float64 accumulator, reused across PRK groups (zeroed like a fresh one)
      this.rungeKuttaSum = this.rungeKuttaStore?.length === modelOutput.length ? this.rungeKuttaStore.fill(0) : new Float64Array(modelOutput.length);
      this.rungeKuttaStore = this.rungeKuttaSum;
      this.accumulate(modelOutput, 1 / 6);
      this.history.push(this.keepOutput(modelOutput));
      this.pendingSample = this.keepSample(sample);
    } else if (phase === 1 || phase === 2) {
      this.accumulate(modelOutput, 1 / 3);
    } else {
      const sum = this.rungeKuttaSum!;
      epsilon = this.buffers.take('epsilon', sum.length, 1);
      for (let i = 0; i < sum.length; i++) epsilon[i] = sum[i]! + modelOutput[i]! / 6;
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
      this.history.push(this.keepOutput(modelOutput));
    } else {
      // second call of the start: re-evaluate the first step from the same x with averaged ε (Heun-like)
      prevTimestep = timestep;
      current = timestep + this.ratio;
    }
    const ets = this.history;
    const at = (back: number): Float32Array => ets[ets.length - back]!;
    let epsilon: Float32Array;
    let from = sample;
    const combined = (): Float32Array => this.buffers.take('epsilon', sample.length, 1);
    if (ets.length === 1 && this.counter === 0) {
      epsilon = modelOutput;
      this.pendingSample = this.keepSample(sample);
    } else if (ets.length === 1 && this.counter === 1) {
      epsilon = combineInto(combined(), [modelOutput, at(1)], [1 / 2, 1 / 2]);
      from = this.pendingSample!;
      this.pendingSample = undefined;
    } else if (ets.length === 2) {
      epsilon = combineInto(combined(), [at(1), at(2)], [3 / 2, -1 / 2]);
    } else if (ets.length === 3) {
      epsilon = combineInto(combined(), [at(1), at(2), at(3)], [23 / 12, -16 / 12, 5 / 12]);
    } else {
      epsilon = combineInto(combined(), [at(1), at(2), at(3), at(4)], [55 / 24, -59 / 24, 37 / 24, -9 / 24]);
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
    const alphaDrop = alphaPrev - alpha;
    const length = sample.length;
    const out = this.buffers.take('prev', length, 2);
    if (this.settings.predictionType === 'v_prediction') {
      const sqrtAlpha = Math.sqrt(alpha);
      const sqrtBeta = Math.sqrt(beta);
      for (let i = 0; i < length; i++) {
        const x = sample[i]!;
        const epsilon = sqrtAlpha * modelOutput[i]! + sqrtBeta * x;
        out[i] = sampleCoefficient * x - (alphaDrop * epsilon) / denominator;
      }
    } else {
      for (let i = 0; i < length; i++) out[i] = sampleCoefficient * sample[i]! - (alphaDrop * modelOutput[i]!) / denominator;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseWithAlpha(this.alphasCumprod, original, noise, timestep);
  }
}

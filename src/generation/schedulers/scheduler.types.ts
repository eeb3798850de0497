/**
 * The scheduler contract shared by the pipeline and the seven samplers. Every scheduler is pure
 * math on flat Float32Arrays (any batch: the same scalar coefficients apply to every element) and
 * reproduces the matching Hugging Face diffusers class.
 */
import type { NoiseSource } from '../rng/noise-source.ts';
import type { SchedulerName } from './scheduler-names.ts';

export type { NoiseSource } from '../rng/noise-source.ts';
export type { SchedulerName } from './scheduler-names.ts';

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

/**
 * A diffusers `scheduler_config.json`, in camelCase. `undefined` means "not in the file": each
 * scheduler then applies its own class's diffusers default, exactly as
 * `XScheduler.from_config(pipe.scheduler.config)` would (see `parseSchedulerConfig`).
 */
export interface SchedulerConfig {
  /** `_class_name` of the file (e.g. `PNDMScheduler`), undefined when absent. */
  readonly className: string | undefined;
  readonly numTrainTimesteps: number | undefined;
  readonly betaStart: number | undefined;
  readonly betaEnd: number | undefined;
  readonly betaSchedule: BetaSchedule | undefined;
  readonly trainedBetas: readonly number[] | undefined;
  readonly predictionType: PredictionType | undefined;
  readonly timestepSpacing: TimestepSpacing | undefined;
  readonly stepsOffset: number | undefined;
  readonly setAlphaToOne: boolean | undefined;
  readonly clipSample: boolean | undefined;
  readonly clipSampleRange: number | undefined;
  readonly rescaleBetasZeroSnr: boolean | undefined;
  /** PNDM */
  readonly skipPrkSteps: boolean | undefined;
  /** Euler family, LMS, DPM-Solver */
  readonly useKarrasSigmas: boolean | undefined;
  readonly useExponentialSigmas: boolean | undefined;
  readonly sigmaMin: number | undefined;
  readonly sigmaMax: number | undefined;
  readonly interpolationType: 'linear' | 'log_linear' | undefined;
  readonly timestepType: 'discrete' | 'continuous' | undefined;
  readonly finalSigmasType: 'zero' | 'sigma_min' | undefined;
  /** DPM-Solver (`dpmpp-2m` always runs dpmsolver++ of order 2; these refine it). */
  readonly solverType: 'midpoint' | 'heun' | undefined;
  readonly lowerOrderFinal: boolean | undefined;
  readonly eulerAtFinal: boolean | undefined;
  /** LCM */
  readonly originalInferenceSteps: number | undefined;
  readonly timestepScaling: number | undefined;
  /** Settings present in the file that this implementation does not honour, in words. */
  readonly warnings: readonly string[];
}

/**
 * When `step()` draws `rng.randn(sample.length)`: never (deterministic samplers), on every step
 * (Euler a, the last step included), or on every step but the last (LCM). A loop may draw that
 * noise ahead of time from the same stream (while the UNet runs); the declaration must be exact.
 */
export type NoiseDraws = 'never' | 'every-step' | 'all-but-last-step';

export interface StepResult {
  /** x_{t-1}: the next model input (before `scaleModelInput`). */
  prevSample: Float32Array;
  /** The denoised estimate x_0 (LCM: its boundary-condition `denoised`); undefined for PNDM, as in diffusers. */
  predOriginalSample: Float32Array | undefined;
}

/** One sampler run: `setTimesteps`, then per timestep `scaleModelInput` → model → `step`. */
export interface Scheduler {
  readonly name: SchedulerName;
  setTimesteps(numInferenceSteps: number): void;
  /** Model timesteps in diffusers' order and values (fractional for Karras/linspace Euler-family schedules). */
  readonly timesteps: readonly number[];
  /** Multiply unit-variance noise by this to get the initial latents. */
  readonly initNoiseSigma: number;
  /**
   * The UNet input for this step (Euler family: x/√(σ²+1)); may return `sample` itself, so do not
   * mutate it. After {@link reuseBuffers} the result is valid until the next `scaleModelInput` call.
   */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  /**
   * One denoising step. Inputs are not modified. Ancestral and LCM steps draw
   * `rng.randn(sample.length)` in diffusers' order; the others never touch `rng`.
   * Returns new arrays, unless {@link reuseBuffers} was called (see there for how long they live).
   */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, rng: NoiseSource): StepResult;
  /**
   * Switches to preallocated result arrays for the rest of this scheduler's life, so a denoising
   * loop allocates no latent-sized array per step. Ownership rule from then on: the arrays a
   * `step()` returns (`prevSample`, `predOriginalSample`) belong to the scheduler (read them, do not
   * modify them) and stay valid until the next `step()` call returns, which makes `prevSample` fine
   * to pass back in as that call's `sample`; copy anything needed for longer. In exchange the
   * scheduler keeps no reference to `modelOutput` or `sample` after `step()` returns (it copies
   * what its history needs), so the caller may refill those arrays between steps.
   */
  reuseBuffers(): void;
  /** Forward diffusion to `timestep` (img2img start), as diffusers `add_noise`. */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array;
  /** img2img: diffusers' `set_begin_index` (no-op where the diffusers class has none). */
  setBeginIndex(index: number): void;
  /** Model evaluations per denoising step as diffusers counts them (`scheduler.order`). */
  readonly order: number;
  /** Which steps draw noise from `rng` (see {@link NoiseDraws}). */
  readonly noiseDraws: NoiseDraws;
}

/**
 * The denoising loop in diffusers' order of operations (`StableDiffusionPipeline.__call__`):
 * per timestep, scale the latents, run the UNet on `[negative, positive]` rows, combine with
 * `uncond + g · (cond − uncond)` in float32, then let the scheduler step. The AbortSignal is
 * checked between steps, so a cancel stops after the step that is running.
 */
import type { NoiseSource } from '../engine.types.ts';
import type { NoiseDraws } from '../schedulers/index.ts';
import { GenerationAbortedError, throwIfAborted } from './pipeline.errors.ts';
import type { NoisePredictor } from './tiled-unet.ts';

/** The part of a scheduler the loop drives. */
export interface LoopScheduler {
  scaleModelInput(sample: Float32Array, t: number): Float32Array;
  step(
    modelOutput: Float32Array,
    t: number,
    sample: Float32Array,
    rng: NoiseSource,
  ): { prevSample: Float32Array; predOriginalSample: Float32Array | undefined };
  /** Preallocated results from now on (see `Scheduler.reuseBuffers` for the ownership rule). */
  reuseBuffers(): void;
  /** Which steps draw `sample.length` noise values. */
  readonly noiseDraws: NoiseDraws;
}

/** The loop's noise: a stream that can draw a step's values ahead of time (see `PerImageNoise`). */
export interface LoopNoise extends NoiseSource {
  /** Draws the next `count` values ahead; the next `randn(count)` returns them. */
  prefetch(count: number): Promise<void>;
}

export interface DenoiseLoopInput {
  scheduler: LoopScheduler;
  /** Timesteps to run (already cut for img2img strength). */
  timesteps: readonly number[];
  /** Initial latents [images, C, h, w]: noise × init sigma, or the noised init image. */
  latents: Float32Array;
  images: number;
  /** The UNet (whole-image calls or tiles): one prediction for every row. */
  runner: NoisePredictor;
  /** Classifier-free guidance on: the runner has 2 × images rows, negative rows first. */
  guided: boolean;
  guidance: number;
  /** Per-image noise for ancestral / stochastic steps. */
  noise: LoopNoise;
  signal: AbortSignal | undefined;
  /**
   * Called after every step with the new latents and the scheduler's x0 estimate when it has one.
   * Both arrays are overwritten by later steps: read them during the call, copy to keep.
   */
  onStep: (stepIndex: number, latents: Float32Array, denoised: Float32Array | undefined) => void;
  /**
   * Replaces the latents after each step before anything else sees them (inpainting with an
   * ordinary UNet blends the known region back in); must return a new array, never the input.
   * undefined = the scheduler's result as it is.
   */
  afterStep?: ((stepIndex: number, latents: Float32Array) => Float32Array) | undefined;
}

const f32 = Math.fround;

/**
 * `uncond + g · (cond − uncond)`, each operation rounded to float32 like torch, into `out` (a new
 * array when omitted).
 */
export function combineGuidance(prediction: Float32Array, images: number, guidance: number, out?: Float32Array): Float32Array {
  const size = prediction.length / 2;
  if (size !== Math.floor(size) || images < 1) throw new Error('guided prediction must hold negative and positive rows');
  const scale = f32(guidance);
  const guided = out ?? new Float32Array(size);
  if (guided.length !== size) throw new Error(`guidance output holds ${guided.length} values, expected ${size}`);
  for (let index = 0; index < size; index++) {
    const uncond = prediction[index]!;
    const cond = prediction[size + index]!;
    guided[index] = uncond + f32(scale * f32(cond - uncond));
  }
  return guided;
}

function drawsNoise(draws: NoiseDraws, stepIndex: number, steps: number): boolean {
  return draws === 'every-step' || (draws === 'all-but-last-step' && stepIndex < steps - 1);
}

/**
 * Runs all timesteps and returns the final latents. Nothing latent-sized is allocated per step:
 * the scheduler reuses its result arrays (so the returned latents are the scheduler's: valid until
 * it steps again), and the UNet input and guidance buffers are allocated once here.
 */
export async function runDenoiseLoop(input: DenoiseLoopInput): Promise<Float32Array> {
  const { scheduler, runner, guided, signal } = input;
  scheduler.reuseBuffers();
  let latents = input.latents;
  const size = latents.length;
  // The UNet input for guided runs is the scaled latents twice; the combined prediction has one row set.
  const doubled = guided ? new Float32Array(size * 2) : undefined;
  const guidedOutput = guided ? new Float32Array(size) : undefined;
  for (const [stepIndex, t] of input.timesteps.entries()) {
    throwIfAborted(signal, stepIndex);
    const scaled = scheduler.scaleModelInput(latents, t);
    let modelInput = scaled;
    if (doubled) {
      doubled.set(scaled, 0);
      doubled.set(scaled, size);
      modelInput = doubled;
    }
    const predicting = runner.predict(modelInput, t);
    // The UNet now runs in the ONNX worker thread: draw this step's noise meanwhile, from the same
    // streams in the same order, instead of after the run.
    const prefetching = drawsNoise(scheduler.noiseDraws, stepIndex, input.timesteps.length) ? input.noise.prefetch(size) : undefined;
    const [prediction] = await Promise.all([predicting, prefetching]);
    // Reused arrays are safe here: a reusing scheduler copies whatever it keeps as history (PNDM's ε).
    const modelOutput = guidedOutput ? combineGuidance(prediction, input.images, input.guidance, guidedOutput) : prediction.subarray(0, size);
    const result = scheduler.step(modelOutput, t, latents, input.noise);
    latents = input.afterStep ? input.afterStep(stepIndex, result.prevSample) : result.prevSample;
    input.onStep(stepIndex, latents, result.predOriginalSample);
  }
  if (signal?.aborted) throw new GenerationAbortedError(input.timesteps.length);
  return latents;
}

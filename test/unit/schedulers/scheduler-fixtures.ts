/** Shared test helpers for scheduler tests (hand-written fakes and closed forms). */
import type { NoiseSource } from '../../../src/generation/engine.types.ts';
import { parseSchedulerConfig } from '../../../src/generation/schedulers/index.ts';
import type { SchedulerConfig } from '../../../src/generation/schedulers/index.ts';

export const SD_BETAS = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', num_train_timesteps: 1000 };

export function sdConfig(extra: Record<string, unknown> = {}): SchedulerConfig {
  return parseSchedulerConfig({ ...SD_BETAS, steps_offset: 1, timestep_spacing: 'leading', set_alpha_to_one: false, clip_sample: false, ...extra });
}

/** ᾱ_t in float64 from the closed-form scaled_linear betas. */
export function closedFormAlphaBar(t: number): number {
  const from = Math.sqrt(0.00085);
  const to = Math.sqrt(0.012);
  let product = 1;
  for (let i = 0; i <= t; i++) product *= 1 - (from + (i * (to - from)) / 999) ** 2;
  return product;
}

export function closedFormSigma(t: number): number {
  const alphaBar = closedFormAlphaBar(t);
  return Math.sqrt((1 - alphaBar) / alphaBar);
}

/** A deterministic pseudo-random vector (not torch: just varied test data). */
export function vector(length: number, seed: number, scale = 1, offset = 0): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length }, () => {
    state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5;
    state >>>= 0;
    return offset + scale * ((state / 2 ** 32) * 2 - 1);
  });
}

/** Zero-mean copy (so that means separate signal from noise exactly in the perfect denoiser). */
export function zeroMean(values: Float32Array): Float32Array {
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / values.length;
  return values.map((value) => value - mean);
}

/** Noise source that records each draw and hands out given (or zero-mean pseudo-random) noise. */
export class RecordingNoise implements NoiseSource {
  readonly draws: number[] = [];
  readonly outputs: Float32Array[] = [];
  constructor(private readonly next: (count: number, call: number) => Float32Array) {}
  randn(count: number): Float32Array {
    const noise = this.next(count, this.draws.length);
    this.draws.push(count);
    this.outputs.push(noise);
    return noise;
  }
}

export const noNoise = new RecordingNoise(() => {
  throw new Error('this scheduler must not draw noise');
});

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

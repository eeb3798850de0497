/**
 * Helpers for the ᾱ-parameterised (DDPM-family) schedulers: DDIM, PNDM, LCM.
 */
import type { PredictionType } from './scheduler.types.ts';

const f32 = Math.fround;

/** ᾱ at an integer timestep, or the configured final ᾱ for t < 0 (diffusers `final_alpha_cumprod`). */
export function alphaAt(cumprod: Float32Array, timestep: number, finalAlphaCumprod: number): number {
  if (timestep < 0) return finalAlphaCumprod;
  const value = cumprod[timestep];
  if (value === undefined || !Number.isInteger(timestep)) throw new Error(`timestep ${timestep} is outside the training schedule`);
  return value;
}

/** diffusers DDPM-family `add_noise`: √ᾱ_t·x₀ + √(1−ᾱ_t)·ε (coefficients in float32 as torch). */
export function addNoiseWithAlpha(cumprod: Float32Array, original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
  const alpha = alphaAt(cumprod, Math.round(timestep), 1);
  const signal = f32(Math.sqrt(alpha));
  const noiseScale = f32(Math.sqrt(f32(1 - alpha)));
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = signal * original[i]! + noiseScale * noise[i]!;
  return out;
}

/**
 * x₀ and ε estimates from a model output at ᾱ_t, written into `into` (new arrays when omitted).
 */
export function predictWithAlpha(
  prediction: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  alpha: number,
  into: { original: Float32Array; epsilon: Float32Array } = { original: new Float32Array(sample.length), epsilon: new Float32Array(sample.length) },
): { original: Float32Array; epsilon: Float32Array } {
  const sqrtAlpha = Math.sqrt(alpha);
  const sqrtBeta = Math.sqrt(1 - alpha);
  const { original, epsilon } = into;
  const length = sample.length;
  if (prediction === 'epsilon') {
    for (let i = 0; i < length; i++) {
      const output = modelOutput[i]!;
      original[i] = (sample[i]! - sqrtBeta * output) / sqrtAlpha;
      epsilon[i] = output;
    }
  } else if (prediction === 'v_prediction') {
    for (let i = 0; i < length; i++) {
      const x = sample[i]!;
      const output = modelOutput[i]!;
      original[i] = sqrtAlpha * x - sqrtBeta * output;
      epsilon[i] = sqrtAlpha * output + sqrtBeta * x;
    }
  } else {
    for (let i = 0; i < length; i++) {
      const output = modelOutput[i]!;
      original[i] = output;
      epsilon[i] = (sample[i]! - sqrtAlpha * output) / sqrtBeta;
    }
  }
  return into;
}

/** Clamp in place to [−range, range] (diffusers `clip_sample`). */
export function clampInPlace(values: Float32Array, range: number): void {
  for (let i = 0; i < values.length; i++) values[i] = Math.min(Math.max(values[i]!, -range), range);
}

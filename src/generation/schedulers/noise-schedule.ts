/**
 * Training noise schedules with diffusers' float32 arithmetic. diffusers builds betas with
 * `torch.linspace(..., dtype=float32)` and `torch.cumprod`, so alphas_cumprod, sigmas and hence the
 * model timesteps depend on float32 rounding; reproducing it keeps every schedule value
 * bit-identical to diffusers (checked against torch 2.13 on x86).
 */
import type { BetaSchedule } from './scheduler.types.ts';

const f32 = Math.fround;

/**
 * `torch.linspace(start, end, steps, dtype=torch.float32)` on x86 CPU builds: the scalar kernel
 * (first half from `start`, second half back from `end`) with the multiply-add contracted into
 * one fused operation, as GCC compiles it with `-mfma`.
 */
export function torchLinspaceFloat32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 0) return out;
  const from = f32(start);
  const to = f32(end);
  if (steps === 1) {
    out[0] = from;
    return out;
  }
  const step = f32(f32(to - from) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  // step·i is exact in float64 (24-bit × ≤31-bit), so one rounding = the fused multiply-add.
  for (let i = 0; i < steps; i++) out[i] = i < halfway ? f32(from + step * i) : f32(to - step * (steps - i - 1));
  return out;
}

/** diffusers `betas_for_alpha_bar` (cosine, max_beta 0.999): computed in float64, stored as float32. */
function cosineBetas(count: number): Float32Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  const betas = new Float32Array(count);
  for (let i = 0; i < count; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / count) / alphaBar(i / count), 0.999);
  return betas;
}

export interface BetaOptions {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  trainedBetas: readonly number[] | undefined;
  rescaleBetasZeroSnr: boolean;
}

/** Betas as diffusers' scheduler `__init__` builds them (float32). */
export function makeBetas(options: BetaOptions): Float32Array {
  let betas: Float32Array;
  if (options.trainedBetas !== undefined) betas = Float32Array.from(options.trainedBetas);
  else if (options.betaSchedule === 'linear') betas = torchLinspaceFloat32(options.betaStart, options.betaEnd, options.numTrainTimesteps);
  else if (options.betaSchedule === 'scaled_linear') {
    betas = torchLinspaceFloat32(Math.sqrt(options.betaStart), Math.sqrt(options.betaEnd), options.numTrainTimesteps);
    for (let i = 0; i < betas.length; i++) betas[i] = betas[i]! * betas[i]!;
  } else betas = cosineBetas(options.numTrainTimesteps);
  return options.rescaleBetasZeroSnr ? rescaleZeroTerminalSnr(betas) : betas;
}

/** `torch.cumprod(1 - betas)` on float32: float64 running product, each output rounded to float32. */
export function alphasCumprod(betas: Float32Array): Float32Array {
  const out = new Float32Array(betas.length);
  let product = 1;
  for (let i = 0; i < betas.length; i++) {
    product *= f32(1 - betas[i]!);
    out[i] = product;
  }
  return out;
}

/** diffusers `rescale_zero_terminal_snr` (Lin et al. 2023, Algorithm 1) in float32 steps. */
export function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const cumprod = alphasCumprod(betas);
  const sqrtBar = cumprod.map((value) => Math.sqrt(value));
  const first = sqrtBar[0]!;
  const last = sqrtBar[sqrtBar.length - 1]!;
  const scale = f32(first / f32(first - last));
  for (let i = 0; i < sqrtBar.length; i++) sqrtBar[i] = f32(f32(sqrtBar[i]! - last) * scale);
  const bar = sqrtBar.map((value) => value * value);
  const rescaled = new Float32Array(betas.length);
  rescaled[0] = f32(1 - bar[0]!);
  for (let i = 1; i < bar.length; i++) rescaled[i] = f32(1 - f32(bar[i]! / bar[i - 1]!));
  return rescaled;
}

/** σ_t = √((1 − ᾱ_t)/ᾱ_t) per training timestep, in float32 tensor ops as diffusers. */
export function trainingSigmas(cumprod: Float32Array): Float32Array {
  const out = new Float32Array(cumprod.length);
  for (let i = 0; i < cumprod.length; i++) out[i] = Math.sqrt(f32(f32(1 - cumprod[i]!) / cumprod[i]!));
  return out;
}

/** `numpy.interp(x, arange(len(values)), values)` in float64 (x inside [0, len − 1] or clamped). */
export function interpolateAtTimestep(timestep: number, values: ArrayLike<number>): number {
  const last = values.length - 1;
  if (timestep <= 0) return values[0]!;
  if (timestep >= last) return values[last]!;
  const low = Math.floor(timestep);
  if (low === timestep) return values[low]!;
  const slope = (values[low + 1]! - values[low]!) / 1;
  return slope * (timestep - low) + values[low]!;
}

/** k-diffusion / diffusers `_sigma_to_t`: fractional timestep whose log-σ interpolates to log(σ). */
export function sigmaToTimestep(sigma: number, logSigmas: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  // low = last index whose log-σ ≤ log(σ) (0 when none), capped so high stays in range.
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i]! >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const lowLog = logSigmas[low]!;
  const highLog = logSigmas[low + 1]!;
  const weight = Math.min(Math.max((lowLog - logSigma) / (lowLog - highLog), 0), 1);
  return (1 - weight) * low + weight * (low + 1);
}

/** log of float32 σ values, as `np.log` on a float32 array. */
export function logOfSigmas(sigmas: Float32Array): Float32Array {
  return sigmas.map((sigma) => Math.log(sigma));
}

/** Karras et al. (2022) schedule, ρ = 7: σ_i = (σmax^(1/ρ) + i/(n−1)·(σmin^(1/ρ) − σmax^(1/ρ)))^ρ. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, count: number): number[] {
  const rho = 7;
  const minInvRho = sigmaMin ** (1 / rho);
  const maxInvRho = sigmaMax ** (1 / rho);
  return numpyLinspace(0, 1, count).map((ramp) => (maxInvRho + ramp * (minInvRho - maxInvRho)) ** rho);
}

/** Exponential schedule: log-σ evenly spaced from σmax down to σmin. */
export function exponentialSigmas(sigmaMin: number, sigmaMax: number, count: number): number[] {
  return numpyLinspace(Math.log(sigmaMax), Math.log(sigmaMin), count).map((value) => Math.exp(value));
}

/** `numpy.linspace(start, stop, num)` (endpoint included) in float64. */
export function numpyLinspace(start: number, stop: number, count: number): number[] {
  if (count === 1) return [start];
  const step = (stop - start) / (count - 1);
  const values = Array.from({ length: count }, (_, i) => i * step + start);
  if (count > 1) values[count - 1] = stop;
  return values;
}

/** `numpy.arange(start, stop, step)` for floats: length ⌈(stop − start)/step⌉, values start + i·Δ. */
export function numpyArange(start: number, stop: number, step: number): number[] {
  const length = Math.max(Math.ceil((stop - start) / step), 0);
  if (length === 0) return [];
  // numpy fills from the first two elements, so the stride is (start + step) − start.
  const delta = start + step - start;
  return Array.from({ length }, (_, i) => start + i * delta);
}


/**
 * `timestep_spacing` as diffusers implements it (Table 2 of Lin et al. 2023, "Common Diffusion Noise
 * Schedules and Sample Steps are Flawed"). Lists are descending (first model call first).
 */
import { roundHalfEven } from '../round-half-even.ts';
import { numpyArange, numpyLinspace } from './noise-schedule.ts';
import type { TimestepSpacing } from './scheduler.types.ts';

/**
 * Timesteps of the Euler / Euler a / LMS / DDIM family.
 * - linspace: `linspace(0, N−1, n)` reversed (fractional unless `roundLinspace`, as DDIM rounds)
 * - leading: `arange(n)·(N // n)` reversed, plus `steps_offset`
 * - trailing: `round(arange(N, 0, −N/n)) − 1`
 */
export function spacedTimesteps(spacing: TimestepSpacing, numTrain: number, steps: number, stepsOffset: number, roundLinspace: boolean): number[] {
  if (spacing === 'linspace') {
    const values = numpyLinspace(0, numTrain - 1, steps).reverse();
    return roundLinspace ? values.map(roundHalfEven) : values.map((value) => Math.fround(value));
  }
  if (spacing === 'leading') {
    const ratio = Math.floor(numTrain / steps);
    return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + stepsOffset);
  }
  return numpyArange(numTrain, 0, -numTrain / steps).map((value) => roundHalfEven(value) - 1);
}

/** PNDM keeps its base list ascending (`_timesteps`) and builds PRK/PLMS lists from it. */
export function pndmBaseTimesteps(spacing: TimestepSpacing, numTrain: number, steps: number, stepsOffset: number): number[] {
  if (spacing === 'linspace') return numpyLinspace(0, numTrain - 1, steps).map(roundHalfEven);
  if (spacing === 'leading') {
    const ratio = Math.floor(numTrain / steps);
    return Array.from({ length: steps }, (_, i) => i * ratio + stepsOffset);
  }
  return numpyArange(numTrain, 0, -numTrain / steps)
    .map((value) => roundHalfEven(value) - 1)
    .reverse();
}

/** DPM-Solver multistep divides into n + 1 points and drops the last (`[::-1][:-1]`). */
export function dpmSolverTimesteps(spacing: TimestepSpacing, numTrain: number, steps: number, stepsOffset: number): number[] {
  // lambda_min_clipped = −inf (the default) keeps last_timestep = N.
  const lastTimestep = numTrain;
  if (spacing === 'linspace') return numpyLinspace(0, lastTimestep - 1, steps + 1).map(roundHalfEven).reverse().slice(0, steps);
  if (spacing === 'leading') {
    const ratio = Math.floor(lastTimestep / (steps + 1));
    return Array.from({ length: steps + 1 }, (_, i) => i * ratio)
      .reverse()
      .slice(0, steps)
      .map((value) => value + stepsOffset);
  }
  return numpyArange(lastTimestep, 0, -numTrain / steps).map((value) => roundHalfEven(value) - 1);
}

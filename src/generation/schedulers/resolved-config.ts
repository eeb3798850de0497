/**
 * Resolving a {@link SchedulerConfig} against one diffusers class's defaults, and the quantities
 * every scheduler derives from it (betas → ᾱ).
 */
import { alphasCumprod, makeBetas } from './noise-schedule.ts';
import type { BetaSchedule, PredictionType, SchedulerConfig, TimestepSpacing } from './scheduler.types.ts';

export interface CommonSettings {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  trainedBetas: readonly number[] | undefined;
  predictionType: PredictionType;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  rescaleBetasZeroSnr: boolean;
}

/** Defaults that differ between the diffusers classes. */
export interface ClassDefaults {
  timestepSpacing: TimestepSpacing;
  betaStart?: number;
  betaEnd?: number;
  betaSchedule?: BetaSchedule;
}

export function resolveCommon(config: SchedulerConfig, defaults: ClassDefaults): CommonSettings {
  return {
    numTrainTimesteps: config.numTrainTimesteps ?? 1000,
    betaStart: config.betaStart ?? defaults.betaStart ?? 0.0001,
    betaEnd: config.betaEnd ?? defaults.betaEnd ?? 0.02,
    betaSchedule: config.betaSchedule ?? defaults.betaSchedule ?? 'linear',
    trainedBetas: config.trainedBetas,
    predictionType: config.predictionType ?? 'epsilon',
    timestepSpacing: config.timestepSpacing ?? defaults.timestepSpacing,
    stepsOffset: config.stepsOffset ?? 0,
    rescaleBetasZeroSnr: config.rescaleBetasZeroSnr ?? false,
  };
}

/** ᾱ_t for t = 0 … N−1 (float32, as diffusers' `alphas_cumprod`). */
export function cumprodFor(settings: CommonSettings): Float32Array {
  return alphasCumprod(makeBetas(settings));
}

/** Throws unless `steps` is a usable number of inference steps for this training schedule. */
export function checkStepCount(steps: number, numTrainTimesteps: number): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > numTrainTimesteps) {
    throw new RangeError(`number of inference steps must be an integer in 1..${numTrainTimesteps}, got ${steps}`);
  }
}

import type { SchedulerName } from '../engine.types.ts';
import type { ModelFamily } from './model.types.ts';

/**
 * VAE scaling factor when `vae_decoder/config.json` does not say (legacy diffusers exports have no
 * per-part config): 0.18215 for the SD1/SD2 VAE, 0.13025 for the SDXL VAE.
 */
export function defaultScalingFactor(family: ModelFamily): number {
  return family === 'sdxl' || family === 'sdxl-turbo' ? 0.13025 : 0.18215;
}

/**
 * Native resolution when `unet/config.json` has no `sample_size`. SD2 without a config is 768 for the
 * v-prediction model and 512 for the epsilon "base" model; SDXL-Turbo is trained for 512.
 */
export function defaultResolution(family: ModelFamily, predictionType: PredictionType): number {
  switch (family) {
    case 'sdxl':
      return 1024;
    case 'sd2':
      return predictionType === 'v_prediction' ? 768 : 512;
    case 'sd1':
    case 'sd-turbo':
    case 'sdxl-turbo':
    case 'lcm':
      return 512;
  }
}

export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

/** diffusers scheduler classes and the Darkroom scheduler that implements the same maths. */
const SCHEDULER_CLASSES: Readonly<Record<string, SchedulerName>> = {
  PNDMScheduler: 'pndm',
  EulerDiscreteScheduler: 'euler',
  EulerAncestralDiscreteScheduler: 'euler-ancestral',
  DDIMScheduler: 'ddim',
  DPMSolverMultistepScheduler: 'dpmpp-2m',
  LMSDiscreteScheduler: 'lms',
  LCMScheduler: 'lcm',
};

/** Maps a `scheduler_config.json` `_class_name` to our scheduler name; undefined for classes we lack (UniPC, DDPM…). */
export function schedulerFromClassName(className: string | undefined): SchedulerName | undefined {
  return className === undefined ? undefined : SCHEDULER_CLASSES[className];
}

import type { SchedulerName } from '../engine.types.ts';
import { schedulerForClass } from '../schedulers/scheduler-registry.ts';
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

/**
 * Maps a `scheduler_config.json` `_class_name` (and its `use_karras_sigmas`) to our scheduler name;
 * undefined for classes we lack (UniPC, DDPM…). The table is the schedulers' registry.
 */
export function schedulerFromClassName(className: string | undefined, useKarrasSigmas: boolean): SchedulerName | undefined {
  return className === undefined ? undefined : schedulerForClass(className, useKarrasSigmas);
}

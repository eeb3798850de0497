/**
 * Scheduler factory and the img2img timestep selection of diffusers' pipelines.
 */
import { LcmScheduler } from './lcm.scheduler.ts';
import { schedulerEntry, type SchedulerName } from './scheduler-registry.ts';
import type { Scheduler, SchedulerConfig } from './scheduler.types.ts';

/** A fresh scheduler of the named kind, configured like `XScheduler.from_config(config)` (see the registry). */
export function createScheduler(name: SchedulerName, config: SchedulerConfig): Scheduler {
  return schedulerEntry(name).create(config);
}

/** The part of a schedule an img2img run denoises, as the pipeline uses it. */
export interface Img2ImgTimesteps {
  /** Timesteps to run; the first one is where the init latents are noised to (`add_noise`). */
  timesteps: readonly number[];
  /** Denoising steps that will actually run (diffusers' returned `num_inference_steps`). */
  numInferenceSteps: number;
}

/**
 * Set up `scheduler` for img2img and return the timesteps to run. Matches diffusers
 * `StableDiffusionImg2ImgPipeline.get_timesteps`: `setTimesteps(steps)`, init_timestep =
 * min(⌊steps·strength⌋, steps), t_start = max(steps − init_timestep, 0), run
 * `timesteps[t_start·order:]` after `setBeginIndex(t_start·order)`. For `lcm` it follows
 * `LatentConsistencyModelImg2ImgPipeline` instead, which passes `strength` to `set_timesteps`.
 */
export function img2imgTimesteps(scheduler: Scheduler, steps: number, strength: number): Img2ImgTimesteps {
  if (!(strength > 0 && strength <= 1)) throw new RangeError(`strength must be in (0, 1], got ${strength}`);
  if (scheduler instanceof LcmScheduler) {
    scheduler.setTimestepsWithStrength(steps, strength);
    return { timesteps: scheduler.timesteps, numInferenceSteps: scheduler.timesteps.length };
  }
  scheduler.setTimesteps(steps);
  const initTimestep = Math.min(Math.trunc(steps * strength), steps);
  const start = Math.max(steps - initTimestep, 0);
  const timesteps = scheduler.timesteps.slice(start * scheduler.order);
  scheduler.setBeginIndex(start * scheduler.order);
  return { timesteps, numInferenceSteps: steps - start };
}

/**
 * diffusers `index_for_timestep`, one copy for every scheduler that looks a timestep up.
 * A repeated timestep answers its second place, so an img2img run that starts mid-schedule does
 * not skip a sigma. A timestep that is not in the schedule at all is where diffusers' classes
 * differ, and so do ours, on purpose: `DPMSolverMultistepScheduler` takes the last index,
 * `EulerDiscreteScheduler` (and the sigma family copying it) and `LCMScheduler` fail
 * (`indices[pos].item()` of an empty tensor). Each caller names its class's answer.
 */
import type { SchedulerName } from './scheduler-names.ts';

/** What a timestep missing from the schedule means: the last index (DPM-Solver++), or a bug (the others). */
export type MissingTimestep = 'last-index' | 'error';

export function indexForTimestep(
  timesteps: readonly number[],
  timestep: number,
  whenMissing: MissingTimestep,
  scheduler: SchedulerName,
): number {
  let first: number | undefined;
  for (let index = 0; index < timesteps.length; index++) {
    if (timesteps[index] !== timestep) continue;
    if (first !== undefined) return index;
    first = index;
  }
  if (first !== undefined) return first;
  if (whenMissing === 'last-index') return timesteps.length - 1;
  throw new Error(`timestep ${timestep} is not in this ${scheduler} schedule (${timesteps.length} steps)`);
}

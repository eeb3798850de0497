import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../../src/generation/schedulers/index.ts';
import { indexForTimestep } from '../../../src/generation/schedulers/timestep-index.ts';
import { noNoise, sdConfig, vector } from './scheduler-fixtures.ts';

const N = 16;

describe("a step at a timestep (diffusers' index_for_timestep)", () => {
  it('a repeated timestep answers its second place, so img2img starting there does not skip a sigma', () => {
    expect(indexForTimestep([999, 749, 749, 249], 749, 'error', 'euler')).toBe(2);
    expect(indexForTimestep([999, 749, 499, 249], 499, 'error', 'euler')).toBe(2);
  });

  it('Euler-family, LMS and LCM refuse a timestep the schedule does not have, naming it (diffusers fails there too)', () => {
    for (const name of ['euler', 'euler-ancestral', 'lms', 'lcm'] as const) {
      const scheduler = createScheduler(name, sdConfig());
      scheduler.setTimesteps(4);
      expect(scheduler.timesteps).not.toContain(123);
      expect(() => scheduler.step(vector(N, 1), 123, vector(N, 2), noNoise), name).toThrow(`timestep 123 is not in this ${name} schedule`);
    }
  });

  it('DPM++ 2M takes a missing timestep as the last step, as DPMSolverMultistepScheduler does', () => {
    const missing = createScheduler('dpmpp-2m', sdConfig());
    missing.setTimesteps(4);
    expect(missing.timesteps).not.toContain(123);
    const last = createScheduler('dpmpp-2m', sdConfig());
    last.setTimesteps(4);
    const lastTimestep = last.timesteps[last.timesteps.length - 1]!;
    const model = vector(N, 1);
    const sample = vector(N, 2);
    expect(Array.from(missing.step(model, 123, sample, noNoise).prevSample)).toEqual(Array.from(last.step(model, lastTimestep, sample, noNoise).prevSample));
  });
});

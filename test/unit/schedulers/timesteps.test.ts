import { describe, expect, it } from 'vitest';
import { createScheduler, parseSchedulerConfig } from '../../../src/generation/schedulers/index.ts';

// The SD 1.5 scheduler config as shipped (PNDMScheduler, leading, steps_offset 1).
const SD15 = parseSchedulerConfig({
  _class_name: 'PNDMScheduler',
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  clip_sample: false,
});
const withSpacing = (spacing: string, extra: Record<string, unknown> = {}) =>
  parseSchedulerConfig({ beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1, timestep_spacing: spacing, ...extra });

function timestepsOf(name: Parameters<typeof createScheduler>[0], config: ReturnType<typeof parseSchedulerConfig>, steps: number): number[] {
  const scheduler = createScheduler(name, config);
  scheduler.setTimesteps(steps);
  return [...scheduler.timesteps];
}

describe('timestep spacing (diffusers semantics)', () => {
  it('leading with steps_offset 1, 50 steps: 981, 961, …, 1', () => {
    const expected = Array.from({ length: 50 }, (_, i) => 981 - 20 * i);
    expect(timestepsOf('euler', withSpacing('leading'), 50)).toEqual(expected);
    expect(timestepsOf('ddim', withSpacing('leading'), 50)).toEqual(expected);
    expect(timestepsOf('lms', withSpacing('leading'), 50)).toEqual(expected);
  });

  it('the SD 1.5 file (no timestep_spacing): each class’s own default, leading for DDIM, linspace for Euler/LMS', () => {
    expect(timestepsOf('ddim', SD15, 50)).toEqual(Array.from({ length: 50 }, (_, i) => 981 - 20 * i));
    const linspace = Array.from({ length: 50 }, (_, i) => Math.fround(999 - (999 / 49) * i));
    expect(timestepsOf('euler', SD15, 50).map((t) => Math.round(t * 1000))).toEqual(linspace.map((t) => Math.round(t * 1000)));
    expect(timestepsOf('lms', SD15, 50)).toEqual(timestepsOf('euler', SD15, 50));
  });

  it('trailing: 4 steps → 999, 749, 499, 249; 1 step → 999; 16 steps round half to even', () => {
    expect(timestepsOf('euler', withSpacing('trailing'), 4)).toEqual([999, 749, 499, 249]);
    expect(timestepsOf('euler-ancestral', withSpacing('trailing'), 1)).toEqual([999]);
    // numpy: round(arange(1000, 0, -62.5)) - 1 → 937.5 → 938, 812.5 → 812
    expect(timestepsOf('ddim', withSpacing('trailing'), 16).slice(0, 6)).toEqual([999, 937, 874, 811, 749, 687]);
  });

  it('linspace: fractional for the Euler family, rounded for DDIM', () => {
    expect(timestepsOf('euler', withSpacing('linspace'), 5)).toEqual([999, 749.25, 499.5, 249.75, 0]);
    expect(timestepsOf('ddim', withSpacing('linspace'), 7)).toEqual([999, 832, 666, 500, 333, 166, 0]);
  });

  it('DPM-Solver divides into n + 1 points and drops the last', () => {
    // numpy: linspace(0, 999, 21).round()[::-1][:-1]
    expect(timestepsOf('dpmpp-2m', withSpacing('linspace'), 20)).toEqual([999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200, 150, 100, 50]);
    // leading: 1000 // 11 = 90 → 900 … 90, plus the offset
    expect(timestepsOf('dpmpp-2m', withSpacing('leading'), 10)).toEqual([901, 811, 721, 631, 541, 451, 361, 271, 181, 91]);
  });

  it('PNDM with skip_prk_steps repeats the second timestep (n + 1 model calls)', () => {
    const timesteps = timestepsOf('pndm', SD15, 50);
    expect(timesteps).toHaveLength(51);
    expect(timesteps.slice(0, 4)).toEqual([981, 961, 961, 941]);
    expect(timesteps.at(-1)).toBe(1);
  });

  it('PNDM without skip_prk_steps runs 12 Runge–Kutta evaluations first', () => {
    const timesteps = timestepsOf('pndm', parseSchedulerConfig({ ...SD15Json(), skip_prk_steps: false }), 50);
    expect(timesteps.slice(0, 12)).toEqual([981, 971, 971, 961, 961, 951, 951, 941, 941, 931, 931, 921]);
    expect(timesteps.slice(12, 15)).toEqual([921, 901, 881]);
    expect(timesteps).toHaveLength(12 + 47);
  });

  it('LCM picks evenly from the 50-step distillation schedule 999, 979, …, 19', () => {
    const lcm = parseSchedulerConfig({ _class_name: 'LCMScheduler', original_inference_steps: 50, set_alpha_to_one: true, steps_offset: 0 });
    expect(timestepsOf('lcm', lcm, 4)).toEqual([999, 759, 499, 259]);
    expect(timestepsOf('lcm', lcm, 1)).toEqual([999]);
    expect(timestepsOf('lcm', lcm, 8)).toEqual([999, 879, 759, 639, 499, 379, 259, 139]);
    expect(() => timestepsOf('lcm', lcm, 51)).toThrow(RangeError);
  });

  it('rejects step counts outside 1..num_train_timesteps', () => {
    expect(() => timestepsOf('euler', SD15, 0)).toThrow(RangeError);
    expect(() => timestepsOf('ddim', SD15, 1001)).toThrow(RangeError);
    expect(() => timestepsOf('pndm', SD15, 2.5)).toThrow(RangeError);
  });
});

function SD15Json(): Record<string, unknown> {
  return { _class_name: 'PNDMScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', set_alpha_to_one: false, steps_offset: 1 };
}

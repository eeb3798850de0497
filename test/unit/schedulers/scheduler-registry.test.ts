import { describe, expect, it } from 'vitest';
import {
  a1111SamplerLabel,
  chooseScheduler,
  createScheduler,
  parseSchedulerConfig,
  parseSchedulerName,
  SCHEDULER_NAMES,
  SCHEDULERS,
  schedulerEntry,
  schedulerForClass,
} from '../../../src/generation/schedulers/index.ts';
import { sdConfig } from './scheduler-fixtures.ts';

describe('scheduler registry', () => {
  it('has one entry per name, in order, with a Karras twin for DPM++ 2M, LMS and Euler', () => {
    expect(SCHEDULERS.map((entry) => entry.name)).toEqual([...SCHEDULER_NAMES]);
    const karras = SCHEDULERS.filter((entry) => entry.karras).map((entry) => entry.name);
    expect(karras).toEqual(['euler-karras', 'dpmpp-2m-karras', 'lms-karras']);
  });

  it('chooses the scheduler left open one way for every caller: the folder class, else LCM for an LCM UNet, else Euler', () => {
    expect(chooseScheduler('ddim', 'pndm', true)).toBe('ddim');
    expect(chooseScheduler(undefined, 'pndm', true)).toBe('pndm');
    // An LCM UNet whose folder names no scheduler we have: labelled and run as LCM, upscales too.
    expect(chooseScheduler(undefined, undefined, true)).toBe('lcm');
    expect(a1111SamplerLabel(chooseScheduler(undefined, undefined, true), undefined)).toBe('LCM');
    expect(chooseScheduler(undefined, undefined, false)).toBe('euler');
  });

  it('reads A1111, k-diffusion and our own spellings', () => {
    expect(parseSchedulerName('DPM++ 2M Karras')).toBe('dpmpp-2m-karras');
    expect(parseSchedulerName('dpmpp_2m_karras')).toBe('dpmpp-2m-karras');
    expect(parseSchedulerName('k_dpmpp_2m_karras')).toBe('dpmpp-2m-karras');
    expect(parseSchedulerName('DPM++ 2M')).toBe('dpmpp-2m');
    expect(parseSchedulerName('LMS Karras')).toBe('lms-karras');
    expect(parseSchedulerName('k_lms')).toBe('lms');
    expect(parseSchedulerName('Euler a')).toBe('euler-ancestral');
    expect(parseSchedulerName('k_euler_a')).toBe('euler-ancestral');
    expect(parseSchedulerName('PLMS')).toBe('pndm');
    expect(parseSchedulerName('UniPC')).toBeUndefined();
  });

  it('every name, label and A1111 label reads back as its own entry (PNG metadata round trip)', () => {
    for (const entry of SCHEDULERS) {
      expect(parseSchedulerName(entry.name)).toBe(entry.name);
      expect(parseSchedulerName(entry.label)).toBe(entry.name);
      expect(parseSchedulerName(entry.a1111Label)).toBe(entry.name);
    }
  });

  it('a Karras entry runs Karras σ; the plain one does not, whatever the file says', () => {
    const plainFile = sdConfig({ timestep_spacing: 'linspace' });
    const karrasFile = sdConfig({ timestep_spacing: 'linspace', use_karras_sigmas: true });
    const timesteps = (name: (typeof SCHEDULER_NAMES)[number], config = plainFile): number[] => {
      const scheduler = createScheduler(name, config);
      scheduler.setTimesteps(8);
      return [...scheduler.timesteps];
    };
    // diffusers DPMSolverMultistepScheduler(use_karras_sigmas=True) for SD betas, 8 steps
    expect(timesteps('dpmpp-2m-karras')).toEqual([999, 890, 746, 549, 299, 90, 12, 0]);
    expect(timesteps('dpmpp-2m', karrasFile)).toEqual(timesteps('dpmpp-2m'));
    expect(timesteps('dpmpp-2m-karras', karrasFile)).toEqual(timesteps('dpmpp-2m-karras'));
    expect(timesteps('lms-karras')).not.toEqual(timesteps('lms'));
    expect(timesteps('lms-karras')).toEqual(timesteps('euler-karras'));
  });

  it('names the folder’s own scheduler from its class and use_karras_sigmas', () => {
    expect(schedulerForClass('DPMSolverMultistepScheduler', true)).toBe('dpmpp-2m-karras');
    expect(schedulerForClass('DPMSolverMultistepScheduler', false)).toBe('dpmpp-2m');
    expect(schedulerForClass('LMSDiscreteScheduler', true)).toBe('lms-karras');
    expect(schedulerForClass('EulerAncestralDiscreteScheduler', true)).toBe('euler-ancestral');
    expect(schedulerForClass('PNDMScheduler', false)).toBe('pndm');
    expect(schedulerForClass('UniPCMultistepScheduler', false)).toBeUndefined();
    expect(schedulerForClass(undefined, false)).toBeUndefined();
  });

  it('writes A1111’s sampler words for what ran', () => {
    expect(a1111SamplerLabel('dpmpp-2m-karras', undefined)).toBe('DPM++ 2M Karras');
    expect(a1111SamplerLabel('dpmpp-2m', undefined)).toBe('DPM++ 2M');
    expect(a1111SamplerLabel('lms-karras', undefined)).toBe('LMS Karras');
    expect(a1111SamplerLabel('euler-ancestral', undefined)).toBe('Euler a');
    // A1111's PLMS is PNDM without the Runge-Kutta warm-up
    expect(a1111SamplerLabel('pndm', parseSchedulerConfig({ skip_prk_steps: true }))).toBe('PLMS');
    expect(a1111SamplerLabel('pndm', parseSchedulerConfig({}))).toBe('PNDM');
    expect(schedulerEntry('pndm').label).toMatch(/PLMS/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEDULER_NAMES } from '../../../src/generation/engine.types.ts';
import {
  createScheduler,
  parseSchedulerConfig,
  UnsupportedSchedulerConfigError,
  withStableDiffusionPipelineFixes,
} from '../../../src/generation/schedulers/index.ts';
import { sharedDir, sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';

describe('parseSchedulerConfig', () => {
  it('ignores unknown keys and leaves missing ones to the scheduler created (diffusers from_config)', () => {
    const config = parseSchedulerConfig({ _class_name: 'PNDMScheduler', beta_schedule: 'scaled_linear', _diffusers_version: '0.35.2', some_future_key: 3 });
    expect(config.className).toBe('PNDMScheduler');
    // not PNDM's defaults: a swap to Euler must get Euler's linspace, as diffusers does
    expect(config.timestepSpacing).toBeUndefined();
    expect(config.skipPrkSteps).toBeUndefined();
    expect(config.setAlphaToOne).toBeUndefined();
    expect(config.predictionType).toBeUndefined();
    expect(config.warnings).toEqual([]);
  });

  it('leaves class-specific settings undefined when the class is unknown, so the target class decides', () => {
    const config = parseSchedulerConfig({ beta_start: 0.00085 });
    expect(config.timestepSpacing).toBeUndefined();
    const euler = createScheduler('euler', config);
    const ddim = createScheduler('ddim', config);
    euler.setTimesteps(4);
    ddim.setTimesteps(4);
    expect(euler.timesteps).toEqual([999, 666, 333, 0]); // Euler default: linspace
    expect(ddim.timesteps).toEqual([750, 500, 250, 0]); // DDIM default: leading
  });

  it('rejects values it cannot run with a stable error code', () => {
    expect(() => parseSchedulerConfig({ beta_schedule: 'sigmoid' })).toThrow(UnsupportedSchedulerConfigError);
    expect(() => parseSchedulerConfig({ prediction_type: 'flow' })).toThrow(/prediction_type/);
    expect(() => parseSchedulerConfig('nope')).toThrow(UnsupportedSchedulerConfigError);
    try {
      parseSchedulerConfig({ steps_offset: 'one' });
    } catch (error) {
      expect((error as UnsupportedSchedulerConfigError).code).toBe('scheduler_config_unsupported');
    }
  });

  it('reports settings it does not implement as warnings', () => {
    const config = parseSchedulerConfig({ thresholding: true, use_beta_sigmas: false });
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]).toMatch(/thresholding/);
  });

  it('applies the Stable Diffusion pipeline fix-ups (steps_offset 1, clip_sample off) to the loaded scheduler', () => {
    const fixed = withStableDiffusionPipelineFixes(parseSchedulerConfig({ _class_name: 'DDIMScheduler' }), 'as-loaded');
    expect(fixed.stepsOffset).toBe(1);
    expect(fixed.clipSample).toBe(false);
  });

  it('after a swap keeps the fix-ups only for keys the file set', () => {
    const unset = withStableDiffusionPipelineFixes(parseSchedulerConfig({ _class_name: 'DDIMScheduler' }), 'from-config');
    expect(unset.stepsOffset).toBeUndefined();
    expect(unset.clipSample).toBeUndefined();
    const set = withStableDiffusionPipelineFixes(parseSchedulerConfig({ _class_name: 'DDIMScheduler', steps_offset: 0, clip_sample: true }), 'from-config');
    expect(set.stepsOffset).toBe(1);
    expect(set.clipSample).toBe(false);
  });
});

describe.skipIf(!sharedDir)('real scheduler_config.json files' + sharedSkipReason, () => {
  const read = (model: string): unknown => JSON.parse(readFileSync(sharedPath('fixtures', 'models', model, 'scheduler', 'scheduler_config.json')!, 'utf8'));

  it.each(['tiny-sd15', 'tiny-sd15-optimum', 'tiny-sdxl'])('%s runs every scheduler', (model) => {
    const config = parseSchedulerConfig(read(model));
    for (const name of SCHEDULER_NAMES) {
      const scheduler = createScheduler(name, config);
      scheduler.setTimesteps(name === 'lcm' ? 4 : 20);
      expect(scheduler.timesteps.length).toBeGreaterThanOrEqual(4);
      expect(scheduler.timesteps.every((t) => t >= 0 && t < 1000)).toBe(true);
    }
  });

  it('the SD 1.5 PNDM config (no timestep_spacing key) swapped to Euler gives Euler’s linspace, as diffusers', () => {
    const config = parseSchedulerConfig(read('tiny-sd15'));
    const euler = createScheduler('euler', config);
    euler.setTimesteps(20);
    // numpy.linspace(0, 999, 20)[::-1] in float32; `leading` would give 951, 901, 851 … 1
    expect(euler.timesteps[0]).toBe(999);
    expect(euler.timesteps[1]).toBeCloseTo(946.42108, 3);
    expect(euler.timesteps.at(-1)).toBe(0);
  });
});

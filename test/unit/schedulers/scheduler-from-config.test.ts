/**
 * A scheduler swap on an original SD 1.x folder (PNDMScheduler file without `timestep_spacing`)
 * gives diffusers' `XScheduler.from_config(pipe.scheduler.config)` numbers: keys the file does not
 * set take the new class's defaults. Reference numbers: test/fixtures/reference/
 * scheduler-from-config.json, written by scripts/scheduler-reference.py from diffusers' formulas.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SchedulerName } from '../../../src/generation/engine.types.ts';
import { createScheduler, parseSchedulerConfig, withStableDiffusionPipelineFixes, type Scheduler } from '../../../src/generation/schedulers/index.ts';
import { projectRoot } from '../../support/shared-dir.ts';

interface Reference {
  config: Record<string, unknown>;
  steps: number;
  cases: Record<string, { timesteps: number[]; sigmas: number[] | null }>;
}

const reference = JSON.parse(readFileSync(path.join(projectRoot, 'test', 'fixtures', 'reference', 'scheduler-from-config.json'), 'utf8')) as Reference;

/** What the SD pipeline runs after a swap: the file, the pipeline's load-time fix-ups, then from_config. */
function swapped(name: SchedulerName): Scheduler {
  const scheduler = createScheduler(name, withStableDiffusionPipelineFixes(parseSchedulerConfig(reference.config), 'from-config'));
  scheduler.setTimesteps(reference.steps);
  return scheduler;
}

/** σ at each timestep, read back through `add_noise` of a zero image with unit noise. */
function sigmasOf(scheduler: Scheduler, variancePreserving: boolean): number[] {
  return scheduler.timesteps.map((timestep) => {
    const scaled = scheduler.addNoise(new Float32Array(1), Float32Array.of(1), timestep)[0]!;
    // DPM-Solver adds noise as α·x₀ + σ_t·ε with σ_t = σ/√(σ²+1)
    return variancePreserving ? scaled / Math.sqrt(1 - scaled * scaled) : scaled;
  });
}

function expectClose(actual: readonly number[], expected: readonly number[], relative: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, index) => {
    const want = expected[index]!;
    expect(Math.abs(value - want), `index ${index}: ${value} vs ${want}`).toBeLessThanOrEqual(relative * Math.max(Math.abs(want), 1e-3));
  });
}

describe('scheduler swap on a config file that lacks keys (diffusers from_config)', () => {
  it('the reference file really lacks timestep_spacing and names PNDM', () => {
    expect(reference.config['_class_name']).toBe('PNDMScheduler');
    expect('timestep_spacing' in reference.config).toBe(false);
  });

  it.each(['euler', 'lms', 'euler-karras', 'lms-karras'] as const)('%s: linspace timesteps and σ as diffusers', (name) => {
    const expected = reference.cases[name]!;
    const scheduler = swapped(name);
    expectClose(scheduler.timesteps, expected.timesteps, 1e-6);
    expectClose(sigmasOf(scheduler, false), expected.sigmas!.slice(0, -1), 1e-6);
  });

  it.each(['dpmpp-2m', 'dpmpp-2m-karras'] as const)('%s: linspace timesteps and σ as diffusers', (name) => {
    const expected = reference.cases[name]!;
    const scheduler = swapped(name);
    expect(scheduler.timesteps).toEqual(expected.timesteps);
    // σ comes back through √(1 − σ_t²), which loses digits near σ_t = 1 (large σ)
    expectClose(sigmasOf(scheduler, true), expected.sigmas!.slice(0, -1), 1e-4);
  });

  it('starts Euler from the first σ itself (linspace), not √(σ²+1) as for leading', () => {
    expect(swapped('euler').initNoiseSigma).toBeCloseTo(reference.cases['euler']!.sigmas![0]!, 5);
  });

  it('ddim keeps its own default (leading) with the file’s steps_offset 1', () => {
    expect(swapped('ddim').timesteps).toEqual(reference.cases['ddim']!.timesteps);
  });

  it('a fixed-up key the file did not set takes the new class’s default after a swap', () => {
    const { steps_offset: _dropped, ...withoutOffset } = reference.config;
    const config = parseSchedulerConfig(withoutOffset);
    // the loaded PNDM runs with the fix (offset 1) …
    const loaded = createScheduler('pndm', withStableDiffusionPipelineFixes(config, 'as-loaded'));
    loaded.setTimesteps(20);
    expect(loaded.timesteps.at(-1)).toBe(1);
    // … a DDIM swapped in gets DDIM's steps_offset 0, since the file never set it
    const ddim = createScheduler('ddim', withStableDiffusionPipelineFixes(config, 'from-config'));
    ddim.setTimesteps(20);
    expect(ddim.timesteps.at(-1)).toBe(0);
  });
});

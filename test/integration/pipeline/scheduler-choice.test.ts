/**
 * The scheduler a person names is the one that runs, with diffusers' numbers: the UNet sees the
 * timesteps of `XScheduler.from_config(<the folder's config>)` (Karras σ for the `-karras`
 * variants), and the result carries the matching A1111 sampler label. Real ONNX sessions on the
 * generated SD 1.5 fixture, whose PNDM scheduler_config.json has no `timestep_spacing`, like the
 * original SD 1.x repos.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerName } from '../../../src/generation/engine.types.ts';
import type { StableDiffusionPipeline } from '../../../src/generation/pipeline/stable-diffusion.pipeline.ts';
import { fixtureWorkspace, loadPipeline, noOptions, request, spySession } from './support/pipeline-harness.ts';

describe('scheduler choice in the pipeline (generated SD1.5 fixture, PNDM config without timestep_spacing)', () => {
  let workspace: Awaited<ReturnType<typeof fixtureWorkspace>>;
  let pipeline: StableDiffusionPipeline;
  const seen: number[] = [];

  beforeAll(async () => {
    workspace = await fixtureWorkspace();
    // Records the timestep of every UNet run.
    const hook = spySession('unet', (feeds) => seen.push(Number(feeds['timestep']?.data[0])));
    pipeline = await loadPipeline(await workspace.build('sd15-optimum'), { hook });
  });
  afterAll(async () => {
    await pipeline?.release();
    await workspace?.cleanup();
  });

  async function run(scheduler: SchedulerName | undefined, steps: number): Promise<{ timesteps: number[]; label: string }> {
    seen.length = 0;
    // guidance 1: one UNet run per step
    const output = await pipeline.generate(request({ scheduler, steps, guidance: 1 }), noOptions);
    return { timesteps: [...seen], label: output.samplerLabel };
  }

  it('dpmpp-2m-karras runs Karras σ (diffusers use_karras_sigmas=True) and is labelled DPM++ 2M Karras', async () => {
    const karras = await run('dpmpp-2m-karras', 8);
    // DPMSolverMultistepScheduler(use_karras_sigmas=True).set_timesteps(8) for SD betas
    expect(karras.timesteps).toEqual([999, 890, 746, 549, 299, 90, 12, 0]);
    expect(karras.label).toBe('DPM++ 2M Karras');
  });

  it('dpmpp-2m runs DPM-Solver’s own linspace spacing, not PNDM’s leading', async () => {
    const plain = await run('dpmpp-2m', 8);
    // np.linspace(0, 999, 9).round()[::-1][:-1]
    expect(plain.timesteps).toEqual([999, 874, 749, 624, 500, 375, 250, 125]);
    expect(plain.label).toBe('DPM++ 2M');
  });

  it('euler and lms-karras follow their own classes’ defaults too', async () => {
    // Euler linspace: 999, 666, 333, 0 (leading would be 751, 501, 251, 1)
    expect((await run('euler', 4)).timesteps).toEqual([999, 666, 333, 0]);
    const lms = await run('lms-karras', 4);
    expect(lms.label).toBe('LMS Karras');
    expect(lms.timesteps[0]).toBeCloseTo(999, 3);
    expect(lms.timesteps.every((t) => t >= 0 && t <= 999)).toBe(true);
    expect(lms.timesteps).not.toEqual([999, 666, 333, 0]);
  });

  it('the folder’s own PNDM runs as loaded (leading, steps_offset 1) and is A1111’s PLMS', async () => {
    const loaded = await run(undefined, 4);
    // PNDM with skip_prk_steps: diffusers' plms_timesteps repeat the second one (steps + 1 UNet runs)
    expect(loaded.timesteps).toEqual([751, 501, 501, 251, 1]);
    expect(loaded.label).toBe('PLMS');
  });
});

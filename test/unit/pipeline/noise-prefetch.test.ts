/**
 * The denoising loop draws a step's noise while the UNet runs (`PerImageNoise.prefetch`). That is
 * only invisible if the prefetched values are exactly the ones the step would have drawn, and if
 * every scheduler declares truthfully on which steps it draws (`noiseDraws`).
 */
import { describe, expect, it } from 'vitest';
import type { SchedulerName } from '../../../src/generation/engine.types.ts';
import { PerImageNoise } from '../../../src/generation/pipeline/per-image-noise.ts';
import { TorchGenerator } from '../../../src/generation/rng/torch-generator.ts';
import { createScheduler, parseSchedulerConfig } from '../../../src/generation/schedulers/index.ts';

const SD = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', num_train_timesteps: 1000, steps_offset: 1, skip_prk_steps: true };

describe('noise prefetch', () => {
  it.each([1, 3])('hands a step the same values whether drawn ahead or on demand (%i images)', async (images) => {
    const generators = () => Array.from({ length: images }, (_, index) => new TorchGenerator(7 + index));
    const onDemand = new PerImageNoise(generators());
    const ahead = new PerImageNoise(generators());
    for (let step = 0; step < 3; step++) {
      const expected = onDemand.randn(48 * images);
      await ahead.prefetch(48 * images);
      expect(ahead.randn(48 * images)).toEqual(expected);
    }
    // and a draw without prefetch continues the same streams
    expect(ahead.randn(32 * images)).toEqual(onDemand.randn(32 * images));
  });

  it('refuses a draw that would take the streams out of order', async () => {
    const noise = new PerImageNoise([new TorchGenerator(1), new TorchGenerator(2)]);
    await noise.prefetch(16);
    expect(() => noise.randn(32)).toThrow(/out of order/);
    await noise.prefetch(16);
    await expect(noise.prefetch(16)).rejects.toThrow(/never used/);
    noise.randn(16);
    const drawing = noise.prefetch(16);
    expect(() => noise.randn(16)).toThrow(/still drawing/);
    await drawing;
  });

  it.each(['euler', 'euler-ancestral', 'ddim', 'dpmpp-2m', 'lms', 'pndm', 'lcm'] as SchedulerName[])(
    '%s declares exactly the steps on which it draws noise',
    (name) => {
      const scheduler = createScheduler(name, parseSchedulerConfig(SD));
      scheduler.setTimesteps(6);
      const drawsAt: number[] = [];
      let step = 0;
      const rng = { randn: (count: number) => (drawsAt.push(step), new Float32Array(count)) };
      let sample: Float32Array = new Float32Array(32).fill(0.5);
      for (const t of scheduler.timesteps) {
        sample = scheduler.step(new Float32Array(32).fill(0.1), t, sample, rng).prevSample;
        step++;
      }
      const all = scheduler.timesteps.map((_, index) => index);
      const declared = { never: [], 'every-step': all, 'all-but-last-step': all.slice(0, -1) }[scheduler.noiseDraws];
      expect(drawsAt).toEqual(declared);
    },
  );
});

import { describe, expect, it } from 'vitest';
import { requestedStep } from '../../../src/generation/jobs/progress-steps.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

describe('progress in the steps the person asked for', () => {
  it('maps model calls to requested steps: PNDM 26 calls for 25 steps, img2img strength, never past the end', () => {
    expect(requestedStep(26, 26, 25)).toEqual({ step: 25, totalSteps: 25 });
    expect(requestedStep(13, 26, 25)).toEqual({ step: 13, totalSteps: 25 });
    expect(requestedStep(1, 26, 25)).toEqual({ step: 1, totalSteps: 25 });
    expect(requestedStep(7, 13, 20)).toEqual({ step: 11, totalSteps: 20 });
    expect(requestedStep(30, 26, 25)).toEqual({ step: 25, totalSteps: 25 });
    // Nothing to map to: the engine's own count.
    expect(requestedStep(2, 4, 0)).toEqual({ step: 2, totalSteps: 4 });
  });

  it('a variation (img2img, fewer model calls) shows progress out of the steps its result names', async () => {
    const harness = createHarness({ policy: { progressIntervalMs: 0 } });
    await harness.service.start();
    const parent = await harness.service.imagine({ ...from('alice'), options: options('a cat --steps 20 --count 1 --seed 3') });
    if (!parent.ok) throw new Error(parent.message);
    await harness.recorder.waitFor('finished', parent.generation.id);
    const variation = await harness.service.vary(parent.generation.id, 0, 'strong', from('alice'));
    if (!variation.ok) throw new Error(variation.message);
    await harness.recorder.waitFor('finished', variation.generation.id);
    const progress = harness.recorder.of(variation.generation.id).filter((event) => event.type === 'progress');
    // The fake engine runs 13 model calls (20 × 0.65); the person asked for 20 steps.
    expect(harness.engine.calls.at(-1)?.request.initImage?.strength).toBe(0.65);
    expect(progress.length).toBeGreaterThan(1);
    expect(new Set(progress.map((event) => event.event['totalSteps']))).toEqual(new Set([20]));
    const steps = progress.map((event) => event.event['step'] as number);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps.at(-1)).toBe(20);
  });
});

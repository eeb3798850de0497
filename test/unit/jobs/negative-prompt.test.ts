/**
 * The stored negative prompt and what the engine is told: "" in the column means "none given"
 * (diffusers' negative_prompt=None, which SDXL zeroes), for the job and for its rerolls.
 */
import { describe, expect, it } from 'vitest';
import { negativePromptForEngine } from '../../../src/generation/jobs/negative-prompt.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

describe('negative prompt: none given vs given', () => {
  it('maps the stored "" to "none given" and keeps any other text', () => {
    expect(negativePromptForEngine('')).toBeUndefined();
    expect(negativePromptForEngine('fog')).toBe('fog');
  });

  it('a job without a negative prompt, and its reroll, reach the engine with none; one with --no keeps it', async () => {
    const harness = createHarness();
    await harness.service.start();
    const plain = await harness.service.imagine({ ...from('alice'), options: options('a lighthouse --seed 5') });
    const foggy = await harness.service.imagine({ ...from('alice'), options: options('a lighthouse --seed 6 --no fog') });
    if (!plain.ok || !foggy.ok) throw new Error('refused');
    await harness.recorder.waitFor('finished', plain.generation.id);
    await harness.recorder.waitFor('finished', foggy.generation.id);
    expect((await harness.repositories.generations.get(plain.generation.id))?.negativePrompt).toBe('');
    const reroll = await harness.service.reroll(plain.generation.id, from('alice'));
    if (!reroll.ok) throw new Error('reroll refused');
    await harness.recorder.waitFor('finished', reroll.generation.id);
    const sent = harness.engine.calls.map((call) => [call.request.seed === 5 ? 'plain' : call.request.seed === 6 ? 'foggy' : 'reroll', call.request.negativePrompt]);
    expect(sent).toEqual([
      ['plain', undefined],
      ['foggy', 'fog'],
      ['reroll', undefined],
    ]);
  });
});

/**
 * Derived jobs (upscale, vary, reroll) are checked on the size of the image they MAKE, not the
 * size of their source: ⬆️ on a 1024² upscale would make 2048², which the default limit
 * (1,048,576 pixels) does not allow, even though its 1024² source is within it.
 */
import { describe, expect, it } from 'vitest';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

type Harness = ReturnType<typeof createHarness>;

async function finishedRow(harness: Harness, pending: Promise<{ ok: boolean }>) {
  const outcome = (await pending) as { ok: true; generation: { id: string } } | { ok: false; message: string };
  if (!outcome.ok) throw new Error(outcome.message);
  await harness.recorder.waitFor('finished', outcome.generation.id);
  const row = await harness.repositories.generations.get(outcome.generation.id);
  if (!row) throw new Error('row missing');
  return row;
}

describe('derived jobs are limited by their output size', () => {
  it('upscales 512² to 1024², then refuses ⬆️ on that result with the size and the limit', async () => {
    const harness = createHarness();
    await harness.service.start();
    const parent = await finishedRow(harness, harness.service.imagine({ ...from('alice'), options: options('a harbour --count 1') }));
    expect([parent.width, parent.height]).toEqual([512, 512]);
    const upscaled = await finishedRow(harness, harness.service.upscale(parent.id, 0, from('alice')));
    expect([upscaled.width, upscaled.height, upscaled.images[0]?.width]).toEqual([1024, 1024, 1024]);

    const rowsBefore = harness.repositories.generations.rows.length;
    const engineCallsBefore = harness.engine.calls.length;
    const again = await harness.service.upscale(upscaled.id, 0, from('alice'));
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.code).toBe('too_large');
    expect(again.message).toBe(
      'Upscaling would make a 2048×2048 image (4,194,304 pixels), larger than allowed here: at most 1,048,576 pixels and 4096 pixels a side.',
    );
    // Nothing was queued or run.
    expect(harness.repositories.generations.rows.length).toBe(rowsBefore);
    expect(harness.engine.calls.length).toBe(engineCallsBefore);
  });

  it('refuses a variation or reroll of a large result where the limit is lower', async () => {
    const harness = createHarness({
      policy: {
        // Moderators may make 1024² images here, everyone else 512² (a job of another workspace is not found at all).
        limits: { default: { maxSteps: 50, maxPixels: 512 * 512, maxCount: 4, allowedModels: [] }, roles: { moderator: { maxPixels: 1024 * 1024 } }, workspaces: {} },
      },
    });
    await harness.service.start();
    const alice = from('alice', { moderator: true });
    const parent = await finishedRow(harness, harness.service.imagine({ ...alice, options: options('a harbour --count 1') }));
    const upscaled = await finishedRow(harness, harness.service.upscale(parent.id, 0, alice));
    const vary = await harness.service.vary(upscaled.id, 0, 'subtle', from('bob'));
    expect(vary.ok ? undefined : [vary.code, vary.message]).toEqual([
      'too_large',
      'A variation would make a 1024×1024 image (1,048,576 pixels), larger than allowed here: at most 262,144 pixels and 4096 pixels a side.',
    ]);
    // A reroll of an upscale makes another upscale of the same source: 1024² again.
    const reroll = await harness.service.reroll(upscaled.id, from('bob'));
    expect(reroll.ok ? undefined : reroll.code).toBe('too_large');
    // Within the limit the same buttons work.
    const varyHere = await harness.service.vary(upscaled.id, 0, 'subtle', alice);
    expect(varyHere.ok).toBe(true);
  });
});

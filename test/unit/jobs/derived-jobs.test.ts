import { describe, expect, it } from 'vitest';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

async function finishedJob(harness: ReturnType<typeof createHarness>, prompt: string, person = 'alice') {
  const outcome = await harness.service.imagine({ ...from(person), options: options(prompt) });
  if (!outcome.ok) throw new Error(outcome.message);
  await harness.recorder.waitFor('finished', outcome.generation.id);
  return outcome.generation;
}

async function acceptedDerived<T extends { ok: boolean }>(harness: ReturnType<typeof createHarness>, pending: Promise<T>) {
  const outcome = (await pending) as T & { ok: true; generation: { id: string } };
  if (!outcome.ok) throw new Error(JSON.stringify(outcome));
  await harness.recorder.waitFor('finished', outcome.generation.id);
  const row = await harness.repositories.generations.get(outcome.generation.id);
  if (!row) throw new Error('row missing');
  return row;
}

describe('reroll, vary, upscale', () => {
  it('reroll: same parameters from the parent row, a new seed, parentId set', async () => {
    const harness = createHarness();
    await harness.service.start();
    const parent = await finishedJob(harness, 'a lighthouse --model epicrealism --steps 12 --cfg 5 --ar 3:2 --count 2 --seed 5 --no fog');
    const child = await acceptedDerived(harness, harness.service.reroll(parent.id, from('alice')));
    expect(child).toMatchObject({
      kind: 'reroll',
      parentId: parent.id,
      prompt: 'a lighthouse',
      negativePrompt: 'fog',
      model: 'epicrealism',
      steps: 12,
      guidance: 5,
      width: 576,
      height: 384,
      count: 2,
      status: 'succeeded',
    });
    expect(child.seed).not.toBe(5);
  });

  it('vary: img2img from the chosen image at strength 0.35 (subtle) or 0.65 (strong), new seed', async () => {
    const harness = createHarness();
    await harness.service.start();
    const parent = await finishedJob(harness, 'a cat --count 4 --seed 100');
    const subtle = await acceptedDerived(harness, harness.service.vary(parent.id, 2, 'subtle', from('alice')));
    const strong = await acceptedDerived(harness, harness.service.vary(parent.id, 0, 'strong', from('alice')));
    expect(subtle).toMatchObject({ kind: 'variation', parentId: parent.id, parentImageIndex: 2, strength: 0.35, count: 4 });
    expect(strong).toMatchObject({ kind: 'variation', parentImageIndex: 0, strength: 0.65 });
    expect(new Set([subtle.seed, strong.seed, 100]).size).toBe(3);
    const calls = harness.engine.calls.filter((call) => call.request.initImage !== undefined);
    expect(calls.map((call) => call.request.initImage?.strength)).toEqual([0.35, 0.65]);
    // The init image is the stored PNG of that very image (the fake engine draws seed 100 + index).
    const initPixels = calls[0]?.request.initImage?.image.pixels;
    expect([initPixels?.[0], initPixels?.[1]]).toEqual([102, 0]);
  });

  it('upscale: one image at twice the size, from the chosen image and its own seed', async () => {
    const harness = createHarness();
    await harness.service.start();
    const parent = await finishedJob(harness, 'a dog --count 4 --seed 40');
    const upscaled = await acceptedDerived(harness, harness.service.upscale(parent.id, 3, from('alice')));
    expect(upscaled).toMatchObject({ kind: 'upscale', parentId: parent.id, parentImageIndex: 3, seed: 43, width: 1024, height: 1024, count: 1 });
    const call = harness.engine.calls.find((candidate) => candidate.kind === 'upscale');
    expect(call?.request).toMatchObject({ width: 512, height: 512, count: 1 });
    expect(upscaled.images).toHaveLength(1);
  });

  it('rerolling a variation makes a new variation of the same source image', async () => {
    const harness = createHarness();
    await harness.service.start();
    const parent = await finishedJob(harness, 'a cat --count 2');
    const variation = await acceptedDerived(harness, harness.service.vary(parent.id, 1, 'strong', from('alice')));
    const again = await acceptedDerived(harness, harness.service.reroll(variation.id, from('alice')));
    expect(again).toMatchObject({ kind: 'variation', parentId: parent.id, parentImageIndex: 1, strength: 0.65 });
    expect(again.seed).not.toBe(variation.seed);
  });

  it('belongs to whoever pressed the button, under their limits', async () => {
    const harness = createHarness({
      policy: {
        // Moderators may ask for 50 steps, everyone else for 8.
        limits: { default: { maxSteps: 8, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] }, roles: { moderator: { maxSteps: 50 } }, workspaces: {} },
      },
    });
    await harness.service.start();
    const accepted = await harness.service.imagine({ ...from('alice', { moderator: true }), options: options('a cat --steps 20 --count 1') });
    if (!accepted.ok) throw new Error(accepted.message);
    const parent = accepted.generation;
    await harness.recorder.waitFor('finished', parent.id);
    const byBob = await acceptedDerived(harness, harness.service.reroll(parent.id, from('bob', { moderator: true })));
    expect(byBob.userId).not.toBe(parent.userId);
    const byCarol = await harness.service.reroll(parent.id, from('carol'));
    expect(byCarol.ok ? undefined : byCarol.message).toBe('Invalid --steps "20": must be a whole number from 1 to 8.');
  });

  it('refuses unknown generations and images', async () => {
    const harness = createHarness();
    await harness.service.start();
    const parent = await finishedJob(harness, 'a cat --count 2');
    const missing = await harness.service.reroll('nope', from('alice'));
    expect(missing.ok ? undefined : missing.code).toBe('not_found');
    const noImage = await harness.service.upscale(parent.id, 3, from('alice'));
    expect(noImage.ok ? undefined : noImage.code).toBe('not_found');
  });
});

describe('delete', () => {
  it('lets the owner delete an image: file removed, row kept and marked, audit entry written', async () => {
    const harness = createHarness();
    await harness.service.start();
    const parent = await finishedJob(harness, 'a cat --count 2');
    const before = await harness.repositories.generations.get(parent.id);
    const result = await harness.service.deleteImage(parent.id, 1, from('alice').requester, from('alice').place, 'not happy');
    expect(result).toEqual({ ok: true, deleted: [1] });
    const after = await harness.repositories.generations.get(parent.id);
    expect(after?.images[1]?.deletedAt).toBeInstanceOf(Date);
    expect(await harness.store.exists(before?.images[1]?.fileKey ?? '')).toBe(false);
    expect(await harness.store.exists(before?.images[0]?.fileKey ?? '')).toBe(true);
    const audit = await harness.repositories.moderation.list({ workspaceId: undefined, actorId: undefined, targetUserId: undefined, limit: 10, beforeId: undefined });
    expect(audit[0]).toMatchObject({ action: 'delete', targetGenerationId: parent.id, reason: 'not happy', details: { imageIndexes: [1], byOwner: true } });
    // A deleted image cannot be varied any more; show() leaves it out.
    const vary = await harness.service.vary(parent.id, 1, 'subtle', from('alice'));
    expect(vary.ok ? undefined : vary.code).toBe('not_found');
    const shown = await harness.service.show(parent.id, from('alice'));
    expect(shown.ok && shown.images.map((image) => image.index)).toEqual([0]);
  });

  it('refuses others, allows moderators', async () => {
    const harness = createHarness();
    await harness.service.start();
    const parent = await finishedJob(harness, 'a cat --count 2');
    const byBob = await harness.service.deleteGeneration(parent.id, from('bob').requester, from('bob').place, undefined);
    expect(byBob.ok ? undefined : byBob.message).toBe('Only the person who made it or a moderator can delete this job.');
    const byMod = await harness.service.deleteGeneration(parent.id, from('mod', { moderator: true }).requester, from('mod').place, 'rules');
    expect(byMod).toEqual({ ok: true, deleted: [0, 1] });
    expect(harness.store.files.size).toBe(0);
  });
});

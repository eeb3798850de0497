/**
 * Every button of a job message, pressed by real people in the fake Discord: U (upscale), V
 * (variation), 🔄 (reroll), ❌ (delete: owner or moderator) on results, and Cancel while a job
 * waits or runs. Each derived job gets its own message; refusals are private.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCENE, components } from '../../fakes/discord/index.ts';
import { fakeEngine, DiscordHarness } from './support/discord-harness.ts';
import { generationIdOf, imagine, row } from './support/discord-actions.ts';
import { buttonLabels, embedFields, expectCleanTraffic, privateAnswer, result } from './support/discord-expect.ts';

describe('Discord buttons', { timeout: 150_000 }, () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    harness = await DiscordHarness.start({ engine: fakeEngine(40) });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  it('U2 upscales the second image into a new message of its own', async () => {
    const parent = await imagine(harness, SCENE.alice, 'a harbour at night', { count: 4, steps: 2 });
    const press = harness.fake.press(parent.message, { label: 'U2' }, SCENE.alice);
    const upscaled = await result(harness.fake, press);
    expect(upscaled.id).not.toBe(parent.message.id);
    expect(press.callbackType).toBe(5);
    const stored = await row(harness, generationIdOf(upscaled));
    expect([stored.kind, stored.parentId, stored.parentImageIndex]).toEqual(['upscale', parent.generationId, 1]);
    expect(embedFields(upscaled)['Size']).toBe('128×128');
    // An upscale cannot be upscaled again; it can be varied, edited (issue 15), rerolled and deleted.
    expect(buttonLabels(upscaled)).toEqual(['Vary (Strong)', 'Vary (Subtle)', 'Vary (Region)', 'Zoom Out 2×', 'Zoom Out 1.5×', '⬅️', '➡️', '⬆️', '⬇️', 'Custom Zoom', '🔄', '❌']);
    expect(upscaled.attachments).toHaveLength(1);
  });

  it('V1 varies the first image, 🔄 rerolls with a new seed, both as new messages', async () => {
    const parent = await imagine(harness, SCENE.alice, 'a red barn', { count: 2, steps: 2, seed: 777 });
    const varied = await result(harness.fake, harness.fake.press(parent.message, { label: 'V1' }, SCENE.bob));
    const variation = await row(harness, generationIdOf(varied));
    expect([variation.kind, variation.parentId, variation.parentImageIndex, variation.prompt]).toEqual(['variation', parent.generationId, 0, 'a red barn']);

    const rerolled = await result(harness.fake, harness.fake.press(parent.message, { label: '🔄' }, SCENE.alice));
    const reroll = await row(harness, generationIdOf(rerolled));
    expect([reroll.kind, reroll.prompt, reroll.count]).toEqual(['reroll', 'a red barn', 2]);
    expect(reroll.seed).not.toBe(777);
    expect(embedFields(rerolled)['Seed']).toBe(`${reroll.seed}–${reroll.seed + 1}`);
  });

  it('❌ deletes for the owner and for a moderator, and privately refuses anyone else', async () => {
    const mine = await imagine(harness, SCENE.alice, 'a quiet street', { steps: 2 });
    const refused = await privateAnswer(harness.fake, harness.fake.press(mine.message, { label: '❌' }, SCENE.bob));
    expect(refused.content).toMatch(/^Only the person who made it or a moderator can /);
    expect(harness.fake.world.messages.get(mine.message.id)).toBeDefined();

    const deleted = await privateAnswer(harness.fake, harness.fake.press(mine.message, { label: '❌' }, SCENE.alice));
    expect(deleted.content).toBe('Deleted 1 image.');
    await harness.fake.waitFor('the result message to be deleted', () => (harness.fake.world.messages.get(mine.message.id) === undefined ? true : undefined));
    expect((await row(harness, mine.generationId)).images.every((image) => image.deletedAt !== undefined)).toBe(true);

    const bobs = await imagine(harness, SCENE.bob, 'a lonely tree', { steps: 2 });
    const byModerator = await privateAnswer(harness.fake, harness.fake.press(bobs.message, { label: '❌' }, SCENE.mod));
    expect(byModerator.content).toBe('Deleted 1 image.');
  });

  it('Cancel stops a running job: the message says so and loses its Cancel button; others may not cancel', async () => {
    const interaction = harness.fake.slash('imagine', { prompt: 'a very slow sunrise', steps: 50 }, { user: SCENE.alice });
    const running = await harness.fake.original(interaction, (message) => /developing|step \d+\/50/.test(message.content), 'the running job');
    expect(buttonLabels(running)).toEqual(['Cancel']);
    const generationId = /^cancel:([\w-]+)$/.exec(components(running)[0]?.customId ?? '')?.[1] ?? '';

    const notYours = await privateAnswer(harness.fake, harness.fake.press(running, { label: 'Cancel' }, SCENE.bob));
    expect(notYours.content).toMatch(/^Only the person who made it or a moderator can cancel/);

    const cancel = harness.fake.press(running, { label: 'Cancel' }, SCENE.alice);
    expect((await privateAnswer(harness.fake, cancel)).content).toBe('Cancelled.');
    const cancelled = await harness.fake.original(interaction, (message) => message.content.endsWith('cancelled.'), 'the cancelled job');
    // The owner is a mention (shown as @alice), which pings nobody on an edit.
    expect(cancelled.content).toBe(`**a very slow sunrise** for <@${SCENE.alice.id}>: cancelled.`);
    expect(cancelled.components).toEqual([]);
    expect((await row(harness, generationId)).status).toBe('cancelled');
  });
});

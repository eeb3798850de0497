/**
 * Reactions on results, as MESSAGE_REACTION_ADD from the gateway: 🔄 reroll, ⬆️ upscale, 🔀 vary
 * (on a grid, a select menu asks which image first), ❌ delete for the owner or a moderator.
 * Jobs started by a reaction get a channel message that replies to the result and names the
 * person; a refusal removes the reaction and says why in a reply.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCENE, components, type StoredMessage } from '../../fakes/discord/index.ts';
import { DiscordHarness } from './support/discord-harness.ts';
import { generationIdOf, imagine, row, rowWhen } from './support/discord-actions.ts';
import { embedFields, expectCleanTraffic, replyTo, result } from './support/discord-expect.ts';

describe('Discord reactions', { timeout: 150_000 }, () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    harness = await DiscordHarness.start();
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  /** The job message a reaction started, once it shows its result. */
  const resultReplyTo = (to: StoredMessage) => replyTo(harness.fake, to, (message) => message.embeds.length > 0);

  it('🔄 rerolls into a new message that replies to the result and mentions who reacted', async () => {
    const parent = await imagine(harness, SCENE.alice, 'a fox in snow', { steps: 2 });
    harness.fake.react(parent.message, '🔄', SCENE.bob);
    const rerolled = await resultReplyTo(parent.message);
    expect(rerolled.via).toBe('channel');
    expect(rerolled.content.startsWith(`<@${SCENE.bob.id}> `)).toBe(true);
    expect(rerolled.allowedMentions).toEqual({ parse: [], users: [SCENE.bob.id], replied_user: false });
    // The job's row points at the new message, so later edits and restarts find it.
    const reroll = await rowWhen(harness, generationIdOf(rerolled), 'the reroll row to save its message', (found) => found.chat.messageId !== undefined);
    expect([reroll.kind, reroll.parentId, reroll.prompt]).toEqual(['reroll', parent.generationId, 'a fox in snow']);
    expect(reroll.chat).toEqual({ messageId: rerolled.id, interactionToken: undefined, threadTs: undefined });
  });

  it('⬆️ on a single image upscales it; 🔀 varies it', async () => {
    const parent = await imagine(harness, SCENE.alice, 'a lighthouse', { steps: 2, count: 1 });
    harness.fake.react(parent.message, '⬆️', SCENE.alice);
    const upscaled = await resultReplyTo(parent.message);
    expect(embedFields(upscaled)['Size']).toBe('128×128');
    expect((await row(harness, generationIdOf(upscaled))).parentImageIndex).toBe(0);

    harness.fake.react(parent.message, '🔀', SCENE.alice);
    const varied = await replyTo(harness.fake, parent.message, (message) => message.embeds.length > 0 && message.id !== upscaled.id);
    expect((await row(harness, generationIdOf(varied))).kind).toBe('variation');
  });

  it('⬆️ on a grid asks which image with a select menu, then upscales the one picked', async () => {
    const parent = await imagine(harness, SCENE.alice, 'four boats', { steps: 2, count: 4 });
    harness.fake.react(parent.message, '⬆️', SCENE.alice);
    const picker = await replyTo(harness.fake, parent.message, (message) => components(message).some((component) => component.type === 3));
    const menu = components(picker).find((component) => component.type === 3);
    expect(menu?.options.map((option) => option.label)).toEqual(['Image 1', 'Image 2', 'Image 3', 'Image 4']);
    expect(menu?.customId).toBe(`pick-upscale:${parent.generationId}`);

    const pick = harness.fake.select(picker, menu?.customId ?? '', ['2'], SCENE.alice);
    const upscaled = await result(harness.fake, pick);
    const upscale = await row(harness, generationIdOf(upscaled));
    expect([upscale.kind, upscale.parentId, upscale.parentImageIndex]).toEqual(['upscale', parent.generationId, 2]);
    await harness.fake.waitFor('the picker to go away', () => (harness.fake.world.messages.get(picker.id) === undefined ? true : undefined));
  });

  it('❌ from someone else is refused (reaction removed, reason given); from the owner it deletes the result', async () => {
    const parent = await imagine(harness, SCENE.alice, 'a garden', { steps: 2 });
    harness.fake.react(parent.message, '❌', SCENE.bob);
    const refusal = await replyTo(harness.fake, parent.message, (message) => message.content.includes('Only the person who made it or a moderator'));
    expect(refusal.content.startsWith(`<@${SCENE.bob.id}> `)).toBe(true);
    await harness.fake.waitFor('bob’s reaction to be removed', () => (parent.message.reactions.some((reaction) => reaction.userId === SCENE.bob.id) ? undefined : true));
    expect(harness.fake.world.messages.get(parent.message.id)).toBeDefined();

    harness.fake.react(parent.message, '❌', SCENE.alice);
    await harness.fake.waitFor('the result to be deleted', () => (harness.fake.world.messages.get(parent.message.id) === undefined ? true : undefined));
    expect((await row(harness, parent.generationId)).images.every((image) => image.deletedAt !== undefined)).toBe(true);
  });

  it('❌ from a moderator deletes someone else’s result; other emoji are ignored', async () => {
    const parent = await imagine(harness, SCENE.bob, 'a meadow', { steps: 2 });
    harness.fake.react(parent.message, '👍', SCENE.alice);
    harness.fake.react(parent.message, '❌', SCENE.mod);
    await harness.fake.waitFor('the result to be deleted', () => (harness.fake.world.messages.get(parent.message.id) === undefined ? true : undefined));
    expect(harness.fake.world.channelMessages(SCENE.general).filter((message) => message.replyTo === parent.message.id)).toEqual([]);
  });
});

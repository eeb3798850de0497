/**
 * Time and restarts. An interaction token works for 15 minutes: a result that comes later is
 * posted as a channel message with the bot token, replying to the original and naming the
 * person. Buttons and reactions carry only ids, so they work on messages from before a restart,
 * and a job interrupted by a restart finishes in its original message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCENE } from '../../fakes/discord/index.ts';
import { seedMigratedDataDir } from '../../support/pglite-template.ts';
import { DiscordHarness, fakeEngine } from './support/discord-harness.ts';
import { generationIdOf, imagine, row } from './support/discord-actions.ts';
import { expectCleanTraffic, replyTo, result } from './support/discord-expect.ts';

describe('Discord after the interaction token expired', { timeout: 150_000 }, () => {
  let harness: DiscordHarness;
  beforeAll(async () => {
    harness = await DiscordHarness.start({ engine: fakeEngine(40) });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  it('posts the result as a reply to the original that mentions the person (the fake answers 50027)', async () => {
    const { fake } = harness;
    const interaction = fake.slash('imagine', { prompt: 'a slow glacier', steps: 40, count: 2 }, { user: SCENE.alice });
    const original = await fake.original(interaction, (message) => message.content.includes('a slow glacier'), 'the accepted answer');
    // Sixteen minutes pass for Discord while the job runs.
    fake.clock.advance(16 * 60_000);
    const late = await replyTo(fake, original, (message) => message.embeds.length > 0);

    const refused = fake.world.requests.filter((request) => request.path.includes(interaction.token) && request.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    expect(late.via).toBe('channel');
    expect(late.content.startsWith(`<@${SCENE.alice.id}> **a slow glacier** for <@${SCENE.alice.id}>`)).toBe(true);
    expect(late.allowedMentions).toEqual({ parse: [], users: [SCENE.alice.id], replied_user: false });
    expect(late.attachments).toHaveLength(3);
    // The original stays as it was when the token died; the row now points at the new message.
    expect(original.embeds).toEqual([]);
    const stored = await row(harness, generationIdOf(late));
    expect(stored.chat).toEqual({ messageId: late.id, interactionToken: undefined, threadTs: undefined });

    // Its buttons work like any others.
    const varied = await result(fake, fake.press(late, { label: 'V2' }, SCENE.alice));
    expect((await row(harness, generationIdOf(varied))).parentImageIndex).toBe(1);
  });
});

describe('Discord across a restart', { timeout: 150_000 }, () => {
  let harness: DiscordHarness;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'darkroom-discord-restart-'));
    seedMigratedDataDir(dataDir);
    harness = await DiscordHarness.start({ engine: fakeEngine(40), dataDir });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => {
    await harness?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('V1 and 🔄 on a result posted before the restart still work (ids only; the message is a partial)', async () => {
    const before = await imagine(harness, SCENE.alice, 'an old tram', { count: 2, steps: 2 });
    await harness.restart();
    expect(harness.fake.gateway.identifies).toHaveLength(2);

    const varied = await result(harness.fake, harness.fake.press(before.message, { label: 'V1' }, SCENE.bob));
    const variation = await row(harness, generationIdOf(varied));
    expect([variation.kind, variation.parentId, variation.parentImageIndex, variation.prompt]).toEqual(['variation', before.generationId, 0, 'an old tram']);

    harness.fake.react(before.message, '🔄', SCENE.alice);
    const rerolled = await replyTo(harness.fake, before.message, (message) => message.embeds.length > 0);
    expect((await row(harness, generationIdOf(rerolled))).parentId).toBe(before.generationId);
  });

  it('a job that finishes while Darkroom shuts down still reaches its message', async () => {
    const interaction = harness.fake.slash('imagine', { prompt: 'a last light', steps: 40 }, { user: SCENE.bob });
    await harness.fake.original(interaction, (message) => /developing|step/.test(message.content), 'the job running');
    await harness.stopApp();
    // Nothing runs any more: the result must already be there.
    const message = harness.fake.world.messages.get(interaction.originalMessageId ?? '');
    expect(message?.embeds).toHaveLength(1);
    expect(message?.content).toContain(`**a last light** for <@${SCENE.bob.id}>`);
    await harness.startApp();
  });

  it('a job interrupted by a restart is queued again and finishes in its original message', async () => {
    const interaction = harness.fake.slash('imagine', { prompt: 'an interrupted harbour', steps: 40 }, { user: SCENE.carol });
    await harness.fake.original(interaction, (message) => /developing|step/.test(message.content), 'the job running');
    await harness.restart(true);
    const finished = await result(harness.fake, interaction);
    expect(finished.content).toContain(`**an interrupted harbour** for <@${SCENE.carol.id}>`);
    expect(finished.revisions.map((revision) => revision.content).some((text) => text.includes('Darkroom restarted; your job is back in the queue.'))).toBe(true);
  });
});
